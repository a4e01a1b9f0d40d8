import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Propagation, TransactionHost } from '@nestjs-cls/transactional';
import { IncidentsService } from '@app/incidents';
import { makeCountermeasure, makeIncident } from '../support/remediation-factory';
import { countStatements } from '../support/statement-counter';
import { TestApp } from '../support/test-app';

/**
 * The incident lock, taken once per transaction: a transaction that took it
 * (directly, or through one of the incident's items in the lock's own
 * statement) holds it to its end, so the cross-row rules before its commit
 * (`holdLock`) send no second lock. It must be a real lock all the same —
 * another session cannot take it meanwhile — and a savepoint that starts or
 * ends makes the next `holdLock` take it again rather than trust what a
 * rolled-back savepoint may have released.
 */
describe('the incident lock a transaction holds', () => {
  let t: TestApp;
  let incidents: IncidentsService;
  let tx: TransactionHost;
  let ctx: Awaited<ReturnType<typeof makeIncident>>;
  let itemId: string;
  const ITEM_INCIDENT = 'SELECT c.incident_id FROM countermeasures c WHERE c.id = :itemId';

  beforeAll(async () => {
    t = await TestApp.start();
    incidents = t.app.get(IncidentsService);
    tx = t.app.get(TransactionHost);
    ctx = await makeIncident(t, 'ロック確認用事案');
    const owner = await ctx.addMember(['TASK_FORCE']);
    itemId = (await makeCountermeasure(t, ctx.incident.id, owner.user.id)).id;
  });
  afterAll(async () => t?.close());

  /** From another session: can the incident row (or the item row) be locked right now? */
  const lockableElsewhere = async (table: 'incidents' | 'countermeasures', id: string) =>
    t.sql(`SELECT id FROM ${table} WHERE id = $1 FOR UPDATE NOWAIT`, [id]).then(
      () => true,
      (err: { code?: string }) => {
        if (err.code === '55P03') return false; // lock_not_available
        throw err;
      },
    );

  it('locked through its item in one statement, the incident stays locked to the end, the item row is not locked, and holdLock sends nothing', async () => {
    await tx.withTransaction(async () => {
      const { result, statements } = await countStatements(() => incidents.lockIncidentOf(ITEM_INCIDENT, { itemId }));
      expect(statements).toBe(1);
      expect(result?.id).toBe(ctx.incident.id);
      expect((await countStatements(() => incidents.holdLock(ctx.incident.id))).statements).toBe(0);
      expect(await lockableElsewhere('incidents', ctx.incident.id)).toBe(false);
      expect(await lockableElsewhere('countermeasures', itemId)).toBe(true);
    });
    expect(await lockableElsewhere('incidents', ctx.incident.id)).toBe(true);
  });

  it('an item that does not exist locks nothing (null)', async () => {
    await tx.withTransaction(async () => {
      expect(await incidents.lockIncidentOf(ITEM_INCIDENT, { itemId: '00000000-0000-4000-8000-000000000000' })).toBeNull();
      expect(await lockableElsewhere('incidents', ctx.incident.id)).toBe(true);
    });
  });

  it('holdLock takes the lock when this transaction has not: once, and a new transaction starts without it', async () => {
    await tx.withTransaction(async () => {
      const first = await countStatements(() => incidents.holdLock(ctx.incident.id));
      expect(first.statements).toBe(1);
      expect(first.texts[0]).toMatch(/FOR UPDATE/);
      expect(await lockableElsewhere('incidents', ctx.incident.id)).toBe(false);
      expect((await countStatements(() => incidents.holdLock(ctx.incident.id))).statements).toBe(0);
    });
    await tx.withTransaction(async () => {
      expect((await countStatements(() => incidents.holdLock(ctx.incident.id))).statements).toBe(1);
    });
  });

  it('after a savepoint that took the lock is rolled back, holdLock takes it again, and it is held', async () => {
    await tx.withTransaction(async () => {
      await tx
        .withTransaction(Propagation.Nested, async () => {
          await incidents.lock(ctx.incident.id);
          throw new Error('undo the savepoint');
        })
        .catch(() => undefined);
      // PostgreSQL released the lock with the savepoint: another session could take it now.
      expect(await lockableElsewhere('incidents', ctx.incident.id)).toBe(true);
      expect((await countStatements(() => incidents.holdLock(ctx.incident.id))).statements).toBe(1);
      expect(await lockableElsewhere('incidents', ctx.incident.id)).toBe(false);
    });
  });

  it('a lock taken before a savepoint is taken again after it (the savepoint forgets, it never trusts too much)', async () => {
    await tx.withTransaction(async () => {
      await incidents.lock(ctx.incident.id);
      await tx.withTransaction(Propagation.Nested, async () => {
        expect((await countStatements(() => incidents.holdLock(ctx.incident.id))).statements).toBe(1);
      });
      expect(await lockableElsewhere('incidents', ctx.incident.id)).toBe(false);
    });
  });
});
