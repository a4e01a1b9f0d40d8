import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Propagation, TransactionHost } from '@nestjs-cls/transactional';
import { AuditTrailService } from '@app/audit-trail';
import { Actor } from '@app/common';
import { countStatements } from '../support/statement-counter';
import { TestApp } from '../support/test-app';

/**
 * A transaction that appends several entries (a move, then the clearance it
 * withdrew, then the gate it closed) takes the chain lock and reads the head
 * once: its later entries chain onto its own last one. The chain must stay one
 * unbroken sequence all the same, with other transactions appending at the
 * same moment and with a savepoint that appended and was rolled back.
 */
describe('several trail entries in one transaction', () => {
  let t: TestApp;
  let trail: AuditTrailService;
  let tx: TransactionHost;
  const actor = Actor.system('trail-spec');
  const entry = (n: string) => ({ actor, action: 'spec.recorded', entityType: 'Spec', entityId: n, after: { n } });

  beforeAll(async () => {
    t = await TestApp.start();
    trail = t.app.get(AuditTrailService);
    tx = t.app.get(TransactionHost);
  });
  afterAll(async () => t?.close());

  const chain = () =>
    t.sql<{ seq: string; prev_hash: string; hash: string; entity_id: string }>(
      'SELECT seq::text AS seq, prev_hash, hash, entity_id FROM audit_trail ORDER BY audit_trail.seq',
    );
  const expectUnbroken = async () => {
    const rows = await chain();
    rows.forEach((r, i) => {
      expect(r.seq).toBe(String(i + 1));
      if (i > 0) expect(r.prev_hash).toBe(rows[i - 1]!.hash);
    });
    const v = await trail.verify();
    expect(v).toMatchObject({ intact: true, entriesChecked: rows.length, firstBreak: null });
    return rows;
  };

  it('locks and reads the head once for three entries, and they chain in order', async () => {
    const { statements, texts } = await countStatements(() =>
      tx.withTransaction(async () => {
        for (const n of ['a1', 'a2', 'a3']) await trail.append(entry(n));
      }),
    );
    // BEGIN, the chain lock (shared) at the first append; at COMMIT the append lock with the head in
    // one statement, ONE INSERT of the three (each row with its pg_notify); COMMIT.
    expect(statements, texts.join('\n---\n')).toBe(5);
    expect(texts.filter((s) => s.includes('pg_advisory_xact_lock'))).toHaveLength(1);
    const rows = await expectUnbroken();
    expect(rows.slice(-3).map((r) => r.entity_id)).toEqual(['a1', 'a2', 'a3']);
  });

  it('transactions appending several entries each at the same moment never fork the chain', async () => {
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        tx.withTransaction(async () => {
          for (let j = 0; j < 3; j++) await trail.append(entry(`p${i}-${j}`));
        }),
      ),
    );
    const rows = await expectUnbroken();
    // Each transaction's entries are contiguous: one INSERT under the append lock, held to its commit.
    const mine = rows.filter((r) => r.entity_id.startsWith('p'));
    for (let i = 0; i < mine.length; i += 3) {
      const group = mine.slice(i, i + 3).map((r) => r.entity_id);
      expect(group).toEqual([0, 1, 2].map((j) => `${group[0]!.split('-')[0]}-${j}`));
    }
  });

  it('an entry appended in a savepoint that rolls back is gone, and the next entry chains onto the one before it', async () => {
    await tx.withTransaction(async () => {
      await trail.append(entry('s1'));
      await tx
        .withTransaction(Propagation.Nested, async () => {
          await trail.append(entry('s-rolled-back'));
          throw new Error('undo the savepoint');
        })
        .catch(() => undefined);
      await trail.append(entry('s2'));
    });
    const rows = await expectUnbroken();
    expect(rows.slice(-2).map((r) => r.entity_id)).toEqual(['s1', 's2']);
    expect(rows.some((r) => r.entity_id === 's-rolled-back')).toBe(false);
  });
});
