import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, CASE_TIME_ZONE, todayIn } from '@app/common';
import { KeptStateService } from '@app/countermeasures';
import { DashboardService } from '@app/dashboard';
import { makeCountermeasure, makeIncident } from '../support/remediation-factory';
import { TestApp } from '../support/test-app';

const MOVE = `mutation($input: MoveCountermeasureInput!) { moveCountermeasure(input: $input) { id version status } }`;
const UPDATE = `mutation($input: UpdateCountermeasureInput!) { updateCountermeasure(input: $input) { id version category requiredForGate } }`;
const DASHBOARD = `query($incidentId: ID) { dashboard(incidentId: $incidentId) {
  totals { total verified requiredTotal requiredVerified open overdue dueSoon blocked }
  byStatus { status count } byCategory { category status count }
  blocked { key reason blockedSince } burnUp { day total implemented verified } } }`;

/**
 * The live dashboard reads state kept beside the data (counts per category and
 * status, the flow of statuses per day, the time and reason of the current
 * status) instead of scanning the plan. Whatever path changes the plan — a
 * user's moves and edits through the API, several at once — that kept state
 * must say exactly what a recount of the rows says.
 */
describe('the state the dashboard keeps', () => {
  let t: TestApp;
  let incidentId: string;
  let ownerToken: string;
  let chiefToken: string;
  const ids: string[] = [];
  const today = todayIn(CASE_TIME_ZONE, new Date());

  beforeAll(async () => {
    t = await TestApp.start();
    const ctx = await makeIncident(t, 'カウンタ検証事案');
    incidentId = ctx.incident.id;
    await t.sql('UPDATE incidents SET detected_on = $1 WHERE id = $2', [addDays(today, -5), incidentId]);
    const owner = await ctx.addMember();
    ownerToken = await owner.token();
    chiefToken = await ctx.chief.token();
    for (let i = 0; i < 8; i++) {
      // CM-004 is the chief's own (an owner edits it; only the chief decides whether the gate depends on it).
      const cm = await makeCountermeasure(t, incidentId, i === 3 ? ctx.chief.user.id : owner.user.id, {
        title: `対策 ${i}`,
        dueDate: addDays(today, i - 3),
        category: i % 2 ? 'MONITORING' : 'GOVERNANCE',
      });
      ids.push(cm.id);
    }
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  async function version(id: string): Promise<number> {
    const [row] = await t.sql<{ version: number }>('SELECT version FROM countermeasures WHERE id = $1', [id]);
    return row!.version;
  }

  /** The owner moves an item; a cancellation is the chief's (an executive) decision. */
  async function move(id: string, to: string, reason: string | null = null) {
    return t.gql(MOVE, { input: { id, expectedVersion: await version(id), to, reason } }, to === 'CANCELLED' ? chiefToken : ownerToken);
  }

  /** The kept counts and flow next to a recount from the rows and the transitions. */
  async function keptAndRecounted() {
    const kept = await t.sql(
      `SELECT category, status, required_for_gate, count FROM countermeasure_status_counts WHERE incident_id = $1 AND count > 0 ORDER BY 1, 2, 3`,
      [incidentId],
    );
    const recount = await t.sql(
      `SELECT category, status, required_for_gate, count(*)::int AS count FROM countermeasures WHERE incident_id = $1 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      [incidentId],
    );
    const flow = await t.sql(
      `SELECT day::text, status, delta FROM countermeasure_status_days WHERE incident_id = $1 AND delta <> 0 ORDER BY 1, 2`,
      [incidentId],
    );
    const reflow = await t.sql(
      `SELECT day::text, status, delta FROM (
         SELECT (t.at AT TIME ZONE 'Asia/Tokyo')::date AS day, s.status, sum(s.delta)::int AS delta
         FROM countermeasure_transitions t JOIN countermeasures c ON c.id = t.countermeasure_id
         CROSS JOIN LATERAL (VALUES (t.to_status, 1), (t.from_status, -1)) s(status, delta)
         WHERE c.incident_id = $1 AND s.status IS NOT NULL GROUP BY 1, 2) x
       WHERE delta <> 0 ORDER BY 1, 2`,
      [incidentId],
    );
    const since = await t.sql(
      `SELECT c.id, c.status_changed_at = l.at AS same_time, c.status_reason IS NOT DISTINCT FROM l.reason AS same_reason, c.status = l.to_status AS same_status
       FROM countermeasures c
       CROSS JOIN LATERAL (SELECT t.at, t.reason, t.to_status FROM countermeasure_transitions t WHERE t.countermeasure_id = c.id ORDER BY t.at DESC LIMIT 1) l
       WHERE c.incident_id = $1`,
      [incidentId],
    );
    return { kept, recount, flow, reflow, since };
  }

  async function expectKeptToMatchRecount() {
    const { kept, recount, flow, reflow, since } = await keptAndRecounted();
    expect(kept).toEqual(recount);
    expect(flow).toEqual(reflow);
    expect(since.every((r) => r['same_time'] && r['same_reason'] && r['same_status'])).toBe(true);
  }

  it('moves, cancellations and edits of category and gate relevance through the API keep the counts, the daily flow and the status time exact', async () => {
    await expectKeptToMatchRecount(); // creation
    expect((await move(ids[0]!, 'IN_PROGRESS')).errors).toBeUndefined();
    expect((await move(ids[1]!, 'IN_PROGRESS')).errors).toBeUndefined();
    expect((await move(ids[1]!, 'BLOCKED', '機器の納品待ち')).errors).toBeUndefined();
    expect((await move(ids[2]!, 'CANCELLED', '対策 0 に統合')).errors).toBeUndefined();
    const edit = await t.gql(
      UPDATE,
      { input: { id: ids[3], expectedVersion: await version(ids[3]!), category: 'MONITORING', requiredForGate: true } },
      chiefToken,
    );
    expect(edit.errors).toBeUndefined();
    await expectKeptToMatchRecount();

    // A refused move (stale version) changes nothing, kept state included.
    const before = await keptAndRecounted();
    const stale = await t.gql(MOVE, { input: { id: ids[0], expectedVersion: 1, to: 'BLOCKED', reason: '古い版' } }, ownerToken);
    expect(stale.errors?.[0]?.extensions?.['code']).toBe('CONFLICT');
    expect(await keptAndRecounted()).toEqual(before);

    // What the dashboard shows from it: the figures of the rows, the blocked item with its reason and since when.
    const res = await t.gql<{
      dashboard: {
        totals: Record<string, number>;
        byStatus: { status: string; count: number }[];
        blocked: { reason: string; blockedSince: string }[];
        burnUp: { total: number }[];
      };
    }>(DASHBOARD, { incidentId }, chiefToken);
    expect(res.errors).toBeUndefined();
    const d = res.data!.dashboard;
    expect(d.totals).toMatchObject({ total: 7, open: 7, blocked: 1, requiredTotal: 1, verified: 0 });
    expect(d.byStatus.filter((s) => s.count > 0)).toEqual([
      { status: 'PLANNED', count: 5 },
      { status: 'IN_PROGRESS', count: 1 },
      { status: 'BLOCKED', count: 1 },
      { status: 'CANCELLED', count: 1 },
    ]);
    const [blockedRow] = await t.sql<{ at: Date }>(
      `SELECT at FROM countermeasure_transitions WHERE countermeasure_id = $1 AND to_status = 'BLOCKED'`,
      [ids[1]],
    );
    expect(d.blocked).toEqual([expect.objectContaining({ reason: '機器の納品待ち', blockedSince: blockedRow!.at.toISOString() })]);
    expect(d.burnUp.at(-1)!.total).toBe(7);
    // The same picture rebuilt from the history agrees with the kept state.
    const service = t.app.get(DashboardService);
    const [current, history] = [await service.dashboard({ incidentId }), await service.dashboard({ incidentId, source: 'history' })];
    expect({ ...history, generatedAt: null, source: null }).toEqual({ ...current, generatedAt: null, source: null });
  });

  it('stays exact when several people move items of the same incident at the same moment', async () => {
    const moves = await Promise.all([
      move(ids[4]!, 'IN_PROGRESS'),
      move(ids[5]!, 'IN_PROGRESS'),
      move(ids[6]!, 'CANCELLED', '不要になった'),
      move(ids[7]!, 'IN_PROGRESS'),
      move(ids[0]!, 'BLOCKED', 'ベンダー回答待ち'),
    ]);
    for (const m of moves) expect(m.errors).toBeUndefined();
    // Two moves of the same item at once: one wins, the other is refused (CONFLICT), never both counted.
    const v = await version(ids[4]!);
    const race = await Promise.all([
      t.gql(MOVE, { input: { id: ids[4], expectedVersion: v, to: 'BLOCKED', reason: '競合 A' } }, ownerToken),
      t.gql(MOVE, { input: { id: ids[4], expectedVersion: v, to: 'CANCELLED', reason: '競合 B' } }, chiefToken),
    ]);
    expect(race.filter((r) => !r.errors).length).toBe(1);
    expect(race.filter((r) => r.errors?.[0]?.extensions?.['code'] === 'CONFLICT').length).toBe(1);
    await expectKeptToMatchRecount();
  });

  it('drift from bypassing the triggers is found by the check and rebuilt by the repair (check-kept-state --repair)', async () => {
    const kept = t.app.get(KeptStateService);
    expect(await kept.check()).toEqual({ statusCounts: 0, statusDays: 0, statusTimes: 0, evidenceIncidents: 0 });
    // An operator's restore with the triggers off (replica role): a move written by hand, the kept state not told.
    await t.sql(`SET session_replication_role = replica;
      UPDATE countermeasures SET status = 'IN_PROGRESS', version = version + 1 WHERE id = '${ids[5]}';
      INSERT INTO countermeasure_transitions (countermeasure_id, from_status, to_status, cause, reason, actor_label, at)
        VALUES ('${ids[5]}', 'IN_PROGRESS', 'IMPLEMENTED', 'USER', '復元', 'operator', now());
      UPDATE countermeasures SET status = 'IMPLEMENTED' WHERE id = '${ids[5]}';`);
    const drift = await kept.check();
    expect(drift.statusCounts).toBeGreaterThan(0);
    expect(drift.statusDays).toBeGreaterThan(0);
    expect(drift.statusTimes).toBe(1);
    expect(await kept.repair()).toEqual({ statusCounts: 0, statusDays: 0, statusTimes: 0, evidenceIncidents: 0 });
    await expectKeptToMatchRecount();
    const d = await t.app.get(DashboardService).dashboard({ incidentId });
    expect(d.byStatus.find((x) => x.status === 'IMPLEMENTED')!.count).toBe(1);
  });

  it('a history row moved by hand (an operator correcting a date) moves its day in the flow', async () => {
    await t.sql(
      `UPDATE countermeasure_transitions SET at = at - interval '3 days' WHERE countermeasure_id = $1 AND to_status = 'PLANNED'`,
      [ids[7]],
    );
    const { flow, reflow } = await keptAndRecounted();
    expect(flow).toEqual(reflow);
    expect(flow.some((r) => r['day'] === addDays(today, -3) && r['status'] === 'PLANNED')).toBe(true);
  });
});
