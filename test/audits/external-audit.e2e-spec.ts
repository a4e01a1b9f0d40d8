import { createHash, randomUUID } from 'node:crypto';
import canonicalize from 'canonicalize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, CASE_TIME_ZONE, todayIn } from '@app/common';
import { RiskAcceptancesService } from '@app/audits';
import { IncidentSystemEntity } from '@app/incidents';
import { makeCountermeasure, makeIncident } from '../support/remediation-factory';
import { errorCode, TestApp, type GqlResponse } from '../support/test-app';

const ENGAGEMENT = `id status version conclusion lead { id } team { id } scopeCountermeasures { id key status } scopeSystems { id name }
  history { fromStatus toStatus reason actorLabel }
  clearances { id standing digest payload statement clearedByLabel withdrawnAt withdrawalReason withdrawnByLabel }
  currentClearance { id } findings { key severity status } nextStatuses`;
const FINDING = `id key status severity version description raisedByLabel resolutionNote open countermeasure { id key }
  riskAcceptances { id status expiresOn endKind }`;
const CREATE = `mutation($input: CreateAuditEngagementInput!) { createAuditEngagement(input: $input) { ${ENGAGEMENT} } }`;
const UPDATE = `mutation($input: UpdateAuditEngagementInput!) { updateAuditEngagement(input: $input) { ${ENGAGEMENT} } }`;
const MOVE = `mutation($input: MoveAuditEngagementInput!) { moveAuditEngagement(input: $input) { ${ENGAGEMENT} } }`;
const CLEAR = `mutation($input: ClearAuditInput!) { clearAudit(input: $input) { id standing digest payload statement clearedByLabel } }`;
const GET = `query($id: ID!) { auditEngagement(id: $id) { ${ENGAGEMENT} } }`;
const RAISE = `mutation($input: RaiseAuditFindingInput!) { raiseAuditFinding(input: $input) { ${FINDING} } }`;
const RESOLVE = `mutation($input: ResolveAuditFindingInput!) { resolveAuditFinding(input: $input) { ${FINDING} } }`;
const REOPEN = `mutation($input: ReopenAuditFindingInput!) { reopenAuditFinding(input: $input) { ${FINDING} } }`;
const FINDING_Q = `query($id: ID!) { auditFinding(id: $id) { ${FINDING} } }`;
const ACCEPT = `mutation($input: AcceptFindingRiskInput!) { acceptFindingRisk(input: $input) { id status expiresOn acceptedByLabel findingId } }`;
const ACCEPT_REQ = `mutation($input: AcceptRequirementRiskInput!) { acceptRequirementRisk(input: $input) { id status expiresOn requirementId findingId } }`;
const REVOKE = `mutation($input: RevokeRiskAcceptanceInput!) { revokeRiskAcceptance(input: $input) { id status endKind endReason endedByLabel } }`;
const FROM_FINDING = `mutation($input: CreateCountermeasureFromFindingInput!) { createCountermeasureFromFinding(input: $input) { countermeasureId finding { ${FINDING} } } }`;
const CM_MOVE = `mutation($input: MoveCountermeasureInput!) { moveCountermeasure(input: $input) { status version } }`;
const STANDING = `query($incidentId: ID!) { auditStanding(incidentId: $incidentId) { cleared clearanceId digest openBlockingFindings } }`;
const LIST = `query($filter: AuditEngagementFilterInput, $first: Int, $after: String) { auditEngagements(filter: $filter, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id status } } }`;
const FINDINGS = `query($filter: AuditFindingFilterInput, $first: Int, $after: String) { auditFindings(filter: $filter, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { key } } }`;

type Clearance = {
  id: string;
  standing: boolean;
  digest: string;
  payload: Record<string, unknown>;
  statement: string;
  clearedByLabel: string;
  withdrawnAt: string | null;
  withdrawalReason: string | null;
  withdrawnByLabel: string | null;
};
type Engagement = {
  id: string;
  status: string;
  version: number;
  conclusion: string | null;
  lead: { id: string };
  team: { id: string }[];
  scopeCountermeasures: { id: string; key: string; status: string }[];
  scopeSystems: { id: string; name: string }[];
  history: { fromStatus: string | null; toStatus: string; reason: string | null; actorLabel: string }[];
  clearances: Clearance[];
  currentClearance: { id: string } | null;
  findings: { key: string; severity: string; status: string }[];
  nextStatuses: string[];
};
type Finding = {
  id: string;
  key: string;
  status: string;
  severity: string;
  version: number;
  description: string;
  raisedByLabel: string;
  resolutionNote: string | null;
  open: boolean;
  countermeasure: { id: string; key: string } | null;
  riskAcceptances: { id: string; status: string; expiresOn: string; endKind: string | null }[];
};

const detailsOf = (res: GqlResponse) => res.errors?.[0]?.extensions ?? {};
const DAY_MS = 86_400_000;

describe('the external audit: engagements, findings, clearance, risk acceptance', () => {
  let t: TestApp;
  let today: string;

  beforeAll(async () => {
    t = await TestApp.start();
    today = todayIn(CASE_TIME_ZONE, new Date());
  });
  afterAll(async () => t?.close());

  /** A fresh incident (findings count incident-wide) with its people, two countermeasures and one system. */
  async function scenario() {
    const ctx = await makeIncident(t);
    const owner = await ctx.addMember();
    const member = await ctx.addMember();
    const lead = await t.createUser(['AUDITOR'], { displayName: '監査 主任' });
    const auditor = await t.createUser(['AUDITOR'], { displayName: '監査 担当' });
    const outsider = await t.createUser(['AUDITOR']);
    const exec = await t.createUser(['EXECUTIVE']);
    const cm1 = await makeCountermeasure(t, ctx.incident.id, owner.user.id, { title: '漏えいDBの停止' });
    const cm2 = await makeCountermeasure(t, ctx.incident.id, owner.user.id, { title: 'アクセス権限の絞り込み', ongoing: true });
    const system = await ctx.ds
      .getRepository(IncidentSystemEntity)
      .save({ incidentId: ctx.incident.id, name: '顧客DB', description: '', leakSource: true });
    const [chiefT, ownerT, memberT, leadT, auditorT, outsiderT, execT] = await Promise.all(
      [ctx.chief, owner, member, lead, auditor, outsider, exec].map((u) => u.token()),
    );
    return {
      ...ctx,
      owner,
      member,
      lead,
      auditor,
      outsider,
      exec,
      cm1,
      cm2,
      system,
      tokens: { chief: chiefT!, owner: ownerT!, member: memberT!, lead: leadT!, auditor: auditorT!, outsider: outsiderT!, exec: execT! },
    };
  }
  type Scenario = Awaited<ReturnType<typeof scenario>>;

  const create = (s: Scenario, over: Record<string, unknown> = {}, token = s.tokens.chief) =>
    t.gql<{ createAuditEngagement: Engagement }>(
      CREATE,
      {
        input: {
          incidentId: s.incident.id,
          title: '情報セキュリティ監査（システム運用プロセス）',
          firm: '株式会社セキュアオーディット',
          leadAuditorId: s.lead.user.id,
          teamIds: [s.auditor.user.id],
          countermeasureIds: [s.cm1.id, s.cm2.id],
          systemIds: [s.system.id],
          startsOn: '2026-10-01',
          endsOn: '2026-12-31',
          ...over,
        },
      },
      token,
    );
  const move = (s: Scenario, e: { id: string; version: number }, to: string, statement?: string, token = s.tokens.lead) =>
    t.gql<{ moveAuditEngagement: Engagement }>(MOVE, { input: { id: e.id, expectedVersion: e.version, to, statement } }, token);
  const get = async (id: string, token: string) => {
    const res = await t.gql<{ auditEngagement: Engagement }>(GET, { id }, token);
    expect(res.errors).toBeUndefined();
    return res.data!.auditEngagement;
  };
  const raise = (s: Scenario, engagementId: string, severity: string, over: Record<string, unknown> = {}, token = s.tokens.auditor) =>
    t.gql<{ raiseAuditFinding: Finding }>(
      RAISE,
      {
        input: {
          engagementId,
          severity,
          title: 'アクセスログの保管期間不足',
          description: '監視ログが30日で消去されており、事後調査ができない。',
          ...over,
        },
      },
      token,
    );
  const finding = async (id: string, token: string) =>
    (await t.gql<{ auditFinding: Finding }>(FINDING_Q, { id }, token)).data!.auditFinding;

  /** An engagement in REPORTING (the state clearing starts from). */
  async function reporting(s: Scenario, over: Record<string, unknown> = {}) {
    const created = await create(s, over);
    expect(created.errors).toBeUndefined();
    let e = created.data!.createAuditEngagement;
    e = (await move(s, e, 'FIELDWORK')).data!.moveAuditEngagement;
    e = (await move(s, e, 'REPORTING')).data!.moveAuditEngagement;
    return e;
  }

  /**
   * TEST SETUP ONLY, on the test database: puts a countermeasure into VERIFIED (or
   * OPERATING) and gives it one live evidence row by direct SQL, standing in for
   * the evidence + sign-off path, which the evidence issue covers on its own.
   */
  async function verifyBySql(cmId: string, status: 'VERIFIED' | 'OPERATING' = 'VERIFIED', uploaderId?: string) {
    await t.sql(`UPDATE countermeasures SET status = $2, version = version + 1 WHERE id = $1`, [cmId, status]);
    const [req] = await t.sql<{ id: string }>(
      `SELECT id FROM countermeasure_requirements WHERE countermeasure_id = $1 ORDER BY position LIMIT 1`,
      [cmId],
    );
    const sha256 = createHash('sha256').update(`evidence ${randomUUID()}`).digest('hex');
    const [uploader] = uploaderId
      ? [{ id: uploaderId }]
      : await t.sql<{ id: string }>(`SELECT owner_id AS id FROM countermeasures WHERE id = $1`, [cmId]);
    await t.sql(
      `INSERT INTO evidence (countermeasure_id, requirement_id, kind, name, statement, sha256, effective_on, version_no, uploaded_by_id, uploaded_by_label, uploaded_at, version)
       VALUES ($1, $2, 'ATTESTATION', '停止確認', '停止を確認した', $3, $4, 1, $5, 'test-setup', now(), 1)`,
      [cmId, req!.id, sha256, today, uploader!.id],
    );
    return sha256;
  }

  /** Everything an audits change could write. */
  const dbState = async () => ({
    engagements: await t.sql('SELECT * FROM audit_engagements ORDER BY id'),
    team: await t.sql('SELECT * FROM audit_engagement_team ORDER BY engagement_id, user_id'),
    scope: await t.sql('SELECT * FROM audit_scope_countermeasures ORDER BY engagement_id, countermeasure_id'),
    history: await t.sql('SELECT id FROM audit_engagement_transitions ORDER BY id'),
    findings: await t.sql('SELECT * FROM audit_findings ORDER BY id'),
    clearances: await t.sql('SELECT * FROM audit_clearances ORDER BY id'),
    acceptances: await t.sql('SELECT * FROM audit_risk_acceptances ORDER BY id'),
    countermeasures: await t.sql('SELECT id, version, status FROM countermeasures ORDER BY id'),
    trail: await t.sql('SELECT seq FROM audit_trail ORDER BY seq'),
  });

  it('the chief commissions an engagement with a lead, a team and a scope; it is PLANNED, in the history and the trail', async () => {
    const s = await scenario();
    const res = await create(s);
    expect(res.errors).toBeUndefined();
    const e = res.data!.createAuditEngagement;
    expect(e).toMatchObject({
      status: 'PLANNED',
      version: 1,
      lead: { id: s.lead.user.id },
      team: [{ id: s.auditor.user.id }],
      nextStatuses: ['FIELDWORK'],
    });
    expect(e.scopeCountermeasures.map((c) => c.key)).toEqual(['CM-001', 'CM-002']);
    expect(e.scopeSystems).toEqual([{ id: s.system.id, name: '顧客DB' }]);
    expect(e.history).toEqual([{ fromStatus: null, toStatus: 'PLANNED', reason: 'created', actorLabel: s.chief.user.email }]);
    const trail = await t.sql<{ action: string; actor_label: string }>('SELECT action, actor_label FROM audit_trail WHERE entity_id = $1', [
      e.id,
    ]);
    expect(trail).toEqual([{ action: 'audit_engagement.created', actor_label: s.chief.user.email }]);
    const list = await t.gql<{ auditEngagements: { totalCount: number; nodes: { id: string }[] } }>(
      LIST,
      { filter: { incidentId: s.incident.id } },
      s.tokens.member,
    );
    expect(list.data!.auditEngagements).toMatchObject({ totalCount: 1, nodes: [{ id: e.id }] });
  });

  it('refuses a lead or team member without the AUDITOR role (BAD_USER_INPUT), a non-chief commissioner (FORBIDDEN), a scope from another incident; nothing is written', async () => {
    const s = await scenario();
    const other = await scenario();
    const before = await dbState();
    const notAuditor = await create(s, { teamIds: [s.auditor.user.id, s.member.user.id] });
    expect(errorCode(notAuditor)).toBe('BAD_USER_INPUT');
    expect(detailsOf(notAuditor)).toMatchObject({ reason: 'NOT_AN_AUDITOR', userIds: [s.member.user.id] });
    const execLead = await create(s, { leadAuditorId: s.exec.user.id });
    expect(detailsOf(execLead)).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'NOT_AN_AUDITOR', userIds: [s.exec.user.id] });
    const byMember = await create(s, {}, s.tokens.member);
    expect(errorCode(byMember)).toBe('FORBIDDEN');
    const byAuditor = await create(s, {}, s.tokens.lead);
    expect(errorCode(byAuditor)).toBe('FORBIDDEN');
    const foreign = await create(s, { countermeasureIds: [s.cm1.id, other.cm1.id] });
    expect(detailsOf(foreign)).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'NOT_IN_INCIDENT', countermeasureIds: [other.cm1.id] });
    const badDates = await create(s, { startsOn: '2026-12-31', endsOn: '2026-10-01' });
    expect(errorCode(badDates)).toBe('BAD_USER_INPUT');
    expect(await dbState()).toEqual(before);
  });

  it('the lead auditor moves PLANNED → FIELDWORK → REPORTING → NOT_CLEARED (with a statement) → FIELDWORK; others and wrong moves are refused, unchanged', async () => {
    const s = await scenario();
    let e = (await create(s)).data!.createAuditEngagement;
    const before = await dbState();
    expect(errorCode(await move(s, e, 'FIELDWORK', undefined, s.tokens.auditor))).toBe('FORBIDDEN'); // a team member is not the lead
    expect(errorCode(await move(s, e, 'FIELDWORK', undefined, s.tokens.chief))).toBe('FORBIDDEN'); // not an auditor at all
    const jump = await move(s, e, 'CLEARED');
    expect(detailsOf(jump)).toMatchObject({ code: 'CONFLICT', reason: 'INVALID_ENGAGEMENT_TRANSITION', allowed: ['FIELDWORK'] });
    const stale = await move(s, { ...e, version: 7 }, 'FIELDWORK');
    expect(detailsOf(stale)).toMatchObject({ code: 'CONFLICT', reason: 'STALE_VERSION', currentVersion: 1 });
    expect(await dbState()).toEqual(before);

    e = (await move(s, e, 'FIELDWORK')).data!.moveAuditEngagement;
    e = (await move(s, e, 'REPORTING')).data!.moveAuditEngagement;
    expect(e.nextStatuses).toEqual(['FIELDWORK', 'NOT_CLEARED']);
    expect(errorCode(await move(s, e, 'NOT_CLEARED', '  '))).toBe('BAD_USER_INPUT');
    e = (await move(s, e, 'NOT_CLEARED', '重大な指摘事項が未解決のため、安全性を確認できない。')).data!.moveAuditEngagement;
    expect(e).toMatchObject({ status: 'NOT_CLEARED', conclusion: '重大な指摘事項が未解決のため、安全性を確認できない。' });
    e = (await move(s, e, 'FIELDWORK', '再監査')).data!.moveAuditEngagement;
    expect(e).toMatchObject({ status: 'FIELDWORK', conclusion: null, version: 5 });
    expect(e.history.map((h) => [h.fromStatus, h.toStatus])).toEqual([
      [null, 'PLANNED'],
      ['PLANNED', 'FIELDWORK'],
      ['FIELDWORK', 'REPORTING'],
      ['REPORTING', 'NOT_CLEARED'],
      ['NOT_CLEARED', 'FIELDWORK'],
    ]);
    const actions = await t.sql<{ action: string }>('SELECT action FROM audit_trail WHERE entity_id = $1 ORDER BY seq', [e.id]);
    expect(actions.map((a) => a.action)).toEqual(['audit_engagement.created', ...Array(4).fill('audit_engagement.status_changed')]);
  });

  it('the lead changes the team and scope before a conclusion; not while PLANNED by a team member', async () => {
    const s = await scenario();
    const e = (await create(s)).data!.createAuditEngagement;
    expect(
      errorCode(await t.gql(UPDATE, { input: { id: e.id, expectedVersion: 1, countermeasureIds: [s.cm1.id] } }, s.tokens.auditor)),
    ).toBe('FORBIDDEN');
    const res = await t.gql<{ updateAuditEngagement: Engagement }>(
      UPDATE,
      { input: { id: e.id, expectedVersion: 1, countermeasureIds: [s.cm2.id], teamIds: [] } },
      s.tokens.lead,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.updateAuditEngagement).toMatchObject({
      version: 2,
      team: [],
      scopeCountermeasures: [{ key: 'CM-002' }],
      scopeSystems: [{ id: s.system.id }],
    });
    const [entry] = await t.sql<{ before: { countermeasureIds: string[] }; after: { countermeasureIds: string[] } }>(
      `SELECT before, after FROM audit_trail WHERE entity_id = $1 AND action = 'audit_engagement.updated'`,
      [e.id],
    );
    expect(entry!.before.countermeasureIds).toEqual([s.cm1.id, s.cm2.id].sort());
    expect(entry!.after.countermeasureIds).toEqual([s.cm2.id]);
  });

  it('team members raise findings (numbered per incident, Japanese text kept); outsiders and a PLANNED engagement are refused; the lead resolves, the author reopens', async () => {
    const s = await scenario();
    const planned = (await create(s)).data!.createAuditEngagement;
    const before = await dbState();
    const tooEarly = await raise(s, planned.id, 'HIGH');
    expect(detailsOf(tooEarly)).toMatchObject({ code: 'CONFLICT', reason: 'ENGAGEMENT_STATUS_FORBIDS', status: 'PLANNED' });
    const e = (await move(s, planned, 'FIELDWORK')).data!.moveAuditEngagement;
    const byOutsider = await raise(s, e.id, 'HIGH', {}, s.tokens.outsider);
    expect(errorCode(byOutsider)).toBe('FORBIDDEN');
    const byOwner = await raise(s, e.id, 'HIGH', {}, s.tokens.owner);
    expect(errorCode(byOwner)).toBe('FORBIDDEN'); // role-level: task force does not conduct audits
    expect((await dbState()).findings).toEqual(before.findings);

    const f1 = (await raise(s, e.id, 'HIGH', { countermeasureId: s.cm2.id })).data!.raiseAuditFinding;
    expect(f1).toMatchObject({
      key: 'F-001',
      status: 'OPEN',
      open: true,
      description: '監視ログが30日で消去されており、事後調査ができない。',
      raisedByLabel: s.auditor.user.email,
      countermeasure: { id: s.cm2.id, key: 'CM-002' },
    });
    const f2 = (await raise(s, e.id, 'LOW', {}, s.tokens.lead)).data!.raiseAuditFinding;
    expect(f2.key).toBe('F-002');

    const noNote = await t.gql(RESOLVE, { input: { id: f1.id, expectedVersion: 1, note: ' ' } }, s.tokens.lead);
    expect(errorCode(noNote)).toBe('BAD_USER_INPUT');
    const byOtherAuditor = await t.gql(RESOLVE, { input: { id: f2.id, expectedVersion: 1, note: '対応済み' } }, s.tokens.auditor);
    expect(errorCode(byOtherAuditor)).toBe('FORBIDDEN'); // neither the lead nor F-002's author
    const resolved = await t.gql<{ resolveAuditFinding: Finding }>(
      RESOLVE,
      { input: { id: f1.id, expectedVersion: 1, note: 'ログ保管を1年に延長したことを確認' } },
      s.tokens.lead,
    );
    expect(resolved.data!.resolveAuditFinding).toMatchObject({
      status: 'RESOLVED',
      open: false,
      version: 2,
      resolutionNote: 'ログ保管を1年に延長したことを確認',
    });
    const again = await t.gql(RESOLVE, { input: { id: f1.id, expectedVersion: 2, note: 'x' } }, s.tokens.lead);
    expect(detailsOf(again)).toMatchObject({ code: 'CONFLICT', reason: 'INVALID_FINDING_TRANSITION' });
    const reopened = await t.gql<{ reopenAuditFinding: Finding }>(
      REOPEN,
      { input: { id: f1.id, expectedVersion: 2, reason: '設定が元に戻っていた' } },
      s.tokens.auditor,
    );
    expect(reopened.data!.reopenAuditFinding).toMatchObject({ status: 'OPEN', open: true, version: 3, resolutionNote: null });
    const actions = await t.sql<{ action: string; actor_label: string }>(
      'SELECT action, actor_label FROM audit_trail WHERE entity_id = $1 ORDER BY seq',
      [f1.id],
    );
    expect(actions).toEqual([
      { action: 'audit_finding.raised', actor_label: s.auditor.user.email },
      { action: 'audit_finding.resolved', actor_label: s.lead.user.email },
      { action: 'audit_finding.reopened', actor_label: s.auditor.user.email },
    ]);
    const page = await t.gql<{
      auditFindings: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: { key: string }[] };
    }>(FINDINGS, { filter: { incidentId: s.incident.id }, first: 1 }, s.tokens.member);
    expect(page.data!.auditFindings).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true }, nodes: [{ key: 'F-001' }] });
    const next = await t.gql<{ auditFindings: { nodes: { key: string }[] } }>(
      FINDINGS,
      { filter: { incidentId: s.incident.id }, first: 1, after: page.data!.auditFindings.pageInfo.endCursor },
      s.tokens.member,
    );
    expect(next.data!.auditFindings.nodes).toEqual([{ key: 'F-002' }]);
  });

  it('refuses a clearance with an open HIGH finding and with an in-scope countermeasure not VERIFIED (details list them), and for a non-lead auditor; nothing is half-written', async () => {
    const s = await scenario();
    const e = await reporting(s);
    await verifyBySql(s.cm1.id);
    const high = (await raise(s, e.id, 'HIGH')).data!.raiseAuditFinding;
    await raise(s, e.id, 'MEDIUM'); // does not block
    const before = await dbState();

    const blocked = await t.gql(
      CLEAR,
      { input: { engagementId: e.id, expectedVersion: e.version, statement: '安全性を確認した。' } },
      s.tokens.lead,
    );
    expect(errorCode(blocked)).toBe('CONFLICT');
    expect(detailsOf(blocked)).toMatchObject({
      reason: 'CLEARANCE_BLOCKED',
      countermeasures: ['CM-002'],
      findings: [high.key],
      emptyScope: false,
    });
    expect((detailsOf(blocked).blockers as unknown[]).length).toBe(2);
    expect(blocked.errors![0]!.message).toContain('CM-002 is PLANNED');

    const byTeam = await t.gql(
      CLEAR,
      { input: { engagementId: e.id, expectedVersion: e.version, statement: '安全性を確認した。' } },
      s.tokens.auditor,
    );
    expect(errorCode(byTeam)).toBe('FORBIDDEN');
    const byExec = await t.gql(CLEAR, { input: { engagementId: e.id, expectedVersion: e.version, statement: 'x' } }, s.tokens.exec);
    expect(errorCode(byExec)).toBe('FORBIDDEN');
    const blank = await t.gql(CLEAR, { input: { engagementId: e.id, expectedVersion: e.version, statement: '   ' } }, s.tokens.lead);
    expect(errorCode(blank)).toBe('BAD_USER_INPUT');

    // Only the finding left: the details name it alone.
    await verifyBySql(s.cm2.id, 'OPERATING');
    const findingOnly = await t.gql(
      CLEAR,
      { input: { engagementId: e.id, expectedVersion: e.version, statement: '安全性を確認した。' } },
      s.tokens.lead,
    );
    expect(detailsOf(findingOnly)).toMatchObject({ reason: 'CLEARANCE_BLOCKED', countermeasures: [], findings: ['F-001'] });
    const after = await dbState();
    expect({ ...after, countermeasures: before.countermeasures }).toEqual(before); // only the SQL setup changed a countermeasure
    expect((await get(e.id, s.tokens.lead)).status).toBe('REPORTING');
  });

  it('refuses clearing outside REPORTING and with an empty scope', async () => {
    const s = await scenario();
    const fieldwork = (await move(s, (await create(s)).data!.createAuditEngagement, 'FIELDWORK')).data!.moveAuditEngagement;
    const early = await t.gql(
      CLEAR,
      { input: { engagementId: fieldwork.id, expectedVersion: fieldwork.version, statement: 'x' } },
      s.tokens.lead,
    );
    expect(detailsOf(early)).toMatchObject({ code: 'CONFLICT', reason: 'ENGAGEMENT_STATUS_FORBIDS', status: 'FIELDWORK' });
    const empty = await reporting(s, { countermeasureIds: [] });
    const refused = await t.gql(
      CLEAR,
      { input: { engagementId: empty.id, expectedVersion: empty.version, statement: 'x' } },
      s.tokens.lead,
    );
    expect(detailsOf(refused)).toMatchObject({ reason: 'CLEARANCE_BLOCKED', emptyScope: true });
  });

  it('the lead clears when every in-scope item is VERIFIED/OPERATING and no serious finding is open; the digest is recomputable from the stored payload', async () => {
    const s = await scenario();
    const e = await reporting(s);
    const sha1 = await verifyBySql(s.cm1.id);
    const sha2 = await verifyBySql(s.cm2.id, 'OPERATING');
    const low = (await raise(s, e.id, 'LOW')).data!.raiseAuditFinding;
    const res = await t.gql<{ clearAudit: Clearance }>(
      CLEAR,
      { input: { engagementId: e.id, expectedVersion: e.version, statement: ' 全対策の有効性を確認した。 ' } },
      s.tokens.lead,
    );
    expect(res.errors).toBeUndefined();
    const c = res.data!.clearAudit;
    expect(c).toMatchObject({ standing: true, statement: '全対策の有効性を確認した。', clearedByLabel: s.lead.user.email });

    // Anyone can recompute the digest: RFC 8785 canonical JSON of the payload, SHA-256, lowercase hex.
    const recomputed = createHash('sha256').update(canonicalize(c.payload)!, 'utf8').digest('hex');
    expect(recomputed).toBe(c.digest);
    const [row] = await t.sql<{ payload: unknown; digest: string }>('SELECT payload, digest FROM audit_clearances WHERE id = $1', [c.id]);
    expect(createHash('sha256').update(canonicalize(row!.payload)!, 'utf8').digest('hex')).toBe(row!.digest);
    expect(row!.digest).toBe(c.digest);

    const p = c.payload as {
      format: string;
      clearedAt: string;
      countermeasures: { key: string; status: string; evidence: { sha256: string }[] }[];
      systems: { name: string }[];
      findings: { key: string; status: string }[];
    };
    expect(p.format).toBe('clearance/v2');
    expect(p.clearedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(p.countermeasures.map((x) => [x.key, x.status, x.evidence.map((ev) => ev.sha256)])).toEqual([
      ['CM-001', 'VERIFIED', [sha1]],
      ['CM-002', 'OPERATING', [sha2]],
    ]);
    expect(p.systems).toEqual([expect.objectContaining({ name: '顧客DB' })]);
    expect(p.findings).toEqual([expect.objectContaining({ key: low.key, status: 'OPEN' })]);

    const view = await get(e.id, s.tokens.member);
    expect(view).toMatchObject({ status: 'CLEARED', currentClearance: { id: c.id }, nextStatuses: [] });
    expect(view.history.at(-1)).toMatchObject({ fromStatus: 'REPORTING', toStatus: 'CLEARED', actorLabel: s.lead.user.email });
    const standing = await t.gql<{ auditStanding: { cleared: boolean; clearanceId: string; openBlockingFindings: string[] } }>(
      STANDING,
      { incidentId: s.incident.id },
      s.tokens.member,
    );
    expect(standing.data!.auditStanding).toMatchObject({ cleared: true, clearanceId: c.id, openBlockingFindings: [] });
    // A cleared engagement's scope is locked.
    const scope = await t.gql(UPDATE, { input: { id: e.id, expectedVersion: view.version, countermeasureIds: [s.cm1.id] } }, s.tokens.lead);
    expect(detailsOf(scope)).toMatchObject({ code: 'CONFLICT', reason: 'ENGAGEMENT_STATUS_FORBIDS', status: 'CLEARED' });
    // The database itself refuses to rewrite what a clearance attests.
    await expect(t.sql(`UPDATE audit_clearances SET statement = 'x' WHERE id = $1`, [c.id])).rejects.toThrow(/only ever withdrawn/);
    await expect(t.sql(`DELETE FROM audit_clearances WHERE id = $1`, [c.id])).rejects.toThrow(/refused/);
  });

  /** An engagement cleared over two verified countermeasures. */
  async function cleared(s: Scenario) {
    const e = await reporting(s);
    await verifyBySql(s.cm1.id);
    await verifyBySql(s.cm2.id);
    const res = await t.gql<{ clearAudit: Clearance }>(
      CLEAR,
      { input: { engagementId: e.id, expectedVersion: e.version, statement: '安全性を確認した。' } },
      s.tokens.lead,
    );
    expect(res.errors).toBeUndefined();
    return { engagement: await get(e.id, s.tokens.lead), clearance: res.data!.clearAudit };
  }

  it('raising a HIGH finding on a cleared audit withdraws the clearance in the same change: reason, history, trail with the raiser as actor', async () => {
    const s = await scenario();
    const { engagement, clearance } = await cleared(s);
    const low = await raise(s, engagement.id, 'LOW');
    expect((await get(engagement.id, s.tokens.lead)).status).toBe('CLEARED'); // a LOW finding does not break it
    expect(low.errors).toBeUndefined();
    const high = (await raise(s, engagement.id, 'HIGH')).data!.raiseAuditFinding;
    const view = await get(engagement.id, s.tokens.lead);
    expect(view.status).toBe('REPORTING');
    expect(view.version).toBe(engagement.version + 1);
    expect(view.currentClearance).toBeNull();
    expect(view.clearances).toEqual([
      expect.objectContaining({
        id: clearance.id,
        standing: false,
        digest: clearance.digest,
        withdrawalReason: `finding ${high.key} (HIGH) raised`,
        withdrawnByLabel: s.auditor.user.email,
      }),
    ]);
    expect(view.history.at(-1)).toEqual({
      fromStatus: 'CLEARED',
      toStatus: 'REPORTING',
      reason: `clearance withdrawn: finding ${high.key} (HIGH) raised`,
      actorLabel: s.auditor.user.email,
    });
    const [entry] = await t.sql<{ actor_label: string; after: { withdrawalReason: string; blockers: { findings: string[] } } }>(
      `SELECT actor_label, after FROM audit_trail WHERE entity_id = $1 AND action = 'audit.clearance_withdrawn'`,
      [clearance.id],
    );
    expect(entry).toMatchObject({
      actor_label: s.auditor.user.email,
      after: { withdrawalReason: `finding ${high.key} (HIGH) raised`, blockers: { findings: [high.key] } },
    });
    const standing = await t.gql<{ auditStanding: { cleared: boolean; openBlockingFindings: string[] } }>(
      STANDING,
      { incidentId: s.incident.id },
      s.tokens.exec,
    );
    expect(standing.data!.auditStanding).toEqual({ cleared: false, clearanceId: null, digest: null, openBlockingFindings: [high.key] });

    // Resolved, the audit can be cleared again; the withdrawn clearance stays in the list.
    await t.gql(RESOLVE, { input: { id: high.id, expectedVersion: 1, note: '是正を確認' } }, s.tokens.lead);
    const again = await t.gql<{ clearAudit: Clearance }>(
      CLEAR,
      { input: { engagementId: view.id, expectedVersion: view.version, statement: '再確認した。' } },
      s.tokens.lead,
    );
    expect(again.errors).toBeUndefined();
    expect((await get(view.id, s.tokens.lead)).clearances.map((c) => c.standing)).toEqual([false, true]);
  });

  it('risk acceptance: executives only (auditor, task force refused), an expiry in the future; the expiry sweep reopens the finding and withdraws the clearance', async () => {
    const s = await scenario();
    const e = await reporting(s);
    await verifyBySql(s.cm1.id);
    await verifyBySql(s.cm2.id);
    const high = (await raise(s, e.id, 'HIGH')).data!.raiseAuditFinding;
    const expiresOn = addDays(today, 10);
    const input = {
      findingId: high.id,
      expectedVersion: 1,
      justification: '代替の監視体制で当面のリスクは許容可能',
      compensatingControls: '週次の手動ログ確認',
      expiresOn,
    };
    const before = await dbState();
    for (const token of [s.tokens.lead, s.tokens.owner, s.tokens.member])
      expect(errorCode(await t.gql(ACCEPT, { input }, token))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(ACCEPT, { input: { ...input, expiresOn: today } }, s.tokens.exec))).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.gql(ACCEPT, { input: { ...input, expiresOn: addDays(today, 400) } }, s.tokens.exec))).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.gql(ACCEPT, { input: { ...input, justification: ' ' } }, s.tokens.exec))).toBe('BAD_USER_INPUT');
    expect(await dbState()).toEqual(before);

    const accepted = await t.gql<{ acceptFindingRisk: { id: string; status: string; expiresOn: string; acceptedByLabel: string } }>(
      ACCEPT,
      { input },
      s.tokens.exec,
    );
    expect(accepted.data!.acceptFindingRisk).toMatchObject({ status: 'STANDING', expiresOn, acceptedByLabel: s.exec.user.email });
    expect(await finding(high.id, s.tokens.lead)).toMatchObject({ status: 'ACCEPTED_RISK', open: false, version: 2 });
    const clear = await t.gql<{ clearAudit: Clearance }>(
      CLEAR,
      { input: { engagementId: e.id, expectedVersion: e.version, statement: 'リスク受容を前提に確認した。' } },
      s.tokens.lead,
    );
    expect(clear.errors).toBeUndefined();
    const riskInPayload = (clear.data!.clearAudit.payload.findings as { status: string; riskAcceptance: { expiresOn: string } }[])[0];
    expect(riskInPayload).toMatchObject({ status: 'ACCEPTED_RISK', riskAcceptance: { expiresOn } });

    // Nothing has expired yet: the sweep today changes nothing.
    const sweeps = t.app.get(RiskAcceptancesService);
    expect(await sweeps.expireRiskAcceptances(new Date())).toEqual({ expired: 0, reopenedFindings: [], withdrawnClearances: [] });
    // Twelve days later the last day has passed.
    const result = await sweeps.expireRiskAcceptances(new Date(Date.now() + 12 * DAY_MS));
    expect(result).toEqual({ expired: 1, reopenedFindings: [high.key], withdrawnClearances: [clear.data!.clearAudit.id] });
    const f = await finding(high.id, s.tokens.lead);
    expect(f).toMatchObject({ status: 'OPEN', open: true, version: 3 });
    expect(f.riskAcceptances).toEqual([expect.objectContaining({ status: 'EXPIRED', endKind: 'EXPIRED' })]);
    const view = await get(e.id, s.tokens.lead);
    expect(view.status).toBe('REPORTING');
    expect(view.clearances[0]).toMatchObject({
      standing: false,
      withdrawalReason: `risk acceptance of ${high.key} expired (last day ${expiresOn})`,
      withdrawnByLabel: 'system:risk-acceptance-expiry',
    });
    const trail = await t.sql<{ action: string; actor_label: string }>(
      `SELECT action, actor_label FROM audit_trail WHERE entity_id = ANY($1) AND actor_label LIKE 'system:%' ORDER BY seq`,
      [[high.id, accepted.data!.acceptFindingRisk.id, clear.data!.clearAudit.id]],
    );
    expect(trail.map((x) => x.action)).toEqual([
      'risk_acceptance.expired',
      'audit_finding.risk_acceptance_expired',
      'audit.clearance_withdrawn',
    ]);
    // A second sweep finds nothing more.
    expect((await sweeps.expireRiskAcceptances(new Date(Date.now() + 12 * DAY_MS))).expired).toBe(0);
  });

  it('an executive revokes an acceptance with a reason: the finding is open again and a clearance resting on it is withdrawn', async () => {
    const s = await scenario();
    const e = await reporting(s);
    await verifyBySql(s.cm1.id);
    await verifyBySql(s.cm2.id);
    const high = (await raise(s, e.id, 'CRITICAL')).data!.raiseAuditFinding;
    const acc = await t.gql<{ acceptFindingRisk: { id: string } }>(
      ACCEPT,
      {
        input: {
          findingId: high.id,
          expectedVersion: 1,
          justification: '一時的に許容',
          compensatingControls: '手動監視',
          expiresOn: addDays(today, 30),
        },
      },
      s.tokens.exec,
    );
    await t.gql(CLEAR, { input: { engagementId: e.id, expectedVersion: e.version, statement: '確認した。' } }, s.tokens.lead);
    expect(errorCode(await t.gql(REVOKE, { input: { id: acc.data!.acceptFindingRisk.id, reason: '撤回' } }, s.tokens.lead))).toBe(
      'FORBIDDEN',
    );
    const revoked = await t.gql<{ revokeRiskAcceptance: { status: string; endKind: string } }>(
      REVOKE,
      { input: { id: acc.data!.acceptFindingRisk.id, reason: '補完統制が機能していない' } },
      s.tokens.chief,
    );
    expect(revoked.data!.revokeRiskAcceptance).toMatchObject({ status: 'REVOKED', endKind: 'REVOKED' });
    expect((await finding(high.id, s.tokens.lead)).status).toBe('OPEN');
    const view = await get(e.id, s.tokens.lead);
    expect(view.clearances[0]).toMatchObject({
      standing: false,
      withdrawalReason: `risk acceptance of ${high.key} revoked: 補完統制が機能していない`,
      withdrawnByLabel: s.chief.user.email,
    });
    const twice = await t.gql(REVOKE, { input: { id: acc.data!.acceptFindingRisk.id, reason: 'again' } }, s.tokens.chief);
    expect(detailsOf(twice)).toMatchObject({ code: 'CONFLICT', reason: 'RISK_ACCEPTANCE_ENDED' });
  });

  it('an executive accepts the risk of an unmet requirement: a recorded acceptance only (the countermeasure does not move)', async () => {
    const s = await scenario();
    const [req] = await t.sql<{ id: string }>('SELECT id FROM countermeasure_requirements WHERE countermeasure_id = $1', [s.cm1.id]);
    const input = {
      requirementId: req!.id,
      justification: '代替手段で確認',
      compensatingControls: '月次の目視確認',
      expiresOn: addDays(today, 90),
    };
    expect(errorCode(await t.gql(ACCEPT_REQ, { input }, s.tokens.lead))).toBe('FORBIDDEN');
    const cmBefore = await t.sql('SELECT status, version FROM countermeasures WHERE id = $1', [s.cm1.id]);
    const res = await t.gql<{ acceptRequirementRisk: { status: string; requirementId: string; findingId: string | null } }>(
      ACCEPT_REQ,
      { input },
      s.tokens.exec,
    );
    expect(res.data!.acceptRequirementRisk).toEqual({
      id: expect.any(String),
      status: 'STANDING',
      expiresOn: input.expiresOn,
      requirementId: req!.id,
      findingId: null,
    });
    expect(await t.sql('SELECT status, version FROM countermeasures WHERE id = $1', [s.cm1.id])).toEqual(cmBefore);
    const dup = await t.gql(ACCEPT_REQ, { input }, s.tokens.exec);
    expect(detailsOf(dup)).toMatchObject({ code: 'CONFLICT', reason: 'RISK_ALREADY_ACCEPTED' });
  });

  it('the chief creates a new countermeasure from a finding and links it, in one change; others are refused; a linked finding is not linked twice', async () => {
    const s = await scenario();
    const e = (await move(s, (await create(s)).data!.createAuditEngagement, 'FIELDWORK')).data!.moveAuditEngagement;
    const f = (await raise(s, e.id, 'MEDIUM')).data!.raiseAuditFinding;
    const countermeasure = {
      title: 'ログ保管期間の延長',
      category: 'MONITORING',
      ownerId: s.owner.user.id,
      priority: 'HIGH',
      dueDate: '2027-01-31',
      requirements: [{ title: '設定変更の記録' }],
    };
    const before = await dbState();
    expect(errorCode(await t.gql(FROM_FINDING, { input: { findingId: f.id, expectedVersion: 1, countermeasure } }, s.tokens.member))).toBe(
      'FORBIDDEN',
    );
    expect(
      errorCode(
        await t.gql(
          FROM_FINDING,
          { input: { findingId: f.id, expectedVersion: 1, countermeasure: { ...countermeasure, ownerId: s.lead.user.id } } },
          s.tokens.chief,
        ),
      ),
    ).toBe('BAD_USER_INPUT');
    expect(await dbState()).toEqual(before); // the refused owner left no countermeasure behind
    const res = await t.gql<{ createCountermeasureFromFinding: { countermeasureId: string; finding: Finding } }>(
      FROM_FINDING,
      { input: { findingId: f.id, expectedVersion: 1, countermeasure } },
      s.tokens.chief,
    );
    expect(res.errors).toBeUndefined();
    const { countermeasureId, finding: linked } = res.data!.createCountermeasureFromFinding;
    expect(linked).toMatchObject({ version: 2, countermeasure: { id: countermeasureId, key: 'CM-003' } });
    const twice = await t.gql(FROM_FINDING, { input: { findingId: f.id, expectedVersion: 2, countermeasure } }, s.tokens.chief);
    expect(detailsOf(twice)).toMatchObject({ code: 'CONFLICT', reason: 'FINDING_ALREADY_LINKED' });
  });

  it('an executive reopening an in-scope VERIFIED countermeasure withdraws the clearance in the same transaction (real moveCountermeasure)', async () => {
    const s = await scenario();
    const { engagement, clearance } = await cleared(s);
    const [cm] = await t.sql<{ version: number }>('SELECT version FROM countermeasures WHERE id = $1', [s.cm1.id]);
    const res = await t.gql<{ moveCountermeasure: { status: string } }>(
      CM_MOVE,
      { input: { id: s.cm1.id, expectedVersion: cm!.version, to: 'REOPENED', reason: '監査指摘により再確認' } },
      s.tokens.exec,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.moveCountermeasure.status).toBe('REOPENED');
    const view = await get(engagement.id, s.tokens.lead);
    expect(view.status).toBe('REPORTING');
    expect(view.clearances).toEqual([
      expect.objectContaining({
        id: clearance.id,
        standing: false,
        withdrawalReason: 'CM-001 moved VERIFIED → REOPENED: 監査指摘により再確認',
        withdrawnByLabel: s.exec.user.email,
      }),
    ]);
    const [entry] = await t.sql<{ actor_label: string }>(
      `SELECT actor_label FROM audit_trail WHERE entity_id = $1 AND action = 'audit.clearance_withdrawn'`,
      [clearance.id],
    );
    expect(entry!.actor_label).toBe(s.exec.user.email);
    // Clearing again is refused while CM-001 is not verified.
    const again = await t.gql(CLEAR, { input: { engagementId: view.id, expectedVersion: view.version, statement: 'x' } }, s.tokens.lead);
    expect(detailsOf(again)).toMatchObject({ reason: 'CLEARANCE_BLOCKED', countermeasures: ['CM-001'], findings: [] });
  });
  it('a clearance and a HIGH finding fired at the same time never leave a clearance standing over an open HIGH finding', async () => {
    for (let round = 0; round < 3; round++) {
      const s = await scenario();
      const e = await reporting(s);
      await verifyBySql(s.cm1.id);
      await verifyBySql(s.cm2.id);
      const [clear, raised] = await Promise.all([
        t.gql(CLEAR, { input: { engagementId: e.id, expectedVersion: e.version, statement: '安全性を確認した。' } }, s.tokens.lead),
        raise(s, e.id, 'HIGH'),
      ]);
      expect(raised.errors).toBeUndefined();
      // Whichever went first, the rule holds afterwards: refused, or cleared and then withdrawn.
      const standing = await t.sql('SELECT id FROM audit_clearances WHERE engagement_id = $1 AND withdrawn_at IS NULL', [e.id]);
      expect(standing).toEqual([]);
      const view = await get(e.id, s.tokens.lead);
      expect(view.status).toBe('REPORTING');
      if (clear.errors) expect(detailsOf(clear)).toMatchObject({ reason: 'CLEARANCE_BLOCKED', findings: ['F-001'] });
      else expect(view.clearances).toEqual([expect.objectContaining({ standing: false, withdrawalReason: 'finding F-001 (HIGH) raised' })]);
    }
    // Three full scenarios (seven users each, argon2 hashing): slow on a busy 2-core machine, not a hang.
  }, 120_000);
});
