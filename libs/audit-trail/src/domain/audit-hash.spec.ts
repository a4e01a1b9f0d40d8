import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalPayload, checkChain, entryHash, GENESIS_HASH, jsonSnapshot, type StoredEntry } from './audit-hash';

function chain(n: number): StoredEntry[] {
  const out: StoredEntry[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const e = {
      seq: String(i),
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      occurredAt: new Date(Date.UTC(2026, 6, 9, 10, 0, i, 123)),
      actorId: null,
      actorLabel: 'system:test',
      action: 'user.created',
      entityType: 'User',
      entityId: `u${i}`,
      before: null,
      after: { displayName: '個人情報漏えい事案', n: i, roles: ['AUDITOR'] },
      requestId: `req-${i}`,
      prevHash: prev,
    };
    const hash = entryHash(e);
    out.push({ ...e, hash });
    prev = hash;
  }
  return out;
}

describe('audit-trail hash chain (format v1)', () => {
  it('hashes the RFC 8785 canonical JSON, so an outside tool can recompute it', () => {
    const [e] = chain(1);
    const text = canonicalPayload(e!);
    // Keys sorted, no whitespace, UTC timestamp with milliseconds, version tag inside.
    expect(
      text.startsWith(
        '{"action":"user.created","actorId":null,"actorLabel":"system:test","after":{"displayName":"個人情報漏えい事案","n":1,"roles":["AUDITOR"]}',
      ),
    ).toBe(true);
    expect(text).toContain('"occurredAt":"2026-07-09T10:00:01.123Z"');
    expect(text).toContain('"v":1');
    expect(e!.hash).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
  });

  it('does not depend on the key order of the snapshots', () => {
    const [e] = chain(1);
    const reordered = { ...e!, after: { roles: ['AUDITOR'], n: 1, displayName: '個人情報漏えい事案' } };
    expect(entryHash(reordered)).toBe(e!.hash);
  });

  it('accepts an intact chain, also checked in batches', () => {
    const c = chain(5);
    expect(checkChain(c, null)).toBeNull();
    expect(checkChain(c.slice(2), { seq: c[1]!.seq, hash: c[1]!.hash })).toBeNull();
  });

  it('finds an edited entry (HASH_MISMATCH at that entry)', () => {
    const c = chain(5);
    c[2] = { ...c[2]!, after: { displayName: '改ざん', n: 3, roles: ['ADMIN'] } };
    expect(checkChain(c, null)).toMatchObject({ kind: 'HASH_MISMATCH', seq: '3' });
  });

  it('finds an edited entry whose hash was recomputed too (the next entry no longer links)', () => {
    const c = chain(5);
    const forged = { ...c[2]!, actorLabel: 'someone.else@example.com' };
    c[2] = { ...forged, hash: entryHash(forged) };
    expect(checkChain(c, null)).toMatchObject({ kind: 'PREV_HASH_MISMATCH', seq: '4' });
  });

  it('finds a deleted entry (SEQUENCE_GAP) and a deleted first entry', () => {
    const c = chain(5);
    expect(checkChain([c[0]!, c[1]!, c[3]!, c[4]!], null)).toMatchObject({ kind: 'SEQUENCE_GAP', seq: '4', expectedSeq: '3' });
    expect(checkChain(c.slice(1), null)).toMatchObject({ kind: 'SEQUENCE_GAP', seq: '2', expectedSeq: '1' });
  });

  it('snapshots are stored as JSON gives them back (dates become ISO text, undefined disappears)', () => {
    expect(jsonSnapshot({ at: new Date('2026-07-09T00:00:00.000Z'), gone: undefined, kanji: '漢字' })).toEqual({
      at: '2026-07-09T00:00:00.000Z',
      kanji: '漢字',
    });
    expect(jsonSnapshot(undefined)).toBeNull();
  });
});
