import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { checkpointFileName, CheckpointCopyWorker, entryHash, GENESIS_HASH } from '@app/audit-trail';
import { errorCode, TestApp } from '../support/test-app';

const CREATE = `mutation { createTrailCheckpoint { treeSize rootHash text } }`;
const VERIFY = `query($against: String) { verifyAuditTrail(against: $against) {
  intact firstBreak { kind seq } checkpoint { source code ok message treeSize currentTreeSize } } }`;

interface Verification {
  intact: boolean;
  firstBreak: { kind: string; seq: string } | null;
  checkpoint: { source: string; code: string; ok: boolean; message: string; treeSize: string | null; currentTreeSize: string };
}
type Row = {
  seq: string;
  id: string;
  occurred_at: Date;
  actor_id: string | null;
  actor_label: string;
  action: string;
  entity_type: string;
  entity_id: string;
  before: unknown;
  after: unknown;
  request_id: string | null;
  prev_hash: string;
  hash: string;
};

/**
 * What an insider with the database owner's rights would try, past the
 * append-only trigger: each change below is made with superuser SQL, and each
 * is caught, by the hash chain or (a cut, a rewrite from the first entry on) by
 * a checkpoint made before. Every test starts from the same trail.
 */
describe('tampering with the trail is detected; the cut and the rewrite only against an earlier checkpoint, by name', () => {
  let t: TestApp;
  let auditorToken: string;
  let original: Row[];
  /** A checkpoint of the whole trail, kept outside (as a file would be). */
  let kept: { treeSize: string; rootHash: string; text: string };

  const rows = () => t.sql<Row>('SELECT * FROM audit_trail ORDER BY audit_trail.seq');
  /** Runs the statements with the trail's triggers off (only the table owner can), then on again. */
  const tamper = async (...statements: [string, unknown[]?][]) => {
    await t.sql('ALTER TABLE audit_trail DISABLE TRIGGER USER');
    try {
      for (const [sql, params] of statements) await t.sql(sql, params ?? []);
    } finally {
      await t.sql('ALTER TABLE audit_trail ENABLE TRIGGER USER');
    }
  };
  const verify = async (against?: string) => {
    const res = await t.gql<{ verifyAuditTrail: Verification }>(VERIFY, against === undefined ? {} : { against }, auditorToken);
    expect(res.errors).toBeUndefined();
    return res.data!.verifyAuditTrail;
  };
  const asHashed = (r: Row) => ({
    seq: r.seq,
    id: r.id,
    occurredAt: r.occurred_at,
    actorId: r.actor_id,
    actorLabel: r.actor_label,
    action: r.action,
    entityType: r.entity_type,
    entityId: r.entity_id,
    before: r.before,
    after: r.after,
    requestId: r.request_id,
    prevHash: r.prev_hash,
  });

  beforeAll(async () => {
    t = await TestApp.start();
    auditorToken = await (await t.createUser(['AUDITOR'])).token();
    for (const name of ['改ざん 一郎', '改ざん 二郎', '改ざん 三郎', '改ざん 四郎', '改ざん 五郎', '改ざん 六郎']) {
      await t.createUser(['TASK_FORCE'], { displayName: name });
    }
    const res = await t.gql<{ createTrailCheckpoint: typeof kept }>(CREATE, {}, auditorToken);
    kept = res.data!.createTrailCheckpoint;
    original = await rows();
    expect(original.length).toBe(Number(kept.treeSize));
    expect(original.length).toBeGreaterThanOrEqual(8);
  }, 120_000);

  beforeEach(async () => {
    // Back to the trail the checkpoint was made of.
    await tamper(
      ['DELETE FROM audit_trail'],
      ['INSERT INTO audit_trail SELECT * FROM json_populate_recordset(NULL::audit_trail, $1::json)', [JSON.stringify(original)]],
    );
    const v = await verify(kept.text);
    expect(v.intact).toBe(true);
    expect(v.checkpoint.code).toBe('CONSISTENT');
  });

  afterAll(async () => t?.close());

  it('an edited entry: the chain breaks at it', async () => {
    await tamper([`UPDATE audit_trail SET after = jsonb_set(after, '{displayName}', '"偽名 太郎"') WHERE seq = 4`]);
    const v = await verify(kept.text);
    expect(v.intact).toBe(false);
    expect(v.firstBreak).toEqual({ kind: 'HASH_MISMATCH', seq: '4' });
  });

  it('an entry deleted in the middle: the chain shows the gap, and the checkpoint no longer matches', async () => {
    await tamper(['DELETE FROM audit_trail WHERE seq = 5']);
    const v = await verify(kept.text);
    expect(v.intact).toBe(false);
    expect(v.firstBreak).toEqual({ kind: 'SEQUENCE_GAP', seq: '6' });
    expect(v.checkpoint.code).toBe('INCONSISTENT_WITH_CHECKPOINT');
  });

  it('two entries swapped: the chain breaks where the order changed', async () => {
    await tamper(
      ['UPDATE audit_trail SET seq = -4 WHERE seq = 4'],
      ['UPDATE audit_trail SET seq = 4 WHERE seq = 5'],
      ['UPDATE audit_trail SET seq = 5 WHERE seq = -4'],
    );
    const v = await verify(kept.text);
    expect(v.intact).toBe(false);
    expect(v.firstBreak!.seq).toBe('4');
    expect(v.checkpoint.code).toBe('INCONSISTENT_WITH_CHECKPOINT');
  });

  it('a forged entry slipped in (with a hash that links to the one before): the chain breaks right after it', async () => {
    const third = original[2]!;
    const forged = {
      ...asHashed(original[3]!),
      seq: '4',
      id: '00000000-0000-4000-8000-000000000004',
      action: 'user.roles_changed',
      after: { roles: ['ADMIN'], displayName: '侵入 者' },
      prevHash: third.hash,
    };
    await tamper(
      ['UPDATE audit_trail SET seq = seq + 1000 WHERE seq >= 4'],
      ['UPDATE audit_trail SET seq = seq - 999 WHERE seq >= 1004'],
      [
        `INSERT INTO audit_trail (seq, id, occurred_at, actor_id, actor_label, action, entity_type, entity_id, before, after, request_id, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
        [
          forged.seq,
          forged.id,
          forged.occurredAt,
          forged.actorId,
          forged.actorLabel,
          forged.action,
          forged.entityType,
          forged.entityId,
          forged.before,
          forged.after,
          forged.requestId,
          forged.prevHash,
          entryHash(forged),
        ],
      ],
    );
    const v = await verify(kept.text);
    expect(v.intact).toBe(false);
    expect(v.firstBreak!.seq).toBe('5');
  });

  it('the last entries cut off: the chain still checks out; only the earlier checkpoint shows it, as TRUNCATED', async () => {
    const size = Number(kept.treeSize);
    await tamper(['DELETE FROM audit_trail WHERE seq > $1', [size - 3]]);
    const v = await verify(kept.text);
    expect(v.intact).toBe(true);
    expect(v.checkpoint).toMatchObject({
      source: 'GIVEN',
      code: 'TRUNCATED',
      ok: false,
      treeSize: String(size),
      currentTreeSize: String(size - 3),
    });
    // Without a checkpoint given, the newest stored one says the same (if it is still there).
    expect((await verify()).checkpoint).toMatchObject({ source: 'STORED', code: 'TRUNCATED' });
    // Nothing new is signed over the shortened trail.
    expect(errorCode(await t.gql(CREATE, {}, auditorToken))).toBe('CONFLICT');
  });

  it('the whole chain rewritten from entry 1 with valid hashes: the chain checks out; the earlier checkpoint names the rewrite', async () => {
    let prev = GENESIS_HASH;
    const rewritten = original.map((r, i) => {
      const fields = { ...asHashed(r), prevHash: prev, after: i === 2 ? { ...(r.after as object), displayName: '書換 花子' } : r.after };
      const hash = entryHash(fields);
      prev = hash;
      return { ...r, after: fields.after, prev_hash: fields.prevHash, hash };
    });
    await tamper(
      ['DELETE FROM audit_trail'],
      ['INSERT INTO audit_trail SELECT * FROM json_populate_recordset(NULL::audit_trail, $1::json)', [JSON.stringify(rewritten)]],
    );
    const v = await verify(kept.text);
    expect(v.intact).toBe(true);
    expect(v.firstBreak).toBeNull();
    expect(v.checkpoint).toMatchObject({ source: 'GIVEN', code: 'INCONSISTENT_WITH_CHECKPOINT', ok: false });
    expect(v.checkpoint.message).toMatch(/rewritten/);
    // The tracker goes on appending to the rewritten chain, but refuses to sign it.
    await t.createUser(['TASK_FORCE'], { displayName: '書換後 七郎' });
    const before = await t.sql('SELECT tree_size FROM trail_checkpoints');
    expect(errorCode(await t.gql(CREATE, {}, auditorToken))).toBe('CONFLICT');
    expect(await t.sql('SELECT tree_size FROM trail_checkpoints')).toEqual(before);
  });

  it('the last entries cut AND the checkpoints deleted from the database: the newest checkpoint file still shows the cut, and nothing is signed', async () => {
    const size = Number(kept.treeSize);
    const worker = t.app.get(CheckpointCopyWorker);
    const file = path.join(worker.directory, checkpointFileName(kept.text.split('\n')[0]!, kept.treeSize));
    // The kept checkpoint's file copy (written by the copy worker after its commit).
    await vi.waitFor(
      async () => {
        await worker.runDue();
        expect(fs.readFileSync(file, 'utf8')).toBe(kept.text);
      },
      { timeout: 30_000, interval: 100 },
    );
    const proofTables = ['trail_checkpoint_copies', 'trail_checkpoint_cosignatures', 'trail_checkpoints'];
    const saved = await Promise.all(proofTables.map((table) => t.sql(`SELECT * FROM ${table}`)));
    await tamper(['DELETE FROM audit_trail WHERE seq > $1', [size - 3]]);
    // Past the checkpoints' append-only triggers too (children first).
    for (const table of proofTables) {
      await t.sql(`ALTER TABLE ${table} DISABLE TRIGGER USER`);
      await t.sql(`DELETE FROM ${table}`);
      await t.sql(`ALTER TABLE ${table} ENABLE TRIGGER USER`);
    }
    try {
      const v = await verify();
      expect(v.intact).toBe(true);
      expect(v.checkpoint).toMatchObject({
        source: 'FILE',
        code: 'TRUNCATED',
        ok: false,
        treeSize: String(size),
        currentTreeSize: String(size - 3),
      });
      expect(v.checkpoint.message).toContain(path.basename(file));
      expect(v.checkpoint.message).not.toContain(worker.directory);
      expect(errorCode(await t.gql(CREATE, {}, auditorToken))).toBe('CONFLICT');
      expect(await t.sql('SELECT tree_size FROM trail_checkpoints')).toEqual([]);
    } finally {
      // The checkpoints back as they were, parents first (the trail is put back before each test).
      for (const i of [2, 1, 0]) {
        await t.sql(`INSERT INTO ${proofTables[i]} SELECT * FROM json_populate_recordset(NULL::${proofTables[i]}, $1::json)`, [
          JSON.stringify(saved[i]),
        ]);
      }
    }
  });

  it('a forged checkpoint file larger than every stored checkpoint is reported (BAD_SIGNATURE, source FILE); it blocks no signing', async () => {
    const worker = t.app.get(CheckpointCopyWorker);
    const [origin, , root] = kept.text.split('\n');
    const forged = path.join(worker.directory, checkpointFileName(origin!, '999'));
    fs.mkdirSync(worker.directory, { recursive: true });
    fs.writeFileSync(forged, kept.text.replace(`${origin}\n${kept.treeSize}\n${root}\n`, `${origin}\n999\n${root}\n`));
    try {
      expect((await verify()).checkpoint).toMatchObject({ source: 'FILE', code: 'BAD_SIGNATURE', ok: false, treeSize: '999' });
      await t.createUser(['TASK_FORCE'], { displayName: '偽造後 八郎' });
      const res = await t.gql<{ createTrailCheckpoint: typeof kept }>(CREATE, {}, auditorToken);
      expect(res.errors).toBeUndefined();
      expect(Number(res.data!.createTrailCheckpoint.treeSize)).toBeGreaterThan(Number(kept.treeSize));
    } finally {
      fs.rmSync(forged, { force: true });
    }
  });
});
