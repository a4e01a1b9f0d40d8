import { randomUUID } from 'node:crypto';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { ClsService } from 'nestjs-cls';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AuditTrailService, CHAIN_LOCK_KEY, type AuditTrailEntryEntity } from '@app/audit-trail';
import { BundleTrail } from '@app/bundles';
import { Actor } from '@app/common';
import { TestApp } from '../support/test-app';

/**
 * The trail size a bundle is built to (the last entry that occurred at or
 * before its as-of) is the same every time that as-of is read: an append
 * takes its time before its transaction commits, so a read must wait for it.
 */
describe('the size of the trail as of an instant (what a bundle covers)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('counts an entry of that instant whose transaction was still open when the read began (the read waits for it)', async () => {
    const txHost = t.app.get<TransactionHost<TransactionalAdapterTypeOrm>>(TransactionHost);
    const trail = t.app.get(AuditTrailService);
    const bundleTrail = t.app.get(BundleTrail);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let appended!: (entry: AuditTrailEntryEntity) => void;
    const entryAppended = new Promise<AuditTrailEntryEntity>((resolve) => (appended = resolve));
    const appending = t.app.get(ClsService).run(() =>
      txHost.withTransaction(async () => {
        const entry = await trail.append({
          actor: Actor.system('test'),
          action: 'evidence.submitted',
          entityType: 'evidence',
          entityId: randomUUID(),
          after: { 件名: 'コミット前の追記（退職者アカウント棚卸し）' },
        });
        appended(entry);
        await held;
      }),
    );

    let sizing: Promise<number> | undefined;
    let settled = false;
    let entry: AuditTrailEntryEntity;
    try {
      entry = await entryAppended;
      // Not committed yet: nobody else sees it.
      const [visible] = await t.sql<{ n: number }>('SELECT count(*)::int AS n FROM audit_trail WHERE seq = $1', [entry.seq]);
      expect(visible!.n).toBe(0);
      // The as-of is the very instant the entry occurred at.
      sizing = bundleTrail.sizeAt(entry.occurredAt).finally(() => {
        settled = true;
      });
      // Until the read is waiting on the chain lock, or (without the lock) already done.
      await vi.waitFor(
        async () => {
          if (settled) return;
          // A bigint advisory key shows in pg_locks as classid (high 32 bits) and objid (low 32 bits).
          const [row] = await t.sql<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_locks
              WHERE locktype = 'advisory' AND NOT granted AND classid = $1 AND objid = $2 AND objsubid = 1`,
            [Math.floor(CHAIN_LOCK_KEY / 2 ** 32), CHAIN_LOCK_KEY % 2 ** 32],
          );
          if (row!.n < 1) throw new Error('the read is not waiting for the chain lock yet');
        },
        { timeout: 20_000, interval: 20 },
      );
    } finally {
      release();
    }
    await appending;
    expect(await sizing).toBe(Number(entry.seq));
    // And the same as-of, read again later, gives the same size.
    expect(await bundleTrail.sizeAt(entry.occurredAt)).toBe(Number(entry.seq));
  });
});
