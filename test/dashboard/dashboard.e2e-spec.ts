import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Actor, addDays, CASE_TIME_ZONE, todayIn } from '@app/common';
import { CountermeasuresService, type CountermeasureEntity } from '@app/countermeasures';
import { DashboardService } from '@app/dashboard';
import { EvidenceService } from '@app/evidence';
import { ApiKeysService, type UserEntity } from '@app/identity';
import { AuditEngagementsService, AuditFindingsService } from '@app/audits';
import { PromotionGateService } from '@app/promotion-gate';
import { makeCountermeasure, makeIncident } from '../support/remediation-factory';
import { errorCode, TestApp } from '../support/test-app';

const DASHBOARD = `query($incidentId: ID, $asOf: LocalDate) {
  dashboard(incidentId: $incidentId, asOf: $asOf) {
    asOf generatedAt incidentId incidentTitle startsOn
    totals { total verified verifiedShare requiredTotal requiredVerified requiredVerifiedShare open overdue dueSoon blocked atRisk }
    byStatus { status count }
    byCategory { category status count }
    overdue { id key title status dueDate daysOverdue ownerId ownerName }
    dueSoon { id key title status dueDate daysOverdue ownerId ownerName }
    blocked { id key title status dueDate daysOverdue ownerId ownerName reason blockedSince }
    atRisk { id key title status dueDate daysOverdue ownerId ownerName }
    reviewQueue { waiting oldestUploadedAt oldestWaitDays }
    findings { bySeverity { severity open } auditStatus cleared }
    gate { key state canPromote blockers { kind itemId itemKey itemTitle ownerId ownerName message } }
    ownerLoad { ownerId ownerName open overdue }
    burnUp { day total implemented verified }
    latestActivity { at actorLabel action entityType entityId summary }
  }
}`;

type Item = {
  id: string;
  key: string;
  title: string;
  status: string;
  dueDate: string;
  daysOverdue: number;
  ownerId: string;
  ownerName: string;
};
type Dash = {
  asOf: string;
  generatedAt: string;
  incidentId: string;
  incidentTitle: string;
  startsOn: string;
  totals: Record<string, number>;
  byStatus: { status: string; count: number }[];
  byCategory: { category: string; status: string; count: number }[];
  overdue: Item[];
  dueSoon: Item[];
  blocked: (Item & { reason: string | null; blockedSince: string | null })[];
  atRisk: Item[];
  reviewQueue: { waiting: number; oldestUploadedAt: string | null; oldestWaitDays: number | null };
  findings: { bySeverity: { severity: string; open: number }[]; auditStatus: string | null; cleared: boolean };
  gate: { key: string; state: string; canPromote: boolean; blockers: Record<string, unknown>[] } | null;
  ownerLoad: { ownerId: string; ownerName: string; open: number; overdue: number }[];
  burnUp: { day: string; total: number; implemented: number; verified: number }[];
  latestActivity: { at: string; actorLabel: string; action: string; entityType: string; entityId: string; summary: string }[];
};

const STATUSES = [
  'PLANNED',
  'IN_PROGRESS',
  'BLOCKED',
  'IMPLEMENTED',
  'CHANGES_REQUESTED',
  'VERIFIED',
  'OPERATING',
  'DEGRADED',
  'REOPENED',
  'CANCELLED',
];
const byStatus = (counts: Record<string, number>) => STATUSES.map((status) => ({ status, count: counts[status] ?? 0 }));
const severities = (counts: Record<string, number>) =>
  ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'].map((severity) => ({ severity, open: counts[severity] ?? 0 }));
const days = (from: string, to: string) => {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
};

/**
 * The executive dashboard on the real server and PostgreSQL: a small known
 * case built through the services, every block checked to the value.
 */
describe('dashboard', () => {
  let t: TestApp;
  let today: string;
  let start: string;
  let ctx: Awaited<ReturnType<typeof makeIncident>>;
  let execToken: string;
  let memberToken: string;
  const cm: Record<string, CountermeasureEntity> = {};
  let ownerA: UserEntity;
  let ownerB: UserEntity;
  let findingId: string;

  const dash = async (vars: Record<string, unknown> = {}, token = execToken) => {
    const res = await t.gql<{ dashboard: Dash }>(DASHBOARD, vars, token);
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    return res.data!.dashboard;
  };

  beforeAll(async () => {
    t = await TestApp.start();
    today = todayIn(CASE_TIME_ZONE, new Date());
    start = addDays(today, -10);
    ctx = await makeIncident(t, '顧客情報漏えい事案');
    // Test setup: the incident was detected ten days ago (the factory records none).
    await t.sql('UPDATE incidents SET detected_on = $1 WHERE id = $2', [start, ctx.incident.id]);
    execToken = await ctx.chief.token();
    const a = await ctx.addMember(['TASK_FORCE'], 'システム運用担当');
    const b = await ctx.addMember(['TASK_FORCE'], '情報セキュリティ担当');
    ownerA = a.user;
    ownerB = b.user;
    memberToken = await a.token();
    await t.sql('UPDATE users SET display_name = $1 WHERE id = $2', ['担当 A', ownerA.id]);
    await t.sql('UPDATE users SET display_name = $1 WHERE id = $2', ['担当 B', ownerB.id]);
    const auditor = (await t.createUser(['AUDITOR'], { displayName: '監査 主任' })).user;

    const cms = t.app.get(CountermeasuresService);
    const evidence = t.app.get(EvidenceService);
    const chief = Actor.user(ctx.chief.user);
    const asA = Actor.user(ownerA);
    const asB = Actor.user(ownerB);
    const move = async (key: string, by: Actor, to: string, reason: string | null = null) => {
      const cur = await cms.getById(cm[key]!.id);
      cm[key] = await cms.transition(by, cur.id, cur.version, to as never, reason);
    };
    const requirement = async (key: string) => (await cms.requirementsOf([cm[key]!.id]))[0]!;

    // CM-001: verified through evidence, an auditor's review and sign-off; required for the gate.
    cm['1'] = await makeCountermeasure(t, ctx.incident.id, ownerA.id, {
      title: 'DB停止',
      category: 'ACCESS_RESTRICTION',
      requiredForGate: true,
      dueDate: addDays(today, 30),
    });
    // CM-002: overdue by two days, evidence waiting for review; required for the gate.
    cm['2'] = await makeCountermeasure(t, ctx.incident.id, ownerB.id, {
      title: '監視強化',
      category: 'MONITORING',
      requiredForGate: true,
      dueDate: addDays(today, -2),
    });
    // CM-003: due in three days.
    cm['3'] = await makeCountermeasure(t, ctx.incident.id, ownerA.id, {
      title: '規程改定',
      category: 'GOVERNANCE',
      dueDate: addDays(today, 3),
    });
    // CM-004: blocked, with its reason.
    cm['4'] = await makeCountermeasure(t, ctx.incident.id, ownerB.id, {
      title: '持出し制限',
      category: 'OTHER',
      dueDate: addDays(today, 20),
    });
    // CM-005: an ongoing measure, verified, whose monthly evidence went stale (effective 60 days ago, period 30).
    cm['5'] = await makeCountermeasure(t, ctx.incident.id, ownerA.id, {
      title: '月次点検',
      category: 'MONITORING',
      ongoing: true,
      dueDate: addDays(today, 40),
      requirements: [{ title: '月次点検報告', recurrenceDays: 30 }],
    });
    // CM-006: cancelled by the chief (an executive); overdue date, but not open.
    cm['6'] = await makeCountermeasure(t, ctx.incident.id, ownerB.id, {
      title: '告知',
      category: 'COMMUNICATION',
      dueDate: addDays(today, -5),
    });

    for (const [key, by, effectiveOn] of [
      ['1', asA, today],
      ['5', asA, addDays(today, -60)],
    ] as const) {
      await move(key, by, 'IN_PROGRESS');
      const e = await evidence.submitAttestation(by, {
        requirementId: (await requirement(key)).id,
        title: '結果',
        statement: '完了',
        effectiveOn,
      });
      await move(key, by, 'IMPLEMENTED');
      await evidence.review(Actor.user(auditor), e.id, e.sha256, 'ACCEPTED', null);
      await evidence.signOff(Actor.user(auditor), cm[key]!.id, (await cms.getById(cm[key]!.id)).version, null);
    }
    await move('2', asB, 'IN_PROGRESS');
    await evidence.submitAttestation(asB, {
      requirementId: (await requirement('2')).id,
      title: '監視ログ',
      statement: '設定済み',
      effectiveOn: today,
    });
    await move('4', asB, 'IN_PROGRESS');
    await move('4', asB, 'BLOCKED', 'ベンダー回答待ち');
    await move('6', chief, 'CANCELLED', '別施策に統合');

    const engagements = t.app.get(AuditEngagementsService);
    const engagement = await engagements.create(chief, {
      incidentId: ctx.incident.id,
      title: '外部監査',
      firm: '監査法人',
      leadAuditorId: auditor.id,
    });
    await engagements.move(Actor.user(auditor), engagement.id, engagement.version, 'FIELDWORK', null);
    findingId = (
      await t.app
        .get(AuditFindingsService)
        .raise(Actor.user(auditor), { engagementId: engagement.id, severity: 'HIGH', title: 'ログ保存期間不足' })
    ).id;
    await t.app
      .get(PromotionGateService)
      .create(chief, { incidentId: ctx.incident.id, key: 'new-customer-promotion', name: '新規顧客向け販促', reason: '監査完了まで停止' });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('shows every block of the known case, to the value', async () => {
    const d = await dash();
    const item = (key: string, owner: UserEntity, ownerName: string, status: string, dueDate: string) => ({
      id: cm[key]!.id,
      key: `CM-00${key}`,
      title: cm[key]!.title,
      status,
      dueDate,
      daysOverdue: (Date.parse(today) - Date.parse(dueDate)) / 86_400_000,
      ownerId: owner.id,
      ownerName,
    });
    expect(d).toMatchObject({ asOf: today, incidentId: ctx.incident.id, incidentTitle: '顧客情報漏えい事案', startsOn: start });
    expect(d.totals).toEqual({
      total: 5,
      verified: 2,
      verifiedShare: 0.4,
      requiredTotal: 2,
      requiredVerified: 1,
      requiredVerifiedShare: 0.5,
      open: 3,
      overdue: 1,
      dueSoon: 1,
      blocked: 1,
      atRisk: 1,
    });
    expect(d.byStatus).toEqual(byStatus({ PLANNED: 1, IN_PROGRESS: 1, BLOCKED: 1, VERIFIED: 2, CANCELLED: 1 }));
    expect(d.byCategory).toEqual([
      { category: 'ACCESS_RESTRICTION', status: 'VERIFIED', count: 1 },
      { category: 'MONITORING', status: 'IN_PROGRESS', count: 1 },
      { category: 'MONITORING', status: 'VERIFIED', count: 1 },
      { category: 'GOVERNANCE', status: 'PLANNED', count: 1 },
      { category: 'COMMUNICATION', status: 'CANCELLED', count: 1 },
      { category: 'OTHER', status: 'BLOCKED', count: 1 },
    ]);
    expect(d.overdue).toEqual([item('2', ownerB, '担当 B', 'IN_PROGRESS', addDays(today, -2))]);
    expect(d.overdue[0]!.daysOverdue).toBe(2);
    expect(d.dueSoon).toEqual([item('3', ownerA, '担当 A', 'PLANNED', addDays(today, 3))]);
    expect(d.dueSoon[0]!.daysOverdue).toBe(-3);
    expect(d.blocked).toEqual([
      { ...item('4', ownerB, '担当 B', 'BLOCKED', addDays(today, 20)), reason: 'ベンダー回答待ち', blockedSince: expect.any(String) },
    ]);
    const [blockedAt] = await t.sql<{ at: Date }>(
      `SELECT at FROM countermeasure_transitions WHERE countermeasure_id = $1 AND to_status = 'BLOCKED'`,
      [cm['4']!.id],
    );
    expect(new Date(d.blocked[0]!.blockedSince!).getTime()).toBe(blockedAt!.at.getTime());
    expect(d.atRisk).toEqual([item('5', ownerA, '担当 A', 'VERIFIED', addDays(today, 40))]);
    expect(d.reviewQueue).toEqual({ waiting: 1, oldestUploadedAt: expect.any(String), oldestWaitDays: 0 });
    const [waiting] = await t.sql<{ uploaded_at: Date }>(`SELECT uploaded_at FROM evidence WHERE countermeasure_id = $1`, [cm['2']!.id]);
    expect(new Date(d.reviewQueue.oldestUploadedAt!).getTime()).toBe(waiting!.uploaded_at.getTime());
    expect(d.findings).toEqual({ bySeverity: severities({ HIGH: 1 }), auditStatus: 'FIELDWORK', cleared: false });
    expect(d.ownerLoad).toEqual([
      { ownerId: ownerB.id, ownerName: '担当 B', open: 2, overdue: 1 },
      { ownerId: ownerA.id, ownerName: '担当 A', open: 1, overdue: 0 },
    ]);
    expect(d.burnUp.map((p) => p.day)).toEqual(days(start, today));
    expect(d.burnUp.slice(0, -1).every((p) => p.total === 0 && p.implemented === 0 && p.verified === 0)).toBe(true);
    // The last day of the burn-up is today's totals (implemented: VERIFIED counts as implemented too).
    expect(d.burnUp.at(-1)).toEqual({ day: today, total: d.totals.total, implemented: 2, verified: d.totals.verified });
  });

  it('explains the gate exactly as gate(key) does', async () => {
    const d = await dash();
    const res = await t.gql<{ gate: { key: string; state: string; canPromote: boolean; blockers: Record<string, unknown>[] } }>(
      `{ gate(key: "new-customer-promotion") { key state canPromote blockers { kind itemId itemKey itemTitle ownerId ownerName message } } }`,
      {},
      execToken,
    );
    expect(d.gate).toEqual(res.data!.gate);
    expect(d.gate).toMatchObject({ key: 'new-customer-promotion', state: 'SUSPENDED', canPromote: false });
    expect(d.gate!.blockers.map((b) => [b.kind, b.itemKey])).toEqual([
      ['COUNTERMEASURE_NOT_VERIFIED', 'CM-002'],
      ['NO_AUDIT_CLEARANCE', null],
      ['OPEN_FINDING', 'F-001'],
    ]);
  });

  it('lists the latest activity of the incident, newest first, in words, and nothing about users', async () => {
    const d = await dash();
    expect(d.latestActivity).toHaveLength(15);
    const trail = await t.sql<{ action: string; entity_id: string }>(
      `SELECT action, entity_id FROM audit_trail WHERE entity_type <> 'User' ORDER BY seq DESC LIMIT 15`,
    );
    expect(d.latestActivity.map((a) => [a.action, a.entityId])).toEqual(trail.map((r) => [r.action, r.entity_id]));
    const times = d.latestActivity.map((a) => Date.parse(a.at));
    expect([...times].sort((x, y) => y - x)).toEqual(times);
    expect(d.latestActivity[0]).toMatchObject({ entityType: 'PromotionGate', summary: 'new-customer-promotion' });
    expect(d.latestActivity.map((a) => a.summary)).toContain('CM-006 告知: PLANNED → CANCELLED');
    expect(d.latestActivity.map((a) => a.summary)).toContain('CM-004 持出し制限: IN_PROGRESS → BLOCKED');
    expect(d.latestActivity.find((a) => a.entityId === findingId)).toMatchObject({
      entityType: 'AuditFinding',
      summary: 'F-001 ログ保存期間不足',
    });
    expect(d.latestActivity.some((a) => a.entityType === 'User')).toBe(false);
  });

  it('asOf today is the default; the history path at today gives the same picture as the kept state', async () => {
    const strip = ({ generatedAt: _g, ...rest }: Dash) => rest;
    expect(strip(await dash({ asOf: today }))).toEqual(strip(await dash()));
    const service = t.app.get(DashboardService);
    const drop = ({ generatedAt: _g, source: _s, ...rest }: Awaited<ReturnType<DashboardService['dashboard']>>) => rest;
    const current = await service.dashboard({ incidentId: ctx.incident.id, source: 'current' });
    const history = await service.dashboard({ incidentId: ctx.incident.id, source: 'history' });
    expect(current.source).toBe('current');
    // The gate's history records its blockers at its creation and at each state change: a rebuilt
    // day shows the gate's state then and the blockers of its last recorded change — here, the
    // creation's, which are still today's.
    expect(history.gate!.blockers.length).toBeGreaterThan(0);
    expect(drop(history)).toEqual(drop(current));
  });

  it('asOf yesterday: nothing created today existed yet', async () => {
    const yesterday = addDays(today, -1);
    const d = await dash({ asOf: yesterday });
    expect(d).toMatchObject({
      asOf: yesterday,
      totals: {
        total: 0,
        verified: 0,
        verifiedShare: 0,
        requiredTotal: 0,
        requiredVerified: 0,
        requiredVerifiedShare: 0,
        open: 0,
        overdue: 0,
        dueSoon: 0,
        blocked: 0,
        atRisk: 0,
      },
      byCategory: [],
      overdue: [],
      dueSoon: [],
      blocked: [],
      atRisk: [],
      reviewQueue: { waiting: 0, oldestUploadedAt: null, oldestWaitDays: null },
      findings: { bySeverity: severities({}), auditStatus: null, cleared: false },
      gate: null,
      ownerLoad: [],
      latestActivity: [],
    });
    expect(d.byStatus).toEqual(byStatus({}));
    expect(d.burnUp).toEqual(days(start, yesterday).map((day) => ({ day, total: 0, implemented: 0, verified: 0 })));
  });

  it('refuses an asOf before the incident, in the future or impossible: BAD_USER_INPUT, nothing leaked', async () => {
    const cases: [string, string, string | undefined][] = [
      ['before the incident', addDays(start, -1), 'AS_OF_BEFORE_INCIDENT'],
      ['tomorrow', addDays(today, 1), 'AS_OF_IN_FUTURE'],
      ['impossible day', '2026-02-30', undefined],
      ['not a day', 'yesterday', undefined],
    ];
    for (const [name, asOf, reason] of cases) {
      const res = await t.gql<{ dashboard: Dash }>(DASHBOARD, { asOf }, execToken);
      expect(errorCode(res), name).toBe('BAD_USER_INPUT');
      if (reason) expect(res.errors![0]!.extensions!['reason'], name).toBe(reason);
      expect(res.data ?? null, name).toBeNull();
      const text = JSON.stringify(res.errors);
      expect(text, name).not.toContain('顧客情報漏えい事案');
      expect(text, name).not.toContain(ctx.incident.id);
    }
    // The first day and today are allowed.
    expect((await dash({ asOf: start })).burnUp).toEqual([{ day: start, total: 0, implemented: 0, verified: 0 }]);
  });

  it('an unknown incident is NOT_FOUND', async () => {
    const res = await t.gql(DASHBOARD, { incidentId: '00000000-0000-4000-8000-000000000000' }, execToken);
    expect(errorCode(res)).toBe('NOT_FOUND');
    expect(errorCode(await t.gql(DASHBOARD, { incidentId: 'not-a-uuid' }, execToken))).toBe('NOT_FOUND');
  });

  it('is open to every user role (task force, auditor, executive, admin), not to anonymous callers nor API keys', async () => {
    const expected = await dash();
    for (const role of ['TASK_FORCE', 'AUDITOR', 'EXECUTIVE', 'ADMIN'] as const) {
      const token = role === 'TASK_FORCE' ? memberToken : await (await t.createUser([role])).token();
      const d = await dash({}, token);
      expect(d.totals, role).toEqual(expected.totals);
    }
    const anonymous = await t.gql(DASHBOARD, {});
    expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
    expect(anonymous.data ?? null).toBeNull();
    const key = await t.app.get(ApiKeysService).create(Actor.system('test'), { name: '販促配信システム' });
    const service = await t.gql(DASHBOARD, {}, key.secret);
    expect(errorCode(service)).toBe('FORBIDDEN');
    expect(service.data ?? null).toBeNull();
  });
});

/**
 * A past day rebuilt from the history tables. The clock is real and the
 * services stamp "now", so this test's SETUP moves the history rows of one
 * countermeasure into the past by direct SQL (transitions, a re-planning,
 * an upload and its review), then asks for the days in between.
 */
describe('dashboard as of a past day (history rebuilt)', () => {
  let t: TestApp;
  let today: string;
  let incidentId: string;
  let cmId: string;
  const at = (day: string, hh: string) => `${day}T${hh}:00:00+09:00`;

  beforeAll(async () => {
    t = await TestApp.start();
    today = todayIn(CASE_TIME_ZONE, new Date());
    const ctx = await makeIncident(t, '過去の再現');
    incidentId = ctx.incident.id;
    await t.sql('UPDATE incidents SET detected_on = $1 WHERE id = $2', [addDays(today, -10), incidentId]);
    const owner = await ctx.addMember();
    const auditor = (await t.createUser(['AUDITOR'])).user;
    const cms = t.app.get(CountermeasuresService);
    const evidence = t.app.get(EvidenceService);
    let cm = await makeCountermeasure(t, incidentId, owner.user.id, { dueDate: addDays(today, -3) });
    cmId = cm.id;
    cm = await cms.transition(Actor.user(owner.user), cm.id, cm.version, 'IN_PROGRESS', null);
    const [req] = await cms.requirementsOf([cm.id]);
    const e = await evidence.submitAttestation(Actor.user(owner.user), {
      requirementId: req!.id,
      title: '棚卸し',
      statement: '実施',
      effectiveOn: today,
    });
    await evidence.review(Actor.user(auditor), e.id, e.sha256, 'ACCEPTED', null);
    cm = await cms.getById(cm.id);
    await cms.changeDueDate(Actor.user(ctx.chief.user), cm.id, cm.version, addDays(today, 30), '範囲拡大のため');

    // Test setup, not the product: move the history into the past (the services stamp now).
    // Created 8 days ago, started 6 days ago, evidence uploaded 5 days ago and accepted
    // 2 days ago, the due date (3 days ago) moved out by 30 days yesterday.
    // The transitions move with their triggers on (they keep the per-day status flow and the item's status time); only the
    // frozen evidence and reviews need the triggers off (replica role) to be moved.
    await t.sql(
      `UPDATE countermeasure_transitions SET at = '${at(addDays(today, -8), '12')}' WHERE countermeasure_id = '${cmId}' AND to_status = 'PLANNED';
       UPDATE countermeasure_transitions SET at = '${at(addDays(today, -6), '12')}' WHERE countermeasure_id = '${cmId}' AND to_status = 'IN_PROGRESS';
       SET session_replication_role = replica;
       UPDATE evidence SET uploaded_at = '${at(addDays(today, -5), '10')}', reviewed_at = '${at(addDays(today, -2), '10')}' WHERE id = '${e.id}';
       UPDATE evidence_reviews SET at = '${at(addDays(today, -2), '10')}' WHERE evidence_id = '${e.id}';
       UPDATE countermeasure_due_date_changes SET at = '${at(addDays(today, -1), '12')}' WHERE countermeasure_id = '${cmId}';`,
    );
  });

  afterAll(async () => {
    await t?.close();
  });

  const dashboard = (asOf: string) => t.app.get(DashboardService).dashboard({ incidentId, asOf });

  it('rebuilds status, the due date in force and the review queue for each day', async () => {
    const expectations: [number, string | null, string | null, 'overdue' | 'dueSoon' | null, number, number | null][] = [
      // days ago, status, due date then, which list, waiting for review, oldest wait (days)
      [9, null, null, null, 0, null],
      [7, 'PLANNED', addDays(today, -3), 'dueSoon', 0, null],
      [5, 'IN_PROGRESS', addDays(today, -3), 'dueSoon', 1, 0],
      [4, 'IN_PROGRESS', addDays(today, -3), 'dueSoon', 1, 1],
      [2, 'IN_PROGRESS', addDays(today, -3), 'overdue', 0, null],
      [1, 'IN_PROGRESS', addDays(today, 30), null, 0, null],
    ];
    for (const [ago, status, dueDate, list, waiting, wait] of expectations) {
      const asOf = addDays(today, -ago);
      const d = await dashboard(asOf);
      expect(d.source, asOf).toBe('history');
      expect(d.totals.total, asOf).toBe(status ? 1 : 0);
      expect(
        d.byStatus.filter((s) => s.count > 0),
        asOf,
      ).toEqual(status ? [{ status, count: 1 }] : []);
      expect(d.reviewQueue.waiting, asOf).toBe(waiting);
      expect(d.reviewQueue.oldestWaitDays, asOf).toBe(wait);
      expect(
        d.overdue.map((i) => [i.id, i.dueDate, i.daysOverdue]),
        asOf,
      ).toEqual(list === 'overdue' ? [[cmId, dueDate, (Date.parse(asOf) - Date.parse(dueDate!)) / 86_400_000]] : []);
      expect(
        d.dueSoon.map((i) => [i.id, i.dueDate, i.status]),
        asOf,
      ).toEqual(list === 'dueSoon' ? [[cmId, dueDate, status]] : []);
    }
  });

  it('the burn-up counts the item from the day it was created', async () => {
    const d = await dashboard(today);
    expect(d.source).toBe('current');
    expect(d.burnUp.map((p) => p.total)).toEqual([0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(d.burnUp.every((p) => p.implemented === 0 && p.verified === 0)).toBe(true);
    expect(d.dueSoon).toEqual([]);
    expect(d.overdue).toEqual([]);
    expect(d.reviewQueue.waiting).toBe(0);
    const history = await t.app.get(DashboardService).dashboard({ incidentId, source: 'history' });
    expect({ ...history, generatedAt: null, source: null }).toEqual({ ...d, generatedAt: null, source: null });
  });
});
