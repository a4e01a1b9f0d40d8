import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GateChangeNotifier } from '@app/notifications';
import { makeCountermeasure, makeIncident } from '../support/remediation-factory';
import { countStatements } from '../support/statement-counter';
import { errorCode, TestApp } from '../support/test-app';

const MOVE = `mutation($input: MoveCountermeasureInput!) { moveCountermeasure(input: $input) { id status version } }`;
const CREATE_GATE = `mutation($input: CreateGateInput!) { createGate(input: $input) { state } }`;
const GATE = `query($key: String!) { gate(key: $key) { state version blockers { kind itemKey message } } }`;

type Moved = { moveCountermeasure: { id: string; status: string; version: number } };
type Gate = { gate: { state: string; version: number; blockers: { kind: string; itemKey: string | null; message: string }[] } };

/**
 * What one moveCountermeasure costs in SQL statements, counted at the pg
 * driver (authentication included), so that the write path stays lean: the
 * rules it must decide in its transaction (who may move, the workflow, the
 * version check, the trail's chain, the cross-row rules and the gate) are
 * each asked once, and nothing is read twice.
 */
describe('the SQL statements of one moveCountermeasure', () => {
  let t: TestApp;
  let ctx: Awaited<ReturnType<typeof makeIncident>>;
  let owner: Awaited<ReturnType<Awaited<ReturnType<typeof makeIncident>>['addMember']>>;
  let ownerToken: string;

  beforeAll(async () => {
    t = await TestApp.start();
    ctx = await makeIncident(t, '統計用事案');
    owner = await ctx.addMember(['TASK_FORCE'], 'システム運用担当');
    ownerToken = await owner.token();
  });
  afterAll(async () => t?.close());

  const move = (id: string, expectedVersion: number, to: string, token = ownerToken, reason?: string) =>
    countStatements(() => t.gql<Moved>(MOVE, { input: { id, expectedVersion, to, reason } }, token));

  /** The trail entries about the item, oldest first, with the chain link to the entry before each. */
  const trailOf = (id: string) =>
    t.sql<{ action: string; before: { status?: string } | null; after: { status?: string; version?: number } | null; linked: boolean }>(
      `SELECT e.action, e.before, e.after, e.prev_hash = p.hash AS linked
       FROM audit_trail e JOIN audit_trail p ON p.seq = e.seq - 1 WHERE e.entity_id = $1 ORDER BY e.seq`,
      [id],
    );
  const historyOf = (id: string) =>
    t.sql<{ from_status: string | null; to_status: string; actor_id: string | null }>(
      'SELECT from_status, to_status, actor_id FROM countermeasure_transitions WHERE countermeasure_id = $1 ORDER BY at',
      [id],
    );

  /** The statements that lock the incident row. */
  const incidentLocks = (texts: string[]) => texts.filter((s) => /FROM "incidents"/.test(s) && /\bFOR UPDATE\b/.test(s));

  it('a move of an item the gate does not depend on costs at most 11 statements, and is made in full', async () => {
    const cm = await makeCountermeasure(t, ctx.incident.id, owner.user.id);
    const { result, statements, texts } = await move(cm.id, cm.version, 'IN_PROGRESS');
    expect(result.errors).toBeUndefined();
    expect(result.data!.moveCountermeasure).toEqual({ id: cm.id, status: 'IN_PROGRESS', version: cm.version + 1 });
    // The 11: the user behind the token (1); BEGIN (2); the incident lock, FOR UPDATE, found through
    // the item in the same statement (3); the item with its requirements and contributors, read under
    // that lock (4); the mover's own task-force membership, FOR SHARE (5); the versioned UPDATE ...
    // RETURNING with the history row in the same statement (6); the trail's advisory lock (7), its
    // head (8), and the entry with its pg_notify (9); at commit the cross-row rules, under the lock the
    // transaction holds: the incident's gates with their facts, none here (10); COMMIT (11).
    expect(statements, texts.join('\n---\n')).toBeLessThanOrEqual(11);
    // The incident is locked once, before the item is read; the rules at commit rely on that lock.
    const locks = incidentLocks(texts);
    expect(locks).toHaveLength(1);
    expect(texts.indexOf(locks[0]!)).toBeLessThan(texts.findIndex((s) => /FROM "countermeasures"/.test(s)));
    // Nothing is read twice: after its UPDATE (which returns the row) the item is not read again.
    const update = texts.findIndex((s) => /\bUPDATE "?countermeasures"? SET\b/.test(s));
    expect(update).toBeGreaterThan(0);
    expect(texts.slice(update + 1).filter((s) => /FROM "countermeasures"/.test(s))).toEqual([]);

    expect(await historyOf(cm.id)).toEqual([
      { from_status: null, to_status: 'PLANNED', actor_id: null },
      { from_status: 'PLANNED', to_status: 'IN_PROGRESS', actor_id: owner.user.id },
    ]);
    const moved = (await trailOf(cm.id)).at(-1)!;
    expect(moved).toMatchObject({
      action: 'countermeasure.status_changed',
      before: { status: 'PLANNED' },
      after: { status: 'IN_PROGRESS', version: cm.version + 1 },
      linked: true,
    });
  });

  it('a stale expectedVersion is refused with CONFLICT and writes nothing (no history row, no trail entry)', async () => {
    const cm = await makeCountermeasure(t, ctx.incident.id, owner.user.id);
    const first = await move(cm.id, cm.version, 'IN_PROGRESS');
    expect(first.result.errors).toBeUndefined();
    const trailBefore = (await trailOf(cm.id)).length;
    const stale = await move(cm.id, cm.version, 'BLOCKED', ownerToken, '委託先の回答待ち');
    expect(errorCode(stale.result)).toBe('CONFLICT');
    expect(stale.result.errors![0]!.extensions).toMatchObject({ expectedVersion: cm.version, currentVersion: cm.version + 1 });
    expect((await historyOf(cm.id)).map((h) => h.to_status)).toEqual(['PLANNED', 'IN_PROGRESS']);
    expect(await trailOf(cm.id)).toHaveLength(trailBefore);
  });

  it('a member who is neither owner nor contributor is refused before anything is written', async () => {
    const cm = await makeCountermeasure(t, ctx.incident.id, owner.user.id);
    const other = await ctx.addMember();
    const res = await move(cm.id, cm.version, 'IN_PROGRESS', await other.token());
    expect(errorCode(res.result)).toBe('FORBIDDEN');
    expect((await historyOf(cm.id)).map((h) => h.to_status)).toEqual(['PLANNED']);
  });

  it('a move of an item the gate requires costs at most 12 statements, and the gate says so in the same transaction', async () => {
    const cm = await makeCountermeasure(t, ctx.incident.id, owner.user.id, { title: 'アクセス権限の絞り込み', requiredForGate: true });
    const key = 'new-customer-promotion';
    const chiefToken = await ctx.chief.token();
    const created = await t.gql(
      CREATE_GATE,
      { input: { incidentId: ctx.incident.id, key, name: '新規顧客向け販売促進', reason: '外部監査で安全性が確認されるまで停止' } },
      chiefToken,
    );
    expect(created.errors).toBeUndefined();
    // The gate's creation is announced after its commit (notifications, subscriptions): let that
    // work finish first, so that only the move's own statements are counted.
    for (let i = 0; i < 300; i++) {
      const [row] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM notifications WHERE dedupe_key LIKE 'GATE_CHANGED:%'`);
      if (row!.n > 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await t.app.get(GateChangeNotifier).idle();
    const before = (await t.gql<Gate>(GATE, { key }, chiefToken)).data!.gate;
    expect(before.blockers.find((b) => b.itemKey === 'CM-004')!.message).toContain('is PLANNED');

    const { result, statements, texts } = await move(cm.id, cm.version, 'IN_PROGRESS');
    expect(result.errors).toBeUndefined();
    expect(result.data!.moveCountermeasure).toEqual({ id: cm.id, status: 'IN_PROGRESS', version: cm.version + 1 });
    // The 11 above, where the incident's gate is read with its facts in one statement (10: the gate row,
    // the required items with their owners' names, the standing clearance, the latest engagement, the
    // blocking findings); then the gate row's new blockers (11); COMMIT (12).
    expect(statements, texts.join('\n---\n')).toBeLessThanOrEqual(12);
    expect(incidentLocks(texts)).toHaveLength(1);

    const after = (await t.gql<Gate>(GATE, { key }, chiefToken)).data!.gate;
    expect(after.state).toBe('SUSPENDED');
    expect(after.version).toBe(before.version); // blockers are kept current without moving the version
    expect(after.blockers.find((b) => b.itemKey === 'CM-004')!.message).toContain('is IN_PROGRESS');
    expect((await trailOf(cm.id)).at(-1)).toMatchObject({ action: 'countermeasure.status_changed', linked: true });
  });
});
