import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Actor, addDays, CASE_TIME_ZONE, todayIn } from '@app/common';
import { CountermeasuresService } from '@app/countermeasures';
import { EvidenceService } from '@app/evidence';
import { makeCountermeasure, makeIncident } from '../support/remediation-factory';
import { countStatements } from '../support/statement-counter';
import { TestApp } from '../support/test-app';

const DASHBOARD = `query($incidentId: ID, $asOf: LocalDate) {
  dashboard(incidentId: $incidentId, asOf: $asOf) {
    totals { total verified open overdue dueSoon blocked atRisk }
    byStatus { status count } byCategory { category status count }
    overdue { key ownerName } dueSoon { key } blocked { key reason } atRisk { key }
    reviewQueue { waiting oldestWaitDays } findings { bySeverity { severity open } auditStatus cleared }
    gate { state blockers { kind } } ownerLoad { ownerName open overdue }
    burnUp { day total implemented verified } latestActivity { action summary }
  }
}`;

/**
 * The dashboard is aggregations in the database: the statements it costs do
 * not grow with the data (no loop over rows, no N+1), today as for a past day.
 */
describe('dashboard cost in SQL statements', () => {
  let t: TestApp;
  let token: string;
  const incidents: Record<number, string> = {};

  beforeAll(async () => {
    t = await TestApp.start();
    const today = todayIn(CASE_TIME_ZONE, new Date());
    const cms = t.app.get(CountermeasuresService);
    const evidence = t.app.get(EvidenceService);
    for (const size of [5, 50]) {
      const ctx = await makeIncident(t, `事案 ${size}`);
      await t.sql('UPDATE incidents SET detected_on = $1 WHERE id = $2', [addDays(today, -3), ctx.incident.id]);
      const members = [await ctx.addMember(), await ctx.addMember(), await ctx.addMember()];
      for (let i = 0; i < size; i++) {
        const owner = members[i % 3]!.user;
        let cm = await makeCountermeasure(t, ctx.incident.id, owner.id, {
          dueDate: addDays(today, (i % 10) - 5),
          category: i % 2 ? 'MONITORING' : 'GOVERNANCE',
        });
        if (i % 2 === 0) {
          cm = await cms.transition(Actor.user(owner), cm.id, cm.version, 'IN_PROGRESS', null);
          const [req] = await cms.requirementsOf([cm.id]);
          await evidence.submitAttestation(Actor.user(owner), {
            requirementId: req!.id,
            title: `証跡 ${i}`,
            statement: '確認済み',
            effectiveOn: today,
          });
        }
        if (i % 5 === 0) await cms.transition(Actor.user(owner), cm.id, (await cms.getById(cm.id)).version, 'BLOCKED', '待ち');
      }
      incidents[size] = ctx.incident.id;
      token ??= await ctx.chief.token();
    }
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await t?.close();
  });

  async function statementsFor(size: number, asOf?: string): Promise<number> {
    await t.gql(DASHBOARD, { incidentId: incidents[size], asOf }, token); // warm-up: first-request work (connections, caches) is not the dashboard's
    const { result: res, statements } = await countStatements(() =>
      t.gql<{ dashboard: { totals: { total: number } } }>(DASHBOARD, { incidentId: incidents[size], asOf }, token),
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.dashboard.totals.total).toBe(asOf ? 0 : size);
    return statements;
  }

  it('costs the same few statements for 5 countermeasures as for 50, today and for a past day', async () => {
    const small = await statementsFor(5);
    const large = await statementsFor(50);
    expect(small).toBeGreaterThanOrEqual(3); // the spy sees the statements, the dashboard's own included (not a vacuous 0 = 0)
    expect(large).toBe(small);
    // Authentication (1), the incident (1), the dashboard (1).
    expect(large).toBeLessThanOrEqual(4);
    const yesterday = addDays(todayIn(CASE_TIME_ZONE, new Date()), -1);
    expect(await statementsFor(50, yesterday)).toBe(await statementsFor(5, yesterday));
  });
});
