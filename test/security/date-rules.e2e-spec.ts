import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest';
import { addDays, CASE_TIME_ZONE, SystemClock, todayIn } from '@app/common';
import { DateRuleSweepsService, PromotionGateService } from '@app/promotion-gate';
import { makeCountermeasure, makeIncident } from '../support/remediation-factory';
import { errorCode, TestApp, type GqlResponse } from '../support/test-app';
import { ATTEST, CLEAR, ENGAGE, MOVE, MOVE_AUDIT, RAISE, REVIEW, SIGN } from '../support/workflow-documents';

const CAN = `query($gate: String!) { canPromote(gate: $gate) { key state canPromote since } }`;
const GATE = `query($key: String!) { gate(key: $key) { state canPromote version openedByLabel blockers { kind itemKey message } history { fromState toState cause actorLabel at } } }`;
const GATES = `query($id: ID) { gates(incidentId: $id) { key state canPromote } }`;
const DASHBOARD = `query($id: ID) { dashboard(incidentId: $id) { gate { key state canPromote blockers { kind itemKey } } } }`;
const CREATE = `mutation($input: CreateGateInput!) { createGate(input: $input) { state version } }`;
const AUTHORIZE = `mutation($input: GateDecisionInput!) { authorizeGateReopening(input: $input) { state canPromote version } }`;
const HOLD = `mutation($input: GateDecisionInput!) { suspendGate(input: $input) { state version blockers { kind message } } }`;
const ACCEPT_RISK = `mutation($input: AcceptFindingRiskInput!) { acceptFindingRisk(input: $input) { id expiresOn } }`;
const ACCEPT_REQUIREMENT_RISK = `mutation($input: AcceptRequirementRiskInput!) { acceptRequirementRisk(input: $input) { id expiresOn } }`;

const KEY = 'new-customer-promotion';
const HOUR = 3_600_000;

const ok = <T>(res: GqlResponse<T>): T => {
  expect(res.errors).toBeUndefined();
  return res.data!;
};

/** The instant a rule that holds through `lastDay` (Asia/Tokyo) lapses: midnight at the start of the next day in Japan. */
const lapseAfter = (lastDay: string) => Date.parse(`${addDays(lastDay, 1)}T00:00:00.000+09:00`);

/**
 * Time is the app's injected Clock (every SystemClock reads the test's time),
 * so "the server was down over the expiry" is: close the app, move the clock,
 * start it again on the same database.
 */
class World {
  t!: TestApp;
  clockAt = Date.now();
  ctx!: Awaited<ReturnType<typeof makeIncident>>;
  chiefToken = '';
  private clock: MockInstance | null = null;

  async start(): Promise<void> {
    this.clock = vi.spyOn(SystemClock.prototype, 'now').mockImplementation(() => new Date(this.clockAt));
    this.t = await TestApp.start();
    this.ctx = await makeIncident(this.t);
    this.chiefToken = await this.ctx.chief.token();
  }

  /** Server down; the clock moves to `at`; the server starts again on the same database. */
  async restartAt(at: number): Promise<void> {
    await this.t.close();
    this.clockAt = at;
    this.t = await TestApp.start({}, { restartOf: this.t });
    this.chiefToken = await this.t.login(this.ctx.chief.user.email, this.ctx.chief.password);
  }

  async stop(): Promise<void> {
    await this.t?.close();
    this.clock?.mockRestore();
  }

  gql<T = Record<string, unknown>>(query: string, variables: Record<string, unknown>, token = this.chiefToken) {
    return this.t.gql<T>(query, variables, token);
  }

  async canPromote() {
    return ok(await this.gql<{ canPromote: { key: string; state: string; canPromote: boolean; since: string } }>(CAN, { gate: KEY }))
      .canPromote;
  }

  async gate() {
    return ok(
      await this.gql<{
        gate: {
          state: string;
          canPromote: boolean;
          version: number;
          openedByLabel: string | null;
          blockers: { kind: string; itemKey: string | null; message: string }[];
          history: { fromState: string | null; toState: string; cause: string; actorLabel: string; at: string }[];
        };
      }>(GATE, { key: KEY }),
    ).gate;
  }

  /** The gate as read now: SUSPENDED by the rules (not by hand), `blocker` among its blockers. */
  async expectSuspendedByRulesFor(blocker: [kind: string, itemKey: string]): Promise<void> {
    const g = await this.gate();
    expect(g.blockers.map((b) => [b.kind, b.itemKey])).toContainEqual(blocker);
    expect(g.history.at(-1)).toMatchObject({ fromState: 'OPEN', toState: 'SUSPENDED', cause: 'RULES_BROKEN' });
  }

  async route() {
    const res = await fetch(`${this.t.baseUrl}/gates/${KEY}`, { headers: { authorization: `Bearer ${this.chiefToken}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as {
      state: string;
      canPromote: boolean;
      blockers: { kind: string; itemKey: string | null; message: string }[];
    };
  }

  async storedGate() {
    return (
      await this.t.sql<{ state: string; reevaluate_at: Date | null }>('SELECT state, reevaluate_at FROM promotion_gates WHERE key = $1', [
        KEY,
      ])
    )[0]!;
  }

  /**
   * A gate brought to OPEN by the rules and the chief's authorization, relying
   * on one rule with a date: a HIGH finding whose risk is accepted through
   * `today + 3` ('risk-acceptance'), a required ongoing measure whose
   * monthly evidence is fresh through `today + 25` ('freshness'), or a
   * required measure signed off with one requirement covered by a risk
   * acceptance through `today + 10` ('requirement-acceptance'). Returns the
   * last day the rule holds.
   */
  async openGateRelyingOn(rule: 'risk-acceptance' | 'freshness' | 'requirement-acceptance'): Promise<{ lastDay: string; cmId: string }> {
    const today = todayIn(CASE_TIME_ZONE, new Date(this.clockAt));
    const owner = await this.ctx.addMember(['TASK_FORCE'], 'システム運用担当');
    const ownerToken = await owner.token();
    const lead = await this.t.createUser(['AUDITOR'], { displayName: '監査 主任' });
    const leadToken = await lead.token();
    const cm = await makeCountermeasure(this.t, this.ctx.incident.id, owner.user.id, {
      title: rule === 'freshness' ? '顧客DBアクセスの常時監視' : 'アクセス権限の絞り込み',
      requiredForGate: true,
      ...(rule === 'freshness'
        ? { category: 'MONITORING' as const, ongoing: true, requirements: [{ title: '月次監視レポート', recurrenceDays: 30 }] }
        : rule === 'requirement-acceptance'
          ? { requirements: [{ title: '権限棚卸し結果' }, { title: '委託先の監査報告書' }] }
          : { requirements: [{ title: '権限棚卸し結果' }] }),
    });
    ok(
      await this.gql(CREATE, {
        input: { incidentId: this.ctx.incident.id, key: KEY, name: '新規顧客向け販売促進', reason: '外部監査で安全性が確認されるまで停止' },
      }),
    );

    // The work, its evidence, the auditor's sign-off.
    ok(await this.gql(MOVE, { input: { id: cm.id, expectedVersion: 1, to: 'IN_PROGRESS' } }, ownerToken));
    const [req, second] = await this.t.sql<{ id: string }>(
      'SELECT id FROM countermeasure_requirements WHERE countermeasure_id = $1 ORDER BY title DESC',
      [cm.id],
    );
    const effectiveOn = rule === 'freshness' ? addDays(today, -5) : today;
    const e = ok(
      await this.gql<{ submitEvidenceAttestation: { id: string; sha256: string } }>(
        ATTEST,
        { input: { requirementId: req!.id, title: `報告 ${effectiveOn}`, statement: '確認済み', effectiveOn } },
        ownerToken,
      ),
    ).submitEvidenceAttestation;
    let lastDay = addDays(today, -5 + 30);
    if (rule === 'requirement-acceptance') {
      // The second requirement has no evidence: an executive accepts that risk through today + 10.
      lastDay = addDays(today, 10);
      ok(
        await this.gql(ACCEPT_REQUIREMENT_RISK, {
          input: {
            requirementId: second!.id,
            justification: '委託先の監査は来期に実施',
            compensatingControls: '委託先アカウントを週次で確認',
            expiresOn: lastDay,
          },
        }),
      );
    }
    ok(await this.gql(MOVE, { input: { id: cm.id, expectedVersion: 2, to: 'IMPLEMENTED' } }, ownerToken));
    ok(await this.gql(REVIEW, { input: { evidenceId: e.id, sha256: e.sha256, expectedVersion: 1, decision: 'ACCEPTED' } }, leadToken));
    ok(await this.gql(SIGN, { input: { countermeasureId: cm.id, expectedVersion: 3 } }, leadToken));
    if (rule === 'freshness') {
      const started = ok(
        await this.gql<{ moveCountermeasure: { status: string } }>(
          MOVE,
          { input: { id: cm.id, expectedVersion: 4, to: 'OPERATING' } },
          ownerToken,
        ),
      );
      expect(started.moveCountermeasure.status).toBe('OPERATING'); // its evidence is 5 days old: fresh
    }

    // The external audit, with (for the first rule) a HIGH finding whose risk an executive accepts for three days.
    const engagement = ok(
      await this.gql<{ createAuditEngagement: { id: string; version: number } }>(ENGAGE, {
        input: {
          incidentId: this.ctx.incident.id,
          title: 'システム運営プロセス監査',
          firm: '情報セキュリティ専門会社',
          leadAuditorId: lead.user.id,
          countermeasureIds: [cm.id],
        },
      }),
    ).createAuditEngagement;
    let version = engagement.version;
    for (const to of ['FIELDWORK', 'REPORTING']) {
      version = ok(
        await this.gql<{ moveAuditEngagement: { version: number } }>(
          MOVE_AUDIT,
          { input: { id: engagement.id, expectedVersion: version, to } },
          leadToken,
        ),
      ).moveAuditEngagement.version;
    }
    if (rule === 'risk-acceptance') {
      lastDay = addDays(today, 3);
      const finding = ok(
        await this.gql<{ raiseAuditFinding: { id: string; version: number } }>(
          RAISE,
          { input: { engagementId: engagement.id, severity: 'HIGH', title: '委託先アカウントが残存', countermeasureId: cm.id } },
          leadToken,
        ),
      ).raiseAuditFinding;
      ok(
        await this.gql(ACCEPT_RISK, {
          input: {
            findingId: finding.id,
            expectedVersion: finding.version,
            justification: '委託先の解約手続き中',
            compensatingControls: '委託先アカウントを日次で監視',
            expiresOn: lastDay,
          },
        }),
      );
    }
    ok(
      await this.gql(
        CLEAR,
        { input: { engagementId: engagement.id, expectedVersion: version, statement: '全対象の運用を確認し、安全性を確認した' } },
        leadToken,
      ),
    );
    const eligible = await this.gate();
    expect(eligible.state).toBe('ELIGIBLE');
    ok(await this.gql(AUTHORIZE, { input: { key: KEY, expectedVersion: eligible.version, statement: '監査完了を確認し再開を承認する' } }));
    expect(await this.canPromote()).toMatchObject({ state: 'OPEN', canPromote: true });
    // The gate keeps when its rule lapses: midnight in Japan after the last day.
    expect((await this.storedGate()).reevaluate_at?.getTime()).toBe(lapseAfter(lastDay));
    return { lastDay, cmId: cm.id };
  }
}

/** A World for the enclosing describe: started before its tests, stopped after them. */
function worldOfThisSuite(): World {
  const w = new World();
  beforeAll(async () => {
    await w.start();
  });
  afterAll(async () => w.stop());
  return w;
}

/**
 * Stands in for "no sweep ran and none can": the start-up catch-up did
 * nothing and a read's catch-up fails. What is left is the read itself.
 */
function noSweepCanRun(): () => void {
  const runAll = vi.spyOn(DateRuleSweepsService.prototype, 'runAll').mockImplementation(async () => ({
    riskAcceptances: { expired: 0, reopenedFindings: [], withdrawnClearances: [] },
    freshness: { checked: 0, moved: [], failed: [] },
    gates: { checked: [], changed: [], failed: [] },
  }));
  const catchUp = vi.spyOn(PromotionGateService.prototype, 'catchUpIncident').mockRejectedValue(new Error('no sweep may run in this test'));
  return () => {
    runAll.mockRestore();
    catchUp.mockRestore();
  };
}

describe('a risk acceptance the OPEN gate relies on expires while the server is down', () => {
  const w = worldOfThisSuite();
  let lastDay: string;

  it('the gate opens relying on a HIGH finding whose risk is accepted for three days', async () => {
    ({ lastDay } = await w.openGateRelyingOn('risk-acceptance'));
  });

  it('restarted after the last day, with no sweep able to run, the first canPromote is false, and every read agrees', async () => {
    const restore = noSweepCanRun();
    try {
      await w.restartAt(lapseAfter(lastDay) + HOUR);
      // The first request of the new server.
      expect(await w.canPromote()).toMatchObject({
        key: KEY,
        state: 'SUSPENDED',
        canPromote: false,
        since: new Date(lapseAfter(lastDay)).toISOString(),
      });
      const route = await w.route();
      expect(route).toMatchObject({ state: 'SUSPENDED', canPromote: false });
      expect(route.blockers.map((b) => [b.kind, b.itemKey])).toEqual([['OPEN_FINDING', 'F-001']]);
      expect(route.blockers[0]!.message).toContain(`held through ${lastDay}`);
      const g = await w.gate();
      expect(g).toMatchObject({ state: 'SUSPENDED', canPromote: false, openedByLabel: null });
      expect(
        ok(await w.gql<{ gates: { key: string; state: string; canPromote: boolean }[] }>(GATES, { id: w.ctx.incident.id })).gates,
      ).toEqual([{ key: KEY, state: 'SUSPENDED', canPromote: false }]);
      const dash = ok(
        await w.gql<{ dashboard: { gate: { state: string; canPromote: boolean; blockers: { kind: string; itemKey: string | null }[] } } }>(
          DASHBOARD,
          { id: w.ctx.incident.id },
        ),
      ).dashboard;
      expect(dash.gate).toMatchObject({ state: 'SUSPENDED', canPromote: false, blockers: [{ kind: 'OPEN_FINDING', itemKey: 'F-001' }] });
      // Nothing was written: the read itself applied the date.
      expect((await w.storedGate()).state).toBe('OPEN');
      expect(await w.t.sql(`SELECT 1 FROM audit_risk_acceptances WHERE ended_at IS NULL`)).toHaveLength(1);
    } finally {
      restore();
    }
  });

  it('restarted with its start-up catch-up, the expiry is written down before the first request: acceptance EXPIRED, clearance withdrawn, gate SUSPENDED', async () => {
    await w.restartAt(lapseAfter(lastDay) + 2 * HOUR);
    // Before any request: the start-up caught up.
    expect((await w.storedGate()).state).toBe('SUSPENDED');
    expect(await w.t.sql(`SELECT end_kind FROM audit_risk_acceptances`)).toEqual([{ end_kind: 'EXPIRED' }]);
    expect(await w.t.sql(`SELECT 1 FROM audit_clearances WHERE withdrawn_at IS NULL`)).toHaveLength(0);
    expect(await w.canPromote()).toMatchObject({ state: 'SUSPENDED', canPromote: false });
    const g = await w.gate();
    expect(g.blockers.map((b) => [b.kind, b.itemKey])).toEqual([
      ['NO_AUDIT_CLEARANCE', null],
      ['OPEN_FINDING', 'F-001'],
    ]);
    expect(g.history.at(-1)).toMatchObject({
      fromState: 'OPEN',
      toState: 'SUSPENDED',
      cause: 'RULES_BROKEN',
      actorLabel: 'system:risk-acceptance-expiry',
    });
    expect((await w.storedGate()).reevaluate_at).toBeNull();
  });
});

describe('the recurring evidence of a required ongoing measure goes stale while the server is down', () => {
  const w = worldOfThisSuite();
  let lastDay: string;
  let cmId: string;

  it('the gate opens relying on an OPERATING measure whose monthly report is fresh for 25 more days', async () => {
    ({ lastDay, cmId } = await w.openGateRelyingOn('freshness'));
  });

  it('restarted after the freshness ran out, with no sweep able to run, canPromote is false and says which evidence is stale', async () => {
    const restore = noSweepCanRun();
    try {
      await w.restartAt(lapseAfter(lastDay) + HOUR);
      expect(await w.canPromote()).toMatchObject({ state: 'SUSPENDED', canPromote: false });
      const route = await w.route();
      expect(route.canPromote).toBe(false);
      expect(route.blockers.map((b) => [b.kind, b.itemKey])).toEqual([['COUNTERMEASURE_NOT_VERIFIED', 'CM-001']]);
      expect(route.blockers[0]!.message).toContain(`fresh through ${lastDay}`);
      expect(await w.t.sql('SELECT status FROM countermeasures WHERE id = $1', [cmId])).toEqual([{ status: 'OPERATING' }]); // no sweep ran
    } finally {
      restore();
    }
  });

  it('the start-up catch-up moves the measure to DEGRADED and the gate to SUSPENDED before the first request', async () => {
    await w.restartAt(lapseAfter(lastDay) + 2 * HOUR);
    expect(await w.t.sql('SELECT status FROM countermeasures WHERE id = $1', [cmId])).toEqual([{ status: 'DEGRADED' }]);
    expect((await w.storedGate()).state).toBe('SUSPENDED');
    await w.expectSuspendedByRulesFor(['COUNTERMEASURE_NOT_VERIFIED', 'CM-001']);
  });
});

describe('the server keeps running past the expiry and no job runs', () => {
  const w = worldOfThisSuite();
  let lastDay: string;

  it('canPromote is true through the last day in Japan and false from the first instant after it; the read writes the expiry down', async () => {
    ({ lastDay } = await w.openGateRelyingOn('risk-acceptance'));
    w.clockAt = lapseAfter(lastDay) - 1000; // 23:59:59 JST on the last day
    expect(await w.canPromote()).toMatchObject({ state: 'OPEN', canPromote: true });

    w.clockAt = lapseAfter(lastDay); // 00:00:00 JST the day after: no job has run
    expect(await w.canPromote()).toMatchObject({ state: 'SUSPENDED', canPromote: false });
    // The read caught the incident up in its own transaction: the expiry, the clearance, the gate.
    expect((await w.storedGate()).state).toBe('SUSPENDED');
    expect(await w.t.sql(`SELECT end_kind FROM audit_risk_acceptances`)).toEqual([{ end_kind: 'EXPIRED' }]);
    const g = await w.gate();
    expect(g.history.at(-1)).toMatchObject({ fromState: 'OPEN', toState: 'SUSPENDED', cause: 'RULES_BROKEN' });
    // The authorization was spent: reopening needs the rules met again and a new one.
    const refused = await w.gql(AUTHORIZE, { input: { key: KEY, expectedVersion: g.version, statement: '再開する' } });
    expect([errorCode(refused), refused.errors?.[0]?.extensions?.reason]).toEqual(['CONFLICT', 'NOT_ELIGIBLE']);
  });
});

describe('one clock, Japanese dates', () => {
  const w = worldOfThisSuite();

  it('a hold at 08:30 JST (23:30 UTC the day before) says that day; the gate and the audit stamp their change with the app clock', async () => {
    w.clockAt = Date.parse('2026-10-01T23:30:00.000Z');
    const created = ok(
      await w.gql<{ createGate: { version: number } }>(CREATE, {
        input: { incidentId: w.ctx.incident.id, key: KEY, name: '新規顧客向け販売促進', reason: '停止' },
      }),
    ).createGate;
    const held = ok(
      await w.gql<{ suspendGate: { blockers: { kind: string; message: string }[] } }>(HOLD, {
        input: { key: KEY, expectedVersion: created.version, statement: '報道対応中' },
      }),
    ).suspendGate;
    expect(held.blockers[0]!.kind).toBe('MANUAL_HOLD');
    expect(held.blockers[0]!.message).toContain('on 2026-10-02: 報道対応中');
    // canPromote's `since` is the row's updated_at: the app's clock, the same instant as the history.
    const check = await w.canPromote();
    expect(check.since).toBe('2026-10-01T23:30:00.000Z');
    expect((await w.gate()).history.at(-1)).toMatchObject({ cause: 'CREATED', at: check.since });

    // An audit engagement's versioned change too.
    const lead = await w.t.createUser(['AUDITOR']);
    const e = ok(
      await w.gql<{ createAuditEngagement: { id: string; version: number } }>(ENGAGE, {
        input: { incidentId: w.ctx.incident.id, title: '監査', firm: '監査法人', leadAuditorId: lead.user.id },
      }),
    ).createAuditEngagement;
    w.clockAt = Date.parse('2026-10-01T23:45:00.000Z');
    ok(await w.gql(MOVE_AUDIT, { input: { id: e.id, expectedVersion: e.version, to: 'FIELDWORK' } }, await lead.token()));
    const [row] = await w.t.sql<{ updated_at: Date }>('SELECT updated_at FROM audit_engagements WHERE id = $1', [e.id]);
    expect(row!.updated_at.toISOString()).toBe('2026-10-01T23:45:00.000Z');

    // Every versioned change takes the app clock (updateIfVersion requires it): a user's roles too.
    const admin = await w.t.createUser(['ADMIN']);
    const member = await w.t.createUser(['TASK_FORCE']);
    w.clockAt = Date.parse('2026-10-02T00:15:00.000Z');
    ok(
      await w.gql(
        `mutation($input: UpdateUserRolesInput!) { updateUserRoles(input: $input) { id } }`,
        { input: { id: member.user.id, roles: ['TASK_FORCE', 'EXECUTIVE'], expectedVersion: member.user.version } },
        await admin.token(),
      ),
    );
    const [user] = await w.t.sql<{ updated_at: Date }>('SELECT updated_at FROM users WHERE id = $1', [member.user.id]);
    expect(user!.updated_at.toISOString()).toBe('2026-10-02T00:15:00.000Z');
  });
});

describe('a requirement’s risk acceptance that verified work rests on expires, and no job runs', () => {
  const w = worldOfThisSuite();
  let lastDay: string;
  let cmId: string;

  it('canPromote is false from the day after its last day; the read reopens the work it covered', async () => {
    ({ lastDay, cmId } = await w.openGateRelyingOn('requirement-acceptance'));
    w.clockAt = lapseAfter(lastDay) - 1000;
    expect(await w.canPromote()).toMatchObject({ state: 'OPEN', canPromote: true });

    w.clockAt = lapseAfter(lastDay) + 1000;
    expect(await w.canPromote()).toMatchObject({ state: 'SUSPENDED', canPromote: false });
    expect(await w.t.sql('SELECT status FROM countermeasures WHERE id = $1', [cmId])).toEqual([{ status: 'REOPENED' }]);
    await w.expectSuspendedByRulesFor(['COUNTERMEASURE_NOT_VERIFIED', 'CM-001']);
  });
});
