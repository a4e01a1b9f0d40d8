import { Propagation, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditTrailService, CHAIN_APPEND_LOCK_KEY, CHAIN_LOCK_KEY, type AuditTrailEntryEntity } from '@app/audit-trail';
import { Actor } from '@app/common';
import { TestApp } from '../support/test-app';

/**
 * Issue 17: a transaction that appended to the trail and is still doing its
 * work (re-evaluating the gate, notifying, writing more) does not hold the lock
 * that orders the chain: its entries are written just before its COMMIT. Other
 * writers append and commit meanwhile, and the chain stays one unbroken
 * sequence. Proved with locks in pg_locks and with a second writer that commits
 * while the first is open, never with timing.
 */
describe('the trail is written at the end of the transaction', () => {
  let t: TestApp;
  let trail: AuditTrailService;
  let tx: TransactionHost<TransactionalAdapterTypeOrm>;
  const actor = Actor.system('trail-commit-spec');
  const entry = (n: string) => ({
    actor,
    action: 'spec.recorded',
    entityType: 'Spec',
    entityId: n,
    after: { 件名: `退職者アカウント棚卸し ${n}` },
  });

  beforeAll(async () => {
    t = await TestApp.start();
    trail = t.app.get(AuditTrailService);
    tx = t.app.get(TransactionHost);
  });
  afterAll(async () => t?.close());

  /** Advisory locks on a bigint key show as classid (high 32 bits), objid (low 32 bits). */
  const locksOn = (key: number) =>
    t.sql<{ pid: number; mode: string; granted: boolean }>(
      `SELECT pid, mode, granted FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND objid = $2 AND objsubid = 1`,
      [Math.floor(key / 2 ** 32), key % 2 ** 32],
    );

  const expectUnbroken = async () => {
    const rows = await t.sql<{ seq: string; prev_hash: string; hash: string; entity_id: string }>(
      'SELECT seq::text AS seq, prev_hash, hash, entity_id FROM audit_trail ORDER BY audit_trail.seq',
    );
    rows.forEach((r, i) => {
      expect(r.seq).toBe(String(i + 1));
      if (i > 0) expect(r.prev_hash).toBe(rows[i - 1]!.hash);
    });
    expect(await trail.verify()).toMatchObject({ intact: true, entriesChecked: rows.length, firstBreak: null });
    return rows;
  };

  /** A transaction that appends `name`, then waits (holding it open) until released. */
  const openWriter = (name: string) => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let appended!: (e: { entry: AuditTrailEntryEntity; pid: number }) => void;
    const ready = new Promise<{ entry: AuditTrailEntryEntity; pid: number }>((r) => (appended = r));
    const done = tx.withTransaction(async () => {
      const mine = await trail.append(entry(name));
      const [{ pid }] = (await tx.tx.query('SELECT pg_backend_pid() AS pid')) as [{ pid: number }];
      appended({ entry: mine, pid });
      await held; // the rest of the transaction's work
    });
    return { ready, release, done };
  };

  it('a transaction that appended and still runs holds no exclusive chain lock, and another writer appends and commits meanwhile', async () => {
    const first = openWriter('open-1');
    try {
      const { entry: openEntry, pid } = await first.ready;
      // Its entry has an id and a time, and no place in the chain yet: that is given at its commit.
      expect(openEntry.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(openEntry.seq).toBeUndefined();
      // It holds the chain lock in shared mode only (a reader of "the trail as of now" waits for it)...
      expect((await locksOn(CHAIN_LOCK_KEY)).filter((l) => l.pid === pid)).toEqual([{ pid, mode: 'ShareLock', granted: true }]);
      // ...and not the append lock.
      expect((await locksOn(CHAIN_APPEND_LOCK_KEY)).filter((l) => l.pid === pid)).toEqual([]);

      // Another writer appends and commits while the first is still open: it does not wait for it.
      let second!: AuditTrailEntryEntity;
      await tx.withTransaction(async () => {
        second = await trail.append(entry('while-open'));
      });
      expect(second.seq).toMatch(/^[0-9]+$/);
      const [row] = await t.sql<{ n: number }>('SELECT count(*)::int AS n FROM audit_trail WHERE id = $1', [second.id]);
      expect(row!.n).toBe(1);
      // The open transaction's entry is not in the table yet.
      const [open] = await t.sql<{ n: number }>('SELECT count(*)::int AS n FROM audit_trail WHERE id = $1', [openEntry.id]);
      expect(open!.n).toBe(0);
    } finally {
      first.release();
    }
    await first.done;
    const { entry: openEntry } = await first.ready;
    // Written at its commit, after the one that committed meanwhile, and chained onto it.
    const rows = await expectUnbroken();
    const ids = rows.map((r) => r.entity_id);
    expect(ids.indexOf('open-1')).toBe(ids.indexOf('while-open') + 1);
    expect(openEntry.seq).toBe(rows[ids.indexOf('open-1')]!.seq);
    expect(openEntry.hash).toBe(rows[ids.indexOf('open-1')]!.hash);
  });

  it('many writers, each appending, working and appending again, form one unbroken chain with each transaction contiguous', async () => {
    const writers = Array.from({ length: 8 }, (_, i) => openWriter(`w${i}-a`));
    const ready = await Promise.all(writers.map((w) => w.ready));
    // All eight are open at once, each with an entry appended: none waits for another.
    expect(new Set(ready.map((r) => r.pid)).size).toBe(8);
    expect((await locksOn(CHAIN_APPEND_LOCK_KEY)).filter((l) => ready.some((r) => r.pid === l.pid))).toEqual([]);
    // Then each appends once more in a transaction of its own design: two entries, released in reverse order.
    const more = Array.from({ length: 8 }, (_, i) =>
      tx.withTransaction(async () => {
        await trail.append(entry(`m${i}-0`));
        await t.sql('SELECT 1');
        await trail.append(entry(`m${i}-1`));
      }),
    );
    for (const w of [...writers].reverse()) w.release();
    await Promise.all([...writers.map((w) => w.done), ...more]);
    const rows = await expectUnbroken();
    const ids = rows.map((r) => r.entity_id);
    for (let i = 0; i < 8; i++) {
      expect(ids).toContain(`w${i}-a`);
      expect(ids.indexOf(`m${i}-1`)).toBe(ids.indexOf(`m${i}-0`) + 1);
    }
  });

  it('a read of the trail in the transaction sees its own entries; a savepoint rolled back after that read takes only its own entry with it', async () => {
    await tx.withTransaction(async () => {
      await trail.append(entry('r1'));
      await tx
        .withTransaction(Propagation.Nested, async () => {
          // The read writes r1 (inside the savepoint), then r-undone is appended in it.
          const page = await trail.list({ entityId: 'r1' }, { first: 5 });
          expect(page.nodes.map((e) => e.entityId)).toEqual(['r1']);
          await trail.append(entry('r-undone'));
          throw new Error('undo the savepoint');
        })
        .catch(() => undefined);
      await trail.append(entry('r2'));
    });
    const rows = await expectUnbroken();
    const ids = rows.map((r) => r.entity_id);
    // r1's row went with the savepoint, and was written again at the commit.
    expect(ids.slice(-2)).toEqual(['r1', 'r2']);
    expect(ids).not.toContain('r-undone');
  });

  it('a transaction that rolls back leaves nothing in the trail', async () => {
    const before = (await expectUnbroken()).length;
    await tx
      .withTransaction(async () => {
        await trail.append(entry('rolled-back'));
        throw new Error('the change fails after its entry was appended');
      })
      .catch(() => undefined);
    const rows = await expectUnbroken();
    expect(rows).toHaveLength(before);
    expect(rows.map((r) => r.entity_id)).not.toContain('rolled-back');
  });
});
