import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransactionHost } from '@nestjs-cls/transactional';
import { Actor, addDays, CASE_TIME_ZONE, DAY_MS, todayIn } from '@app/common';
import { GateChangeNotifier, NotificationsService } from '@app/notifications';
import { PromotionGateService } from '@app/promotion-gate';
import { listeners, TestSubscriber, until } from '../support/graphql-ws-client';
import { makeCountermeasure, makeIncident } from '../support/remediation-factory';
import { startSmtp } from '../support/smtp-test-server';
import { errorCode, TestApp, type GqlResponse } from '../support/test-app';

// ---- GraphQL ------------------------------------------------------------------------------------

const INBOX = `query($first: Int, $after: String, $unreadOnly: Boolean) {
  notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id kind title body read readAt countermeasureId countermeasureKey evidenceId requirementId riskAcceptanceId gateKey data link email { status sentAt error attempts nextAttemptAt } }
  }
  unreadNotificationCount
}`;
const MARK = `mutation($ids: [ID!], $all: Boolean) { markNotificationsRead(ids: $ids, all: $all) { marked unreadCount } }`;
const PREFS = `{ notificationPreferences { kind inbox email isDefault } }`;
const SET_PREF = `mutation($kind: NotificationKind!, $inbox: Boolean!, $email: Boolean!) { setNotificationPreference(kind: $kind, inbox: $inbox, email: $email) { kind inbox email isDefault } }`;
const RUN = `mutation($weeklyDigest: Boolean) { runReminders(weeklyDigest: $weeklyDigest) { total created { kind count } emailsSent emailsFailed failedKinds } }`;
const ADDED = `subscription { notificationAdded { id kind title countermeasureKey } }`;

const ATTEST = `mutation($input: SubmitEvidenceAttestationInput!) { submitEvidenceAttestation(input: $input) { id sha256 } }`;
const REVIEW = `mutation($input: ReviewEvidenceInput!) { reviewEvidence(input: $input) { decision } }`;
const SIGN = `mutation($input: SignOffCountermeasureInput!) { signOffCountermeasure(input: $input) { digest } }`;
const MOVE = `mutation($input: MoveCountermeasureInput!) { moveCountermeasure(input: $input) { status version } }`;
const DUE = `mutation($input: ChangeCountermeasureDueDateInput!) { changeCountermeasureDueDate(input: $input) { dueDate version } }`;
const ACCEPT_REQ = `mutation($input: AcceptRequirementRiskInput!) { acceptRequirementRisk(input: $input) { id expiresOn } }`;

interface Note {
  id: string;
  kind: string;
  title: string;
  body: string;
  read: boolean;
  readAt: string | null;
  countermeasureId: string | null;
  countermeasureKey: string | null;
  evidenceId: string | null;
  requirementId: string | null;
  riskAcceptanceId: string | null;
  gateKey: string | null;
  data: Record<string, unknown>;
  link: string;
  email: { status: string; sentAt: string | null; error: string | null; attempts: number; nextAttemptAt: string | null } | null;
}
interface Inbox {
  notifications: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: Note[] };
  unreadNotificationCount: number;
}

function ok<T>(res: GqlResponse<T>): T {
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!;
}

describe('reminders and the inbox: nobody has to open the page to learn that something is late', () => {
  let t: TestApp;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let service: NotificationsService;
  let ctx: Awaited<ReturnType<typeof makeIncident>>;
  const today = todayIn(CASE_TIME_ZONE, new Date());
  /** The daily run is made 4 days ahead (set once the data is in): the evidence uploaded now has then waited more than 3 days. */
  let runAt: Date;
  const runDay = addDays(today, 4);

  type Person = Awaited<ReturnType<TestApp['createUser']>> & { tok: string };
  let owner: Person, contributor: Person, bystander: Person, auditor: Person, bouncingAuditor: Person, admin: Person;
  let chiefToken: string;
  const cms: Record<'due7' | 'due1' | 'late' | 'slip' | 'ongoing', { id: string; key: string }> = {} as never;
  let waitingEvidenceId: string;
  let acceptanceId: string;
  let firstRun: Awaited<ReturnType<NotificationsService['runDaily']>>;
  let subs: {
    owner: TestSubscriber<{ notificationAdded: { id: string; kind: string } }>;
    contributor: TestSubscriber<{ notificationAdded: { id: string; kind: string } }>;
  };

  const inbox = async (token: string, vars: Record<string, unknown> = {}) => ok(await t.gql<Inbox>(INBOX, { first: 100, ...vars }, token));
  const kindsOf = (notes: Note[]) => notes.map((n) => `${n.kind}${n.countermeasureKey ? ` ${n.countermeasureKey}` : ''}`).sort();
  const keyOf = (seqKey: { id: string }) =>
    t
      .sql<{ seq: number }>('SELECT seq FROM countermeasures WHERE id = $1', [seqKey.id])
      .then(([r]) => `CM-${String(r!.seq).padStart(3, '0')}`);

  beforeAll(async () => {
    smtp = await startSmtp();
    t = await TestApp.start({
      SMTP_URL: smtp.url,
      MAIL_FROM: '是正対策管理 <noreply@example.test>',
      PUBLIC_BASE_URL: 'https://tracker.example.co.jp/',
    });
    service = t.app.get(NotificationsService);
    ctx = await makeIncident(t);
    chiefToken = await ctx.chief.token();
    const withToken = async (p: Awaited<ReturnType<TestApp['createUser']>>): Promise<Person> => ({ ...p, tok: await p.token() });
    owner = await withToken(await ctx.addMember(['TASK_FORCE'], 'システム運用担当'));
    contributor = await withToken(await ctx.addMember(['TASK_FORCE'], '情報セキュリティ担当'));
    bystander = await withToken(await ctx.addMember(['TASK_FORCE'], '法務担当'));
    auditor = await withToken(await t.createUser(['AUDITOR'], { displayName: '監査 主任' }));
    bouncingAuditor = await withToken(
      await t.createUser(['AUDITOR'], { displayName: '監査 補助', email: `bounce-${Date.now()}@example.test` }),
    );
    admin = await withToken(await t.createUser(['ADMIN']));

    // Due 7 days, 1 day and 1 day late on the run day (today + 4).
    const make = async (over: Parameters<typeof makeCountermeasure>[3]) => {
      const cm = await makeCountermeasure(t, ctx.incident.id, owner.user.id, over);
      return { id: cm.id, key: await keyOf(cm) };
    };
    cms.due7 = await make({ title: '全顧客DBのアクセス権限棚卸し', dueDate: addDays(today, 11), contributorIds: [contributor.user.id] });
    cms.due1 = await make({ title: '委託先との契約見直し', dueDate: addDays(today, 5), contributorIds: [contributor.user.id] });
    cms.late = await make({ title: 'USBメモリの持ち出し禁止', dueDate: addDays(today, 3), contributorIds: [contributor.user.id] });
    cms.slip = await make({ title: 'ログ保管期間の延長', dueDate: addDays(today, 20) });
    cms.ongoing = await make({
      title: '24時間監視',
      category: 'MONITORING',
      ongoing: true,
      dueDate: addDays(today, 60),
      requirements: [{ title: '月次監視レポート', recurrenceDays: 30 }],
    });

    // Evidence waiting for review (uploaded now by the owner: the auditors may review it).
    const reqOf = async (cmId: string) =>
      (await t.sql<{ id: string }>('SELECT id FROM countermeasure_requirements WHERE countermeasure_id = $1', [cmId]))[0]!.id;
    ok(await t.gql(MOVE, { input: { id: cms.late.id, expectedVersion: 1, to: 'IN_PROGRESS' } }, owner.tok));
    waitingEvidenceId = ok(
      await t.gql<{ submitEvidenceAttestation: { id: string } }>(
        ATTEST,
        {
          input: {
            requirementId: await reqOf(cms.late.id),
            title: '持ち出し禁止の周知記録',
            statement: '全社に周知した',
            effectiveOn: today,
          },
        },
        owner.tok,
      ),
    ).submitEvidenceAttestation.id;

    // An operating measure whose monthly report (30-day period) was effective 25 days ago: stale on today + 6.
    ok(await t.gql(MOVE, { input: { id: cms.ongoing.id, expectedVersion: 1, to: 'IN_PROGRESS' } }, owner.tok));
    const report = ok(
      await t.gql<{ submitEvidenceAttestation: { id: string; sha256: string } }>(
        ATTEST,
        {
          input: {
            requirementId: await reqOf(cms.ongoing.id),
            title: '月次監視レポート',
            statement: '24時間監視の月次報告',
            effectiveOn: addDays(today, -25),
          },
        },
        owner.tok,
      ),
    ).submitEvidenceAttestation;
    ok(await t.gql(MOVE, { input: { id: cms.ongoing.id, expectedVersion: 2, to: 'IMPLEMENTED' } }, owner.tok));
    ok(
      await t.gql(
        REVIEW,
        { input: { evidenceId: report.id, sha256: report.sha256, expectedVersion: 1, decision: 'ACCEPTED' } },
        auditor.tok,
      ),
    );
    ok(await t.gql(SIGN, { input: { countermeasureId: cms.ongoing.id, expectedVersion: 3 } }, auditor.tok));
    expect(
      ok(
        await t.gql<{ moveCountermeasure: { status: string } }>(
          MOVE,
          { input: { id: cms.ongoing.id, expectedVersion: 4, to: 'OPERATING' } },
          owner.tok,
        ),
      ).moveCountermeasure.status,
    ).toBe('OPERATING');

    // A risk acceptance (of cm due7's unmet requirement) whose last day is today + 8: 4 days left on the run day.
    acceptanceId = ok(
      await t.gql<{ acceptRequirementRisk: { id: string } }>(
        ACCEPT_REQ,
        {
          input: {
            requirementId: await reqOf(cms.due7.id),
            justification: '代替手段で確認',
            compensatingControls: '週次の目視確認',
            expiresOn: addDays(today, 8),
          },
        },
        chiefToken,
      ),
    ).acceptRequirementRisk.id;

    // A slipped due date (later), for the digest.
    ok(
      await t.gql(
        DUE,
        { input: { id: cms.slip.id, expectedVersion: 1, dueDate: addDays(today, 40), reason: 'ベンダーの納期遅延' } },
        owner.tok,
      ),
    );

    // Preferences: the contributor wants no DUE_IN_1_DAY at all; the chief wants OVERDUE by e-mail only.
    ok(await t.gql(SET_PREF, { kind: 'DUE_IN_1_DAY', inbox: false, email: false }, contributor.tok));
    ok(await t.gql(SET_PREF, { kind: 'OVERDUE', inbox: false, email: true }, chiefToken));

    // The owner and the contributor listen for their new notifications.
    subs = { owner: TestSubscriber.bearer(t, owner.tok, ADDED), contributor: TestSubscriber.bearer(t, contributor.tok, ADDED) };
    await until(() => listeners(t, 'notificationAdded') >= 2 || subs.owner.ended || subs.contributor.ended, 'the subscriptions to be live');
    expect(subs.owner.ended || subs.contributor.ended).toBe(false);

    // uploaded_at cannot be moved back (a trigger keeps evidence immutable): the job's "now" moves forward instead.
    runAt = new Date(Date.now() + 4 * DAY_MS);
    expect(todayIn(CASE_TIME_ZONE, runAt)).toBe(runDay);
    firstRun = await service.runDaily(runAt);
  }, 120_000);

  afterAll(async () => {
    await subs?.owner.dispose();
    await subs?.contributor.dispose();
    await t?.close();
    await smtp?.close();
    // TestApp.start writes its env into process.env: do not leave a closed SMTP server to the next app of this worker.
    delete process.env['SMTP_URL'];
    delete process.env['MAIL_FROM'];
    delete process.env['PUBLIC_BASE_URL'];
  });

  it('the daily run tells each person what concerns them, in Japanese', async () => {
    expect(firstRun.failedKinds).toEqual([]);
    expect(firstRun.created).toMatchObject({
      DUE_IN_7_DAYS: 2,
      DUE_IN_1_DAY: 1,
      OVERDUE: 3,
      REVIEW_WAITING: 2,
      EVIDENCE_GOING_STALE: 1,
      RISK_ACCEPTANCE_EXPIRING: 1,
    });

    const mine = (await inbox(owner.tok)).notifications.nodes;
    expect(kindsOf(mine)).toEqual(
      [
        `DUE_IN_1_DAY ${cms.due1.key}`,
        `DUE_IN_7_DAYS ${cms.due7.key}`,
        `EVIDENCE_GOING_STALE ${cms.ongoing.key}`,
        `OVERDUE ${cms.late.key}`,
      ].sort(),
    );
    const byKind = Object.fromEntries(mine.map((n) => [n.kind, n]));
    expect(byKind['DUE_IN_7_DAYS']!.title).toBe(
      `${cms.due7.key}「全顧客DBのアクセス権限棚卸し」の期限まであと7日（${addDays(today, 11)}）`,
    );
    expect(byKind['DUE_IN_1_DAY']!.title).toBe(`${cms.due1.key}「委託先との契約見直し」の期限は明日（${addDays(today, 5)}）です`);
    expect(byKind['OVERDUE']!.title).toBe(`${cms.late.key}「USBメモリの持ち出し禁止」が期限（${addDays(today, 3)}）を1日過ぎています`);
    expect(byKind['EVIDENCE_GOING_STALE']!.title).toBe(
      `${cms.ongoing.key} の要件「月次監視レポート」の証跡が2日後（${addDays(today, 6)}）に期限切れになります`,
    );
    expect(byKind['OVERDUE']!.body).toContain('担当:');
    expect(byKind['DUE_IN_7_DAYS']).toMatchObject({
      countermeasureId: cms.due7.id,
      read: false,
      data: { dueDate: addDays(today, 11), daysLeft: 7, today: runDay },
    });

    // The contributor: the 7-day reminder and the overdue item, not the 1-day one (turned off), nothing of the ongoing measure.
    const theirs = (await inbox(contributor.tok)).notifications.nodes;
    expect(kindsOf(theirs)).toEqual([`DUE_IN_7_DAYS ${cms.due7.key}`, `OVERDUE ${cms.late.key}`].sort());

    // The auditors: the evidence that has waited 4 days.
    const audit = (await inbox(auditor.tok)).notifications.nodes;
    expect(audit.map((n) => [n.kind, n.evidenceId])).toEqual([['REVIEW_WAITING', waitingEvidenceId]]);
    expect(audit[0]!.title).toBe(`証跡「持ち出し禁止の周知記録」が4日間審査を待っています（${cms.late.key}）`);

    // The chief (an executive who accepted the risk): the expiring acceptance once; OVERDUE by e-mail only, so not in the inbox.
    const chief = (await inbox(chiefToken)).notifications.nodes.filter((n) => n.kind !== 'GATE_CHANGED');
    expect(chief.map((n) => [n.kind, n.riskAcceptanceId])).toEqual([['RISK_ACCEPTANCE_EXPIRING', acceptanceId]]);
    expect(chief[0]!.title).toBe(
      `${cms.due7.key} の要件「アクセス権限の棚卸し結果」のリスク受容があと4日（${addDays(today, 8)}）で終了します`,
    );

    // Someone involved in nothing gets nothing of this.
    expect((await inbox(bystander.tok)).notifications.nodes.filter((n) => n.kind !== 'GATE_CHANGED')).toEqual([]);
  });

  it('running the job again (the same day, or through the mutation) creates nothing new', async () => {
    const again = await service.runDaily(runAt);
    expect(again.total).toBe(0);
    expect(again.emailsSent + again.emailsFailed).toBe(0);
    const [{ n }] = await t.sql<{ n: number }>('SELECT count(*)::int AS n FROM notifications WHERE created_at = $1', [runAt]);
    expect(n).toBe(firstRun.total);
  });

  it('each new notification reaches its recipient’s notificationAdded subscription, and nobody else’s', async () => {
    const ownerIds = (await inbox(owner.tok)).notifications.nodes.map((n) => n.id);
    const contributorIds = (await inbox(contributor.tok)).notifications.nodes.map((n) => n.id);
    await subs.owner.waitForResults(ownerIds.length);
    await subs.contributor.waitForResults(contributorIds.length);
    await new Promise((r) => setTimeout(r, 300)); // anything more would arrive now
    expect(subs.owner.results.map((r) => r.data!.notificationAdded.id).sort()).toEqual([...ownerIds].sort());
    expect(subs.contributor.results.map((r) => r.data!.notificationAdded.id).sort()).toEqual([...contributorIds].sort());
  });

  it('each notification links to where the page shows it: the countermeasure, or the review queue', async () => {
    const mine = (await inbox(owner.tok)).notifications.nodes;
    const linkOf = (kind: string) => mine.find((n) => n.kind === kind)!.link;
    expect(linkOf('DUE_IN_7_DAYS')).toBe(`/?item=${cms.due7.key}`);
    expect(linkOf('DUE_IN_1_DAY')).toBe(`/?item=${cms.due1.key}`);
    expect(linkOf('OVERDUE')).toBe(`/?item=${cms.late.key}`);
    expect(linkOf('EVIDENCE_GOING_STALE')).toBe(`/?item=${cms.ongoing.key}`);
    // The acceptance was of a requirement of cm due7: its countermeasure.
    const [expiring] = (await inbox(chiefToken)).notifications.nodes.filter((n) => n.kind === 'RISK_ACCEPTANCE_EXPIRING');
    expect(expiring!.link).toBe(`/?item=${cms.due7.key}`);
    // The auditor acts in the review queue.
    expect((await inbox(auditor.tok)).notifications.nodes.map((n) => [n.kind, n.link])).toEqual([['REVIEW_WAITING', '/?view=review']]);

    // The e-mail carries the same place as an absolute URL under PUBLIC_BASE_URL (its trailing slash dropped), before the footer.
    const due7 = mine.find((n) => n.kind === 'DUE_IN_7_DAYS')!;
    const mail = smtp.received.find((m) => m.to.includes(owner.user.email) && m.subject === due7.title)!;
    expect(mail.text).toContain(`\n\n画面で確認する: https://tracker.example.co.jp/?item=${cms.due7.key}\n\n--\n`);
    const review = smtp.received.find((m) => m.to.includes(auditor.user.email) && m.subject.includes('審査を待っています'))!;
    expect(review.text).toContain('画面で確認する: https://tracker.example.co.jp/?view=review\n');
  });

  it('e-mail goes through the SMTP server with the Japanese subject, and the delivery is recorded', async () => {
    const due7 = (await inbox(owner.tok)).notifications.nodes.find((n) => n.kind === 'DUE_IN_7_DAYS')!;
    expect(due7.email).toMatchObject({ status: 'SENT', error: null, attempts: 1, nextAttemptAt: null });
    expect(due7.email!.sentAt).not.toBeNull();
    const mail = smtp.received.find((m) => m.to.includes(owner.user.email) && m.subject === due7.title);
    expect(mail, smtp.received.map((m) => `${m.to} ${m.subject}`).join('\n')).toBeDefined();
    expect(mail!.raw).toMatch(/^From: .*<noreply@example\.test>/m);
    expect(mail!.text).toContain(`対策 ${cms.due7.key}「全顧客DBのアクセス権限棚卸し」の期限は ${addDays(today, 11)} です`);
    expect(mail!.text).toContain('是正対策管理システムから自動送信');

    // E-mail only: the chief's OVERDUE was sent although it is not in the inbox.
    const overdue = smtp.received.filter((m) => m.to.includes(ctx.chief.user.email) && m.subject.includes(cms.late.key));
    expect(overdue.map((m) => m.subject)).toEqual([
      `${cms.late.key}「USBメモリの持ち出し禁止」が期限（${addDays(today, 3)}）を1日過ぎています`,
    ]);
  });

  it('a recipient the mail server refuses for good is recorded as failed with the server’s answer, not retried, and the run goes on', async () => {
    expect(firstRun.emailsFailed).toBeGreaterThanOrEqual(1);
    const [note] = (await inbox(bouncingAuditor.tok)).notifications.nodes;
    expect(note!.kind).toBe('REVIEW_WAITING');
    // 550 (mailbox unavailable) would be refused again: given up after the one attempt.
    expect(note!.email).toMatchObject({ status: 'FAILED', sentAt: null, attempts: 1, nextAttemptAt: null });
    expect(note!.email!.error).toMatch(/550|mailbox unavailable/);
    expect(smtp.received.some((m) => m.to.includes(bouncingAuditor.user.email))).toBe(false);
    // The other auditor's copy of the same reminder went out.
    expect((await inbox(auditor.tok)).notifications.nodes[0]!.email!.status).toBe('SENT');
  });

  it('a kind turned off is not created; preferences list every kind with the defaults', async () => {
    const prefs = ok(
      await t.gql<{ notificationPreferences: { kind: string; inbox: boolean; email: boolean; isDefault: boolean }[] }>(
        PREFS,
        {},
        contributor.tok,
      ),
    ).notificationPreferences;
    expect(prefs).toHaveLength(10);
    expect(prefs.find((p) => p.kind === 'DUE_IN_1_DAY')).toEqual({ kind: 'DUE_IN_1_DAY', inbox: false, email: false, isDefault: false });
    expect(prefs.find((p) => p.kind === 'OVERDUE')).toEqual({ kind: 'OVERDUE', inbox: true, email: true, isDefault: true });
    expect(await t.sql(`SELECT 1 FROM notifications WHERE user_id = $1 AND kind = 'DUE_IN_1_DAY'`, [contributor.user.id])).toEqual([]);
    // An unknown kind is refused by the schema.
    expect(errorCode(await t.gql(SET_PREF, { kind: 'EVERYTHING', inbox: true, email: true }, contributor.tok))).toBe('BAD_USER_INPUT');
  });

  it('markNotificationsRead marks one’s own only; another user’s id is NOT_FOUND and nothing changes', async () => {
    const before = await inbox(owner.tok);
    expect(before.unreadNotificationCount).toBe(before.notifications.totalCount);
    const [first, second] = before.notifications.nodes;
    const someoneElses = (await inbox(contributor.tok)).notifications.nodes[0]!.id;

    const refused = await t.gql(MARK, { ids: [first!.id, someoneElses] }, owner.tok);
    expect(errorCode(refused)).toBe('NOT_FOUND');
    expect(refused.errors![0]!.extensions).toMatchObject({ reason: 'NOTIFICATION_NOT_FOUND' });
    expect((await inbox(owner.tok)).unreadNotificationCount).toBe(before.unreadNotificationCount);
    expect((await inbox(contributor.tok)).notifications.nodes.find((n) => n.id === someoneElses)!.read).toBe(false);
    expect(errorCode(await t.gql(MARK, { ids: ['not-an-id'] }, owner.tok))).toBe('NOT_FOUND');
    expect(errorCode(await t.gql(MARK, {}, owner.tok))).toBe('BAD_USER_INPUT');

    expect(ok(await t.gql<{ markNotificationsRead: unknown }>(MARK, { ids: [first!.id] }, owner.tok)).markNotificationsRead).toEqual({
      marked: 1,
      unreadCount: before.unreadNotificationCount - 1,
    });
    // Again: already read, nothing marked, the time kept.
    const readAt = (await inbox(owner.tok)).notifications.nodes.find((n) => n.id === first!.id)!.readAt;
    expect(readAt).not.toBeNull();
    expect(
      ok(await t.gql<{ markNotificationsRead: { marked: number } }>(MARK, { ids: [first!.id] }, owner.tok)).markNotificationsRead.marked,
    ).toBe(0);
    expect((await inbox(owner.tok)).notifications.nodes.find((n) => n.id === first!.id)!.readAt).toBe(readAt);

    const unread = await inbox(owner.tok, { unreadOnly: true });
    expect(unread.notifications.nodes.map((n) => n.id)).not.toContain(first!.id);
    expect(unread.notifications.nodes.map((n) => n.id)).toContain(second!.id);

    expect(ok(await t.gql<{ markNotificationsRead: unknown }>(MARK, { all: true }, owner.tok)).markNotificationsRead).toEqual({
      marked: before.unreadNotificationCount - 1,
      unreadCount: 0,
    });
    // The contributor's inbox is untouched.
    expect((await inbox(contributor.tok)).unreadNotificationCount).toBe((await inbox(contributor.tok)).notifications.totalCount);
  });

  it('the inbox pages newest first with cursors, and holds one’s own notifications only', async () => {
    const all = (await inbox(owner.tok)).notifications;
    const page1 = (await inbox(owner.tok, { first: 2 })).notifications;
    const page2 = (await inbox(owner.tok, { first: 100, after: page1.pageInfo.endCursor })).notifications;
    expect(page1.pageInfo.hasNextPage).toBe(true);
    expect([...page1.nodes, ...page2.nodes].map((n) => n.id)).toEqual(all.nodes.map((n) => n.id));
    const rows = await t.sql<{ user_id: string }>('SELECT user_id FROM notifications WHERE id = ANY($1::uuid[])', [
      all.nodes.map((n) => n.id),
    ]);
    expect(new Set(rows.map((r) => r.user_id))).toEqual(new Set([owner.user.id]));
  });

  it('a gate state change, once committed, tells the executives and the task force', async () => {
    const gates = t.app.get(PromotionGateService);
    await gates.create(Actor.system('test'), {
      incidentId: ctx.incident.id,
      key: 'new-customer-promotion',
      name: '新規顧客向け販促',
      reason: '監査完了まで停止',
    });
    const gateNotes = async (token: string) => (await inbox(token)).notifications.nodes.filter((n) => n.kind === 'GATE_CHANGED');
    const deadline = Date.now() + 15_000;
    while ((await gateNotes(bystander.tok)).length === 0 && Date.now() < deadline) {
      await t.app.get(GateChangeNotifier).idle();
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const token of [chiefToken, owner.tok, contributor.tok, bystander.tok]) {
      const notes = await gateNotes(token);
      expect(notes).toHaveLength(1);
      expect(notes[0]).toMatchObject({
        gateKey: 'new-customer-promotion',
        title: '販売促進の再開判定「新規顧客向け販促」が停止中になりました',
        link: '/',
      });
      expect(notes[0]!.body).toContain('（なし） → 停止中');
    }
    // Auditors are not told (not executives, not on the task force).
    expect(await gateNotes(auditor.tok)).toEqual([]);
    // The daily catch-up does not repeat it.
    expect((await service.runDaily(new Date())).created.GATE_CHANGED).toBe(0);
  });

  it('a gate change that rolls back tells nobody (only committed changes are announced)', async () => {
    const gates = t.app.get(PromotionGateService);
    const create = (key: string) =>
      gates.create(Actor.system('test'), { incidentId: ctx.incident.id, key, name: `販促 ${key}`, reason: '監査完了まで停止' });
    await expect(
      t.app.get(TransactionHost).withTransaction(async () => {
        await create('rolled-back-gate');
        throw new Error('rolled back on purpose');
      }),
    ).rejects.toThrow('rolled back on purpose');
    // A committed change after it: announcements arrive in commit order, so once this one is in, the other would be too.
    await create('committed-gate');
    const deadline = Date.now() + 15_000;
    const gateKeys = async () =>
      (await t.sql<{ gate_key: string }>(`SELECT DISTINCT gate_key FROM notifications WHERE kind = 'GATE_CHANGED' ORDER BY gate_key`)).map(
        (r) => r.gate_key,
      );
    while (!(await gateKeys()).includes('committed-gate') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await t.app.get(GateChangeNotifier).idle();
    await service.runDaily(new Date()); // the catch-up finds no history row of it either
    expect(await gateKeys()).toEqual(['committed-gate', 'new-customer-promotion']);
  });

  it('the weekly digest tells the executives what was verified, what slipped and where the gate stands', async () => {
    const weekLater = new Date(Date.now() + 7 * DAY_MS);
    const run = await service.runWeeklyDigest(weekLater);
    expect(run.created.WEEKLY_DIGEST).toBe(1); // one executive: the chief
    expect((await service.runWeeklyDigest(weekLater)).total).toBe(0);
    const [digest] = (await inbox(chiefToken)).notifications.nodes.filter((n) => n.kind === 'WEEKLY_DIGEST');
    const weekStart = today;
    const weekEnd = addDays(today, 6);
    expect(digest!.title).toBe(`週次サマリー（${weekStart}〜${weekEnd}）: 検証済み1件・遅延3件`);
    expect(digest!.body).toContain(`■ 検証済みになった対策: 1件\n  ・${cms.ongoing.key}「24時間監視」（${today}）`);
    expect(digest!.body).toContain(
      `■ 期限が延びた対策: 1件\n  ・${cms.slip.key}「ログ保管期間の延長」 ${addDays(today, 20)} → ${addDays(today, 40)}（理由: ベンダーの納期遅延）`,
    );
    // Due today + 3 and today + 5: both first late during the week (today .. today + 6), both still open.
    expect(digest!.body).toContain(`■ 今週新たに期限を過ぎた対策: 2件（期限超過は現在 合計2件）`);
    // Each with its owner's name (the identity context's, asked by id).
    expect(digest!.body).toContain(
      `  ・${cms.late.key}「USBメモリの持ち出し禁止」 期限 ${addDays(today, 3)}（担当: ${owner.user.displayName}）`,
    );
    expect(digest!.body).toContain(
      `  ・${cms.due1.key}「委託先との契約見直し」 期限 ${addDays(today, 5)}（担当: ${owner.user.displayName}）`,
    );
    expect(digest!.body).toContain('・新規顧客向け販促（new-customer-promotion）: 停止中');
    expect(digest!.data).toMatchObject({ weekStart, weekEnd, overdueNow: 2 });
    expect(digest!.link).toBe('/'); // the dashboard
    // Only executives get it.
    expect((await inbox(owner.tok)).notifications.nodes.filter((n) => n.kind === 'WEEKLY_DIGEST')).toEqual([]);
    const digestMail = smtp.received.find((m) => m.to.includes(ctx.chief.user.email) && m.subject === digest!.title);
    expect(digestMail?.text).toContain('画面で確認する: https://tracker.example.co.jp/\n');
  });

  it('runReminders is for admins; it returns what it created, and a second call creates nothing', async () => {
    expect(errorCode(await t.gql(RUN, {}, owner.tok))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(RUN, {}, chiefToken))).toBe('FORBIDDEN');
    const first = ok(
      await t.gql<{ runReminders: { total: number; created: { kind: string; count: number }[]; failedKinds: string[] } }>(
        RUN,
        { weeklyDigest: true },
        admin.tok,
      ),
    ).runReminders;
    expect(first.failedKinds).toEqual([]);
    expect(first.total).toBe(first.created.reduce((s, c) => s + c.count, 0));
    // Today's digest covers another week than the one made above: one more for the chief.
    expect(first.created.find((c) => c.kind === 'WEEKLY_DIGEST')!.count).toBe(1);
    const second = ok(await t.gql<{ runReminders: { total: number } }>(RUN, { weeklyDigest: true }, admin.tok)).runReminders;
    expect(second.total).toBe(0);
  });
});
