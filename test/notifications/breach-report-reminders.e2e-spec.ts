import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, CASE_TIME_ZONE, DAY_MS, todayIn } from '@app/common';
import { NotificationsService } from '@app/notifications';
import { makeIncident } from '../support/remediation-factory';
import { TestApp, type GqlResponse } from '../support/test-app';

/**
 * Reminders before the PPC report deadlines (issue 15): the incident's chief, its legal lead and the executives hear
 * 7, 2 and 1 days before a mandatory report falls due (and on the day), and every day while it is late, in their inbox
 * with a link to the incident's duties section; a plain task-force member and an auditor do not; a second run the
 * same day creates nothing; a submitted filing stops its reminders; a corrected knownAt starts new ones; an incident
 * whose breach needs no report (no case applies) gives none.
 */

const OPEN = `mutation($input: OpenBreachNotificationInput!) { openBreachNotification(input: $input) { id version deadlines { kind dueOn state daysLeft } } }`;
const CORRECT = `mutation($input: CorrectBreachNotificationInput!) { correctBreachNotification(input: $input) { id version deadlines { kind dueOn state daysLeft } } }`;
const LEGAL_LEAD = `mutation($input: SetTaskForceLegalLeadInput!) { setTaskForceLegalLead(input: $input) { version } }`;
const DRAFT = `mutation($input: CreateBreachFilingDraftInput!) { createBreachFilingDraft(input: $input) { id version } }`;
const SUBMIT = `mutation($input: SubmitBreachFilingInput!) { submitBreachFiling(input: $input) { id status } }`;
const INBOX = `{ notifications(first: 100) { nodes { kind title body incidentId link data } } }`;

interface Note {
  kind: string;
  title: string;
  body: string;
  incidentId: string | null;
  link: string;
  data: Record<string, unknown>;
}
interface Deadline {
  kind: string;
  dueOn: string;
  state: string;
  daysLeft: number | null;
}
type Record_ = { id: string; version: number; deadlines: Deadline[] };

function ok<T>(res: GqlResponse<T>): T {
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!;
}

/** 2026-08-31 → 2026年8月31日 */
const ja = (day: string) => {
  const [y, m, d] = day.split('-').map(Number);
  return `${y}年${m}月${d}日`;
};

describe('reminders before the PPC report deadlines', () => {
  let t: TestApp;
  let service: NotificationsService;
  /** The daily runs are made at fixed instants (runAt, then a day and two days later), so the day never depends on when the test runs. */
  const runAt = new Date();
  const today = todayIn(CASE_TIME_ZONE, runAt);
  /** Day 1 of the count: the final report (30 days) is due on knowledgeDay + 29 = today + 7; the preliminary (5 days) on today − 18. */
  const knowledgeDay = addDays(today, -22);
  const finalDue = addDays(today, 7);
  const preliminaryDue = addDays(today, -18);

  type Person = { id: string; token: string };
  let chief: Person, lawyer: Person, member: Person, auditor: Person, executive: Person;
  let incidentId: string;
  let quietIncidentId: string;
  let record: Record_;
  let firstRun: Awaited<ReturnType<NotificationsService['runDaily']>>;

  const person = async (p: Awaited<ReturnType<TestApp['createUser']>>): Promise<Person> => ({ id: p.user.id, token: await p.token() });
  const inbox = async (p: Person) => ok(await t.gql<{ notifications: { nodes: Note[] } }>(INBOX, {}, p.token)).notifications.nodes;
  const breachNotes = async (p: Person) => (await inbox(p)).filter((n) => n.kind.startsWith('BREACH_REPORT_'));
  const recordInput = (over: Record<string, unknown> = {}) => ({
    knownAt: `${knowledgeDay}T10:00:00+09:00`,
    cases: [{ code: 'SENSITIVE_DATA', rationale: '健康診断の結果（要配慮個人情報）を含むファイルが外部から閲覧可能だった' }],
    individualsEstimate: 420,
    individualsEstimatedOn: knowledgeDay,
    authorityCode: 'PPC',
    reporter: '株式会社テスト通信教育',
    ...over,
  });

  beforeAll(async () => {
    t = await TestApp.start();
    service = t.app.get(NotificationsService);
    const ctx = await makeIncident(t, '通信教育顧客情報の漏えい');
    incidentId = ctx.incident.id;
    chief = await person(ctx.chief);
    const lawyerUser = await ctx.addMember(['TASK_FORCE'], '法務担当');
    lawyer = await person(lawyerUser);
    member = await person(await ctx.addMember(['TASK_FORCE'], '情報システム担当'));
    auditor = await person(await t.createUser(['AUDITOR'], { displayName: '監査 主任' }));
    executive = await person(await t.createUser(['EXECUTIVE'], { displayName: '専務 一郎' }));

    // The chief grants the legal lead (setTaskForceLegalLead), who then opens the record.
    const [incident] = await t.sql<{ version: number }>(`SELECT version FROM incidents WHERE id = $1`, [incidentId]);
    const [membership] = await t.sql<{ id: string }>(`SELECT id FROM task_force_members WHERE user_id = $1`, [lawyer.id]);
    ok(await t.gql(LEGAL_LEAD, { input: { memberId: membership!.id, legalLead: true, expectedVersion: incident!.version } }, chief.token));
    record = ok(
      await t.gql<{ openBreachNotification: Record_ }>(OPEN, { input: { incidentId, ...recordInput() } }, lawyer.token),
    ).openBreachNotification;

    // An incident whose breach needs no report: no case asserted, 800 individuals (not over 1,000).
    const quiet = await makeIncident(t, '社内メールの誤送信');
    quietIncidentId = quiet.incident.id;
    const quietRecord = ok(
      await t.gql<{ openBreachNotification: Record_ }>(
        OPEN,
        { input: { incidentId: quietIncidentId, ...recordInput({ cases: [], individualsEstimate: 800 }) } },
        await quiet.chief.token(),
      ),
    ).openBreachNotification;
    expect(quietRecord.deadlines.map((d) => d.state)).toEqual(['NOT_REQUIRED', 'NOT_REQUIRED']);

    firstRun = await service.runDaily(runAt);
  });
  afterAll(async () => t?.close());

  it('the record says what the reminders are made from: the final report due in 7 days, the preliminary report 18 days late', () => {
    expect(record.deadlines).toEqual([
      { kind: 'PRELIMINARY', dueOn: preliminaryDue, state: 'LATE', daysLeft: -18 },
      { kind: 'FINAL', dueOn: finalDue, state: 'OPEN', daysLeft: 7 },
    ]);
    expect(firstRun.failedKinds).toEqual([]);
  });

  it('the chief, the legal lead and an executive are told the final report is due in 7 days, with a link to the duties section', async () => {
    for (const p of [chief, lawyer, executive]) {
      const due = (await breachNotes(p)).filter((n) => n.kind === 'BREACH_REPORT_DUE');
      expect(due).toHaveLength(1);
      expect(due[0]!.title).toBe(`確報の期限まで残り7日（${ja(finalDue)}）`);
      expect(due[0]!.body).toContain('インシデント「通信教育顧客情報の漏えい」の個人情報保護委員会への確報の期限');
      expect(due[0]!.body).toContain('Final report due in 7 days');
      expect(due[0]!.incidentId).toBe(incidentId);
      expect(due[0]!.link).toBe(`/?incident=${incidentId}#duties`);
      expect(due[0]!.data).toMatchObject({ filingKind: 'FINAL', dueOn: finalDue, daysLeft: 7, today });
    }
  });

  it('the late preliminary report gives BREACH_REPORT_OVERDUE to the same people, as guidance (目安日)', async () => {
    for (const p of [chief, lawyer, executive]) {
      const late = (await breachNotes(p)).filter((n) => n.kind === 'BREACH_REPORT_OVERDUE');
      expect(late.map((n) => n.title)).toEqual([`速報の目安日を18日過ぎています（目安日 ${ja(preliminaryDue)}）`]);
      expect(late[0]!.body).toContain('個人情報保護委員会の目安であり、法定の期限ではありません');
    }
  });

  it('a plain task-force member and an auditor are not reminded', async () => {
    expect(await breachNotes(member)).toEqual([]);
    expect(await breachNotes(auditor)).toEqual([]);
  });

  it('an incident whose breach needs no report (NOT_REQUIRED) gives no reminder at all', async () => {
    expect(await t.sql(`SELECT 1 FROM notifications WHERE incident_id = $1`, [quietIncidentId])).toEqual([]);
  });

  it('a second run the same day creates nothing new', async () => {
    const again = await service.runDaily(runAt);
    expect(again.created.BREACH_REPORT_DUE).toBe(0);
    expect(again.created.BREACH_REPORT_OVERDUE).toBe(0);
    expect((await breachNotes(lawyer)).length).toBe(2);
  });

  it('the next day: one more overdue reminder (19 days), no due reminder (6 days left: the 7-day one was sent)', async () => {
    const next = await service.runDaily(new Date(runAt.getTime() + DAY_MS));
    expect(next.created.BREACH_REPORT_DUE).toBe(0);
    const late = (await breachNotes(lawyer)).filter((n) => n.kind === 'BREACH_REPORT_OVERDUE').map((n) => n.title);
    expect(late.sort()).toEqual([
      `速報の目安日を18日過ぎています（目安日 ${ja(preliminaryDue)}）`,
      `速報の目安日を19日過ぎています（目安日 ${ja(preliminaryDue)}）`,
    ]);
  });

  it('a submitted preliminary report stops its reminders', async () => {
    const draft = ok(
      await t.gql<{ createBreachFilingDraft: { id: string; version: number } }>(
        DRAFT,
        { input: { incidentId, kind: 'PRELIMINARY' } },
        lawyer.token,
      ),
    ).createBreachFilingDraft;
    ok(
      await t.gql(
        SUBMIT,
        { input: { filingId: draft.id, expectedVersion: draft.version, channel: 'PPC_WEB_FORM', referenceNumber: '受付-0001' } },
        lawyer.token,
      ),
    );
    const later = await service.runDaily(new Date(runAt.getTime() + 2 * DAY_MS));
    expect(later.created.BREACH_REPORT_OVERDUE).toBe(0);
    expect(later.created.BREACH_REPORT_DUE).toBe(0);
    expect((await breachNotes(chief)).length).toBe(3);
  });

  it('a corrected knownAt (the final report now due a day earlier) starts new reminders for the new due day', async () => {
    const corrected = ok(
      await t.gql<{ correctBreachNotification: Record_ }>(
        CORRECT,
        {
          input: {
            notificationId: record.id,
            expectedVersion: record.version,
            ...recordInput({ knownAt: `${addDays(knowledgeDay, -1)}T10:00:00+09:00`, individualsEstimatedOn: addDays(knowledgeDay, -1) }),
          },
        },
        lawyer.token,
      ),
    ).correctBreachNotification;
    const newDue = addDays(finalDue, -1);
    expect(corrected.deadlines.find((d) => d.kind === 'FINAL')!.dueOn).toBe(newDue);
    const run = await service.runDaily(new Date(runAt.getTime() + 2 * DAY_MS));
    expect(run.created.BREACH_REPORT_OVERDUE).toBe(0);
    const due = (await breachNotes(executive)).filter((n) => n.kind === 'BREACH_REPORT_DUE').map((n) => n.title);
    expect(due.sort()).toEqual([`確報の期限まで残り4日（${ja(newDue)}）`, `確報の期限まで残り7日（${ja(finalDue)}）`].sort());
    expect(await breachNotes(member)).toEqual([]);
  });
});
