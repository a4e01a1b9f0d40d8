import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Actor, CASE_TIME_ZONE, todayIn } from '@app/common';
import { UsersService, type Role } from '@app/identity';
import { makeCountermeasure, makeIncident } from '../support/remediation-factory';
import { errorCode, type GqlResponse, reasonOf, TestApp } from '../support/test-app';
import { ATTEST, CLEAR, ENGAGE, MOVE, MOVE_AUDIT, RAISE, REVIEW, SIGN } from '../support/workflow-documents';

const GATE_FIELDS = `id key state canPromote version openedByLabel holdReason blockers { kind itemKey itemTitle ownerName message } history { fromState toState cause reason actorLabel blockers { kind itemKey } }`;
const GATE = `query($key: String!) { gate(key: $key) { ${GATE_FIELDS} } }`;
const CAN = `query($gate: String!) { canPromote(gate: $gate) { key state canPromote } }`;
const CREATE = `mutation($input: CreateGateInput!) { createGate(input: $input) { ${GATE_FIELDS} } }`;
const AUTHORIZE = `mutation($input: GateDecisionInput!) { authorizeGateReopening(input: $input) { ${GATE_FIELDS} } }`;
const HOLD = `mutation($input: GateDecisionInput!) { suspendGate(input: $input) { ${GATE_FIELDS} } }`;
const RELEASE = `mutation($input: GateDecisionInput!) { releaseGateHold(input: $input) { ${GATE_FIELDS} } }`;
const ENGAGEMENT = `query($id: ID!) { auditEngagement(id: $id) { version status } }`;
const RESOLVE = `mutation($input: ResolveAuditFindingInput!) { resolveAuditFinding(input: $input) { id version } }`;

type Gate = {
  id: string;
  key: string;
  state: string;
  canPromote: boolean;
  version: number;
  openedByLabel: string | null;
  holdReason: string | null;
  blockers: { kind: string; itemKey: string | null; itemTitle: string | null; ownerName: string | null; message: string }[];
  history: {
    fromState: string | null;
    toState: string;
    cause: string;
    reason: string;
    actorLabel: string;
    blockers: { kind: string; itemKey: string | null }[];
  }[];
};
const ok = <T>(res: GqlResponse<T>): T => {
  expect(res.errors).toBeUndefined();
  return res.data!;
};

/**
 * The gate of CASE.md 7: new-customer promotion stays suspended until the
 * audit clears; it opens only by the rules and an executive's authorization,
 * and closes by itself in the transaction of any change that breaks a rule.
 */
describe('the sales-promotion gate', () => {
  let t: TestApp;
  let ctx: Awaited<ReturnType<typeof makeIncident>>;
  let chiefToken: string;
  let ownerToken: string;
  let leadToken: string;
  let leadId: string;
  /** The lead auditor's access token now: a change of roles ends their sessions, so they sign in again. */
  let leadSignIn: () => Promise<string>;
  let cmId: string;
  let engagementId: string;
  let evidence: { id: string; sha256: string };
  let secondToken: string;
  const key = 'new-customer-promotion';
  const today = todayIn(CASE_TIME_ZONE, new Date());

  const gate = async (k = key, token = chiefToken) => ok(await t.gql<{ gate: Gate }>(GATE, { key: k }, token)).gate;
  const engagementVersion = async () =>
    ok(await t.gql<{ auditEngagement: { version: number; status: string } }>(ENGAGEMENT, { id: engagementId }, leadToken)).auditEngagement;
  const clear = async () => {
    const e = await engagementVersion();
    return t.gql(
      CLEAR,
      { input: { engagementId, expectedVersion: e.version, statement: '全対象の運用を確認し、安全性を確認した' } },
      leadToken,
    );
  };

  beforeAll(async () => {
    t = await TestApp.start();
    ctx = await makeIncident(t);
    chiefToken = await ctx.chief.token();
    const owner = await ctx.addMember(['TASK_FORCE'], 'システム運用担当');
    ownerToken = await owner.token();
    // The lead auditor (AUDITOR holds no other role; later in the story they join the executives).
    const lead = await t.createUser(['AUDITOR'], { displayName: '監査 主任' });
    leadId = lead.user.id;
    leadSignIn = lead.token;
    leadToken = await lead.token();
    const cm = await makeCountermeasure(t, ctx.incident.id, owner.user.id, {
      title: 'アクセス権限の絞り込み',
      requiredForGate: true,
      requirements: [{ title: '権限棚卸し結果' }],
    });
    cmId = cm.id;
  });
  afterAll(async () => t?.close());

  it('is created SUSPENDED with a reason, and says why in sentences a person can act on', async () => {
    const created = ok(
      await t.gql<{ createGate: Gate }>(
        CREATE,
        {
          input: {
            incidentId: ctx.incident.id,
            key,
            name: '新規顧客向け販売促進',
            description: 'DM・電話・Webの新規顧客向けキャンペーン',
            reason: '外部監査で安全性が確認されるまで停止（お詫び状 7）',
          },
        },
        chiefToken,
      ),
    ).createGate;
    expect(created.state).toBe('SUSPENDED');
    expect(created.canPromote).toBe(false);
    expect(created.history[0]).toMatchObject({ fromState: null, toState: 'SUSPENDED', cause: 'CREATED' });
    expect(created.blockers.map((b) => [b.kind, b.itemKey])).toEqual([
      ['COUNTERMEASURE_NOT_VERIFIED', 'CM-001'],
      ['NO_AUDIT_CLEARANCE', null],
    ]);
    // The creation is recorded with the blockers it started with ("the blockers then").
    expect(created.history[0]!.blockers).toEqual(created.blockers.map((b) => ({ kind: b.kind, itemKey: b.itemKey })));
    expect(created.blockers[0]!.message).toContain('CM-001 アクセス権限の絞り込み is PLANNED');
    expect(created.blockers[0]!.ownerName).toBeTruthy();
    expect(errorCode(await t.gql(CREATE, { input: { incidentId: ctx.incident.id, key, name: 'x', reason: 'y' } }, chiefToken))).toBe(
      'CONFLICT',
    );
    expect(
      errorCode(await t.gql(CREATE, { input: { incidentId: ctx.incident.id, key: 'other', name: 'x', reason: 'y' } }, ownerToken)),
    ).toBe('FORBIDDEN');
    expect(ok(await t.gql<{ canPromote: { canPromote: boolean; state: string } }>(CAN, { gate: key }, ownerToken)).canPromote).toEqual({
      key,
      state: 'SUSPENDED',
      canPromote: false,
    });
  });

  it('follows the work: IMPLEMENTED waits for sign-off; authorizing while suspended is refused with the blockers', async () => {
    ok(await t.gql(MOVE, { input: { id: cmId, expectedVersion: 1, to: 'IN_PROGRESS' } }, ownerToken));
    const req = (await t.sql<{ id: string }>('SELECT id FROM countermeasure_requirements WHERE countermeasure_id = $1', [cmId]))[0]!;
    const e = ok(
      await t.gql<{ submitEvidenceAttestation: { id: string; sha256: string } }>(
        ATTEST,
        { input: { requirementId: req.id, title: '棚卸し', statement: '完了', effectiveOn: today } },
        ownerToken,
      ),
    ).submitEvidenceAttestation;
    evidence = e;
    ok(await t.gql(MOVE, { input: { id: cmId, expectedVersion: 2, to: 'IMPLEMENTED' } }, ownerToken));
    const g = await gate();
    expect(g.blockers[0]!.message).toContain('is IMPLEMENTED, waiting for auditor sign-off');
    const refused = await t.gql(AUTHORIZE, { input: { key, expectedVersion: g.version, statement: '再開する' } }, chiefToken);
    expect([errorCode(refused), reasonOf(refused)]).toEqual(['CONFLICT', 'NOT_ELIGIBLE']);
    expect((refused.errors![0]!.extensions!.blockers as unknown[]).length).toBe(2);
    expect((await gate()).version).toBe(g.version);

    ok(await t.gql(REVIEW, { input: { evidenceId: e.id, sha256: e.sha256, expectedVersion: 1, decision: 'ACCEPTED' } }, leadToken));
    ok(await t.gql(SIGN, { input: { countermeasureId: cmId, expectedVersion: 3 } }, leadToken));
    expect((await gate()).blockers.map((b) => b.kind)).toEqual(['NO_AUDIT_CLEARANCE']);
  });

  it('becomes ELIGIBLE by itself when the audit clears, and OPEN only by the chief’s authorization', async () => {
    const engagement = ok(
      await t.gql<{ createAuditEngagement: { id: string } }>(
        ENGAGE,
        {
          input: {
            incidentId: ctx.incident.id,
            title: 'システム運営プロセス監査',
            firm: '情報セキュリティ専門会社',
            leadAuditorId: leadId,
            countermeasureIds: [cmId],
          },
        },
        chiefToken,
      ),
    ).createAuditEngagement;
    engagementId = engagement.id;
    for (const to of ['FIELDWORK', 'REPORTING']) {
      const v = await engagementVersion();
      ok(await t.gql(MOVE_AUDIT, { input: { id: engagementId, expectedVersion: v.version, to } }, leadToken));
    }
    expect((await gate()).blockers[0]!.message).toContain('The external audit is REPORTING');
    ok(await clear());
    const eligible = await gate();
    expect(eligible.state).toBe('ELIGIBLE');
    expect(eligible.blockers).toEqual([]);
    expect(eligible.history.at(-1)).toMatchObject({ fromState: 'SUSPENDED', toState: 'ELIGIBLE', cause: 'RULES_MET' });
    expect(eligible.history.at(-1)!.reason).toContain('cleared');

    // Who may not authorize: a task-force member (role), an executive other than the chief, the clearing auditor.
    const otherExec = await (await t.createUser(['EXECUTIVE'])).token();
    const input = { key, expectedVersion: eligible.version, statement: '監査完了を確認し再開を承認する' };
    expect(errorCode(await t.gql(AUTHORIZE, { input }, ownerToken))).toBe('FORBIDDEN');
    expect(reasonOf(await t.gql(AUTHORIZE, { input }, otherExec))).toBe('NOT_PERMITTED');
    // The clearing auditor moves to the executives (AUDITOR is never held with EXECUTIVE): still not the one to authorize (two different people).
    const setLeadRoles = async (roles: Role[]) => {
      const users = t.app.get(UsersService);
      await users.updateRoles(Actor.system('test'), leadId, roles, (await users.getById(leadId)).version);
      leadToken = await leadSignIn(); // the change of roles ended the lead's sessions
    };
    await setLeadRoles(['EXECUTIVE']);
    const named = ok(
      await t.gql<{ createGate: Gate }>(
        CREATE,
        { input: { incidentId: ctx.incident.id, key: 'existing-web', name: 'Web', reason: '停止', authorizerIds: [leadId] } },
        chiefToken,
      ),
    ).createGate;
    expect(named.state).toBe('ELIGIBLE');
    const clearing = await t.gql(
      AUTHORIZE,
      { input: { key: 'existing-web', expectedVersion: named.version, statement: '再開' } },
      leadToken,
    );
    expect([errorCode(clearing), reasonOf(clearing)]).toEqual(['FORBIDDEN', 'CLEARING_AUDITOR']);
    await setLeadRoles(['AUDITOR']);
    expect(errorCode(await t.gql(AUTHORIZE, { input: { ...input, expectedVersion: eligible.version - 1 } }, chiefToken))).toBe('CONFLICT');

    const opened = ok(await t.gql<{ authorizeGateReopening: Gate }>(AUTHORIZE, { input }, chiefToken)).authorizeGateReopening;
    expect(opened).toMatchObject({ state: 'OPEN', canPromote: true });
    expect(opened.history.at(-1)).toMatchObject({
      fromState: 'ELIGIBLE',
      toState: 'OPEN',
      cause: 'AUTHORIZED',
      reason: '監査完了を確認し再開を承認する',
    });
    const twice = await t.gql(AUTHORIZE, { input: { ...input, expectedVersion: opened.version } }, chiefToken);
    expect([errorCode(twice), reasonOf(twice)]).toEqual(['CONFLICT', 'ALREADY_OPEN']);
    expect(ok(await t.gql<{ canPromote: { canPromote: boolean } }>(CAN, { gate: key }, ownerToken)).canPromote.canPromote).toBe(true);
  });

  it('closes by itself, in the same transaction, when a HIGH finding is raised; reopening needs a new clearance and a new authorization', async () => {
    const finding = ok(
      await t.gql<{ raiseAuditFinding: { id: string; version: number } }>(
        RAISE,
        { input: { engagementId, severity: 'HIGH', title: '委託先アカウントが残存', countermeasureId: cmId } },
        leadToken,
      ),
    ).raiseAuditFinding;
    const closed = await gate();
    expect(closed.state).toBe('SUSPENDED');
    expect(closed.blockers.map((b) => b.kind)).toEqual(['NO_AUDIT_CLEARANCE', 'OPEN_FINDING']);
    expect(closed.history.at(-1)).toMatchObject({ fromState: 'OPEN', toState: 'SUSPENDED', cause: 'RULES_BROKEN' });
    expect(closed.history.at(-1)!.reason).toMatch(/F-001|finding/);
    expect(closed.openedByLabel).toBeNull();
    // Trail: the gate's change is attributed to the auditor whose finding closed it.
    const [entry] = await t.sql<{ actor_label: string; after: { state: string } }>(
      `SELECT actor_label, after FROM audit_trail WHERE action = 'gate.state_changed' ORDER BY seq DESC LIMIT 1`,
    );
    expect(entry!.after.state).toBe('SUSPENDED');

    ok(await t.gql(RESOLVE, { input: { id: finding.id, expectedVersion: finding.version, note: '残存アカウントを削除した' } }, leadToken));
    expect((await gate()).state).toBe('SUSPENDED'); // the clearance was withdrawn: the auditor must clear again
    ok(await clear());
    expect((await gate()).state).toBe('ELIGIBLE'); // not OPEN: the authorization was spent when it closed
  });

  it('an executive suspends it by hand at any time; releasing the hold gives ELIGIBLE, never OPEN', async () => {
    const g = await gate();
    const held = ok(
      await t.gql<{ suspendGate: Gate }>(
        HOLD,
        { input: { key, expectedVersion: g.version, statement: '報道対応中のため一時停止' } },
        chiefToken,
      ),
    ).suspendGate;
    expect(held.state).toBe('SUSPENDED');
    expect(held.blockers.map((b) => b.kind)).toEqual(['MANUAL_HOLD']);
    expect(held.history.at(-1)).toMatchObject({ toState: 'SUSPENDED', cause: 'HELD_BY_HAND' });
    expect(reasonOf(await t.gql(HOLD, { input: { key, expectedVersion: held.version, statement: '再度' } }, chiefToken))).toBe(
      'HOLD_STATE',
    );
    expect(errorCode(await t.gql(HOLD, { input: { key, expectedVersion: held.version, statement: 'x' } }, ownerToken))).toBe('FORBIDDEN');
    const refused = await t.gql(AUTHORIZE, { input: { key, expectedVersion: held.version, statement: '再開' } }, chiefToken);
    expect(reasonOf(refused)).toBe('NOT_ELIGIBLE');
    const released = ok(
      await t.gql<{ releaseGateHold: Gate }>(
        RELEASE,
        { input: { key, expectedVersion: held.version, statement: '報道対応が終了' } },
        chiefToken,
      ),
    ).releaseGateHold;
    expect(released.state).toBe('ELIGIBLE');
    expect(released.history.at(-1)).toMatchObject({ fromState: 'SUSPENDED', toState: 'ELIGIBLE', cause: 'HOLD_RELEASED' });
  });

  it('races: two authorizations and a HIGH finding at the same moment never leave the gate OPEN while a rule is broken', async () => {
    const second = await t.createUser(['EXECUTIVE']);
    secondToken = await second.token();
    const raceKey = 'race-gate';
    ok(
      await t.gql(
        CREATE,
        {
          input: {
            incidentId: ctx.incident.id,
            key: raceKey,
            name: '競合試験',
            reason: '停止',
            authorizerIds: [ctx.chief.user.id, second.user.id],
          },
        },
        chiefToken,
      ),
    );
    for (let round = 0; round < 4; round++) {
      let g = await gate(raceKey);
      if (g.state !== 'ELIGIBLE') {
        ok(await clear());
        g = await gate(raceKey);
      }
      expect(g.state).toBe('ELIGIBLE');
      const input = { key: raceKey, expectedVersion: g.version, statement: `承認 ${round}` };
      const [a, b, f] = await Promise.all([
        t.gql(AUTHORIZE, { input }, chiefToken),
        t.gql(AUTHORIZE, { input }, secondToken),
        t.gql<{ raiseAuditFinding: { id: string; version: number } }>(
          RAISE,
          { input: { engagementId, severity: 'CRITICAL', title: `同時指摘 ${round}` } },
          leadToken,
        ),
      ]);
      const finding = ok(f).raiseAuditFinding;
      // At most one authorization wins; whatever the order, the finding closed the gate.
      expect([a, b].filter((r) => !r.errors).length).toBeLessThanOrEqual(1);
      for (const r of [a, b].filter((x) => x.errors)) expect(errorCode(r)).toBe('CONFLICT');
      const after = await gate(raceKey);
      expect(after.state).toBe('SUSPENDED');
      expect(after.blockers.some((x) => x.kind === 'OPEN_FINDING')).toBe(true);
      // The invariant, read straight from the tables: no OPEN gate while a blocking finding is open.
      const broken = await t.sql(
        `SELECT g.key FROM promotion_gates g WHERE g.state = 'OPEN' AND EXISTS (SELECT 1 FROM audit_findings f WHERE f.incident_id = g.incident_id AND f.status = 'OPEN' AND f.severity IN ('CRITICAL','HIGH'))`,
      );
      expect(broken).toEqual([]);
      ok(await t.gql(RESOLVE, { input: { id: finding.id, expectedVersion: finding.version, note: '対応済み' } }, leadToken));
    }
  });

  it('races: two authorizations while an auditor reopens the required item (rejecting its evidence): never OPEN over unverified work', async () => {
    const raceKey = 'race-gate';
    let g = await gate(raceKey);
    if (g.state !== 'ELIGIBLE') {
      ok(await clear());
      g = await gate(raceKey);
    }
    expect(g.state).toBe('ELIGIBLE');
    const input = { key: raceKey, expectedVersion: g.version, statement: '再開を承認' };
    const [a, b, rejected] = await Promise.all([
      t.gql(AUTHORIZE, { input }, chiefToken),
      t.gql(AUTHORIZE, { input }, secondToken),
      t.gql(
        REVIEW,
        {
          input: {
            evidenceId: evidence.id,
            sha256: evidence.sha256,
            expectedVersion: 2, // accepted once
            decision: 'REJECTED',
            comment: '棚卸しの対象に委託先が含まれていない',
          },
        },
        leadToken,
      ),
    ]);
    expect(rejected.errors).toBeUndefined();
    expect([a, b].filter((r) => !r.errors).length).toBeLessThanOrEqual(1);
    for (const r of [a, b].filter((x) => x.errors)) expect(errorCode(r)).toBe('CONFLICT');
    const after = await gate(raceKey);
    expect(after.state).toBe('SUSPENDED');
    expect(after.blockers.map((b) => [b.kind, b.itemKey])).toContainEqual(['COUNTERMEASURE_NOT_VERIFIED', 'CM-001']);
    expect(after.blockers.find((b) => b.itemKey === 'CM-001')!.message).toContain('REOPENED');
    const broken = await t.sql(
      `SELECT g.key FROM promotion_gates g WHERE g.state = 'OPEN' AND EXISTS (SELECT 1 FROM countermeasures c WHERE c.incident_id = g.incident_id AND c.required_for_gate AND c.status NOT IN ('VERIFIED','OPERATING'))`,
    );
    expect(broken).toEqual([]);
  });
});
