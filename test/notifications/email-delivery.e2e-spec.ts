import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Actor, addDays, CASE_TIME_ZONE, SystemClock, todayIn } from '@app/common';
import { UsersService } from '@app/identity';
import { NotificationsService } from '@app/notifications';
import { RemindersJob } from '../../apps/api/src/jobs/reminders.job';
import { until } from '../support/graphql-ws-client';
import { makeCountermeasure, makeIncident } from '../support/remediation-factory';
import { forgetMailSettings, startSmtp, type TestSmtp } from '../support/smtp-test-server';
import { TestApp, type GqlResponse } from '../support/test-app';

const MIN = 60_000;
const MAIL_ENV = { MAIL_FROM: '是正対策管理 <noreply@example.test>' };

const INBOX = `{ notifications(first: 50) { nodes { id kind title link email { status attempts error sentAt nextAttemptAt } } } }`;
const SET_PREF = `mutation($kind: NotificationKind!, $inbox: Boolean!, $email: Boolean!) { setNotificationPreference(kind: $kind, inbox: $inbox, email: $email) { kind } }`;

interface Note {
  id: string;
  kind: string;
  title: string;
  link: string;
  email: { status: string; attempts: number; error: string | null; sentAt: string | null; nextAttemptAt: string | null } | null;
}

function ok<T>(res: GqlResponse<T>): T {
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!;
}

describe('PUBLIC_BASE_URL', () => {
  it('a server given an invalid PUBLIC_BASE_URL refuses to start and names it, before it starts anything', async () => {
    // The server from its sources (dist/ is built by others, and may not hold this setting yet), as its own process.
    const root = path.resolve(__dirname, '../..');
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-public-url-'));
    try {
      const child = spawn(
        path.join(root, 'node_modules/.bin/tsx'),
        ['--tsconfig', path.join(root, 'tsconfig.json'), path.join(root, 'apps/api/src/main.ts')],
        {
          cwd: dataDir, // no .env file of the developer's
          env: {
            PATH: process.env.PATH,
            HOME: process.env.HOME,
            DATA_DIR: dataDir,
            LOG_LEVEL: 'warn',
            PUBLIC_BASE_URL: 'https://tracker.example.co.jp/?from=mail',
          },
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
      // A server that started after all is stopped (and the test fails on its exit code).
      const stop = setTimeout(() => child.kill('SIGKILL'), 90_000);
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      clearTimeout(stop);
      expect(code).toBe(1);
      expect(stderr).toContain('PUBLIC_BASE_URL: PUBLIC_BASE_URL must be an http:// or https:// URL without user, query or fragment');
      expect(fs.existsSync(path.join(dataDir, 'pg'))).toBe(false); // no database was started
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});

/**
 * Time is the app's injected Clock (SystemClock), pinned and moved forward by
 * the test; the every-minute job does not run (TestApp works no job queue:
 * JOBS_ENABLED=false), so that each pass is the test's own
 * (`RemindersJob.sendDueEmail`, what the job runs), except the one a starting
 * server makes by itself.
 */
describe('notification e-mail is delivered at least once: retried with back-off, across a restart, never twice at once', () => {
  let smtp: TestSmtp;
  let t: TestApp;
  let ctx: Awaited<ReturnType<typeof makeIncident>>;
  let clockAt = Date.now();
  const advance = (ms: number) => (clockAt += ms);

  const start = (restartOf?: TestApp) => TestApp.start({ SMTP_URL: smtp.url, ...MAIL_ENV }, { restartOf });
  const pass = () => t.app.get(RemindersJob).sendDueEmail();
  const inboxOf = async (token: string) => ok(await t.gql<{ notifications: { nodes: Note[] } }>(INBOX, {}, token)).notifications.nodes;
  /** A TASK_FORCE member who owns an item due tomorrow; the daily run (at the test's time) makes their DUE_IN_1_DAY reminder and its e-mail. */
  const remindedOwner = async (smtpDeferrals: number) => {
    const person = await ctx.addMember(['TASK_FORCE']);
    smtp.deferNext(person.user.email, smtpDeferrals);
    const cm = await makeCountermeasure(t, ctx.incident.id, person.user.id, {
      dueDate: addDays(todayIn(CASE_TIME_ZONE, new Date(clockAt)), 1),
    });
    await t.app.get(NotificationsService).runDaily();
    const [{ id, seq }] = await t.sql<{ id: string; seq: number }>(
      `SELECT n.id, c.seq FROM notifications n JOIN countermeasures c ON c.id = n.countermeasure_id WHERE n.user_id = $1 AND n.countermeasure_id = $2 AND n.kind = 'DUE_IN_1_DAY'`,
      [person.user.id, cm.id],
    );
    return { ...person, notificationId: id, cmKey: `CM-${String(seq).padStart(3, '0')}` };
  };
  const row = async (id: string) =>
    (
      await t.sql<{ email_status: string; email_attempts: number; email_next_attempt_at: Date | null; email_error: string | null }>(
        'SELECT email_status, email_attempts, email_next_attempt_at, email_error FROM notifications WHERE id = $1',
        [id],
      )
    )[0]!;

  beforeAll(async () => {
    smtp = await startSmtp();
    // Every SystemClock (this app's, and the restarted one's) reads the test's time.
    vi.spyOn(SystemClock.prototype, 'now').mockImplementation(() => new Date(clockAt));
    t = await start();
    ctx = await makeIncident(t);
  }, 120_000);

  afterEach(() => {
    // Time only moves forward between the tests too.
    advance(MIN);
  });

  afterAll(async () => {
    await t?.close();
    await smtp?.close();
    vi.restoreAllMocks();
    forgetMailSettings();
  });

  it('a mail the server defers arrives on a later attempt (after 1 min, then 5 min); its owner sees each attempt', async () => {
    const owner = await remindedOwner(2);
    const tok = await owner.token();
    const t0 = clockAt;
    const note = () => inboxOf(tok).then((notes) => notes.find((n) => n.id === owner.notificationId)!);

    // The first attempt, right after the run, was deferred (451): to be tried again in a minute.
    expect(await note()).toMatchObject({ kind: 'DUE_IN_1_DAY', link: `/?item=${owner.cmKey}` });
    expect((await note()).email).toMatchObject({
      status: 'PENDING',
      attempts: 1,
      sentAt: null,
      nextAttemptAt: new Date(t0 + MIN).toISOString(),
    });
    expect((await note()).email!.error).toMatch(/451.*try again later/);
    expect(smtp.attemptsFor(owner.user.email)).toBe(1);

    // Not before its time.
    advance(MIN - 1000);
    await pass();
    expect(smtp.attemptsFor(owner.user.email)).toBe(1);

    // Attempt 2, one minute after the first: deferred again; the next in 5 minutes.
    advance(1000);
    await pass();
    expect(smtp.attemptsFor(owner.user.email)).toBe(2);
    expect((await note()).email).toMatchObject({
      status: 'PENDING',
      attempts: 2,
      nextAttemptAt: new Date(t0 + MIN + 5 * MIN).toISOString(),
    });

    advance(5 * MIN);
    await pass();
    expect((await note()).email).toMatchObject({
      status: 'SENT',
      attempts: 3,
      error: null,
      nextAttemptAt: null,
      sentAt: new Date(clockAt).toISOString(),
    });
    const mails = smtp.received.filter((m) => m.to.includes(owner.user.email));
    expect(mails.map((m) => m.subject)).toEqual([(await note()).title]);
    // This server has no PUBLIC_BASE_URL: the e-mail has no link (a bare path is no use in a mail client); the inbox has it.
    expect(mails[0]!.text).not.toContain('画面で確認する');
    expect(mails[0]!.text).not.toContain('?item=');

    // Sent is sent: later passes send nothing more.
    advance(24 * 60 * MIN);
    await pass();
    expect(smtp.attemptsFor(owner.user.email)).toBe(3);
  });

  it('passes running at the same time (as on two servers) never send one e-mail twice', async () => {
    const userId = ctx.chief.user.id;
    const count = 120;
    // Factory: notifications whose e-mail is due now (as a run leaves them, before its own pass).
    await t.sql(
      `INSERT INTO notifications (user_id, kind, title, body, dedupe_key, in_inbox, created_at, email_status, email_to, email_next_attempt_at)
       SELECT $1, 'GATE_CHANGED', '一斉送信 ' || i, '本文 ' || i, 'TEST-MANY:' || i, false, $2, 'PENDING', 'many-' || i || '@example.test', $2
       FROM generate_series(1, $3::int) AS i`,
      [userId, new Date(clockAt), count],
    );
    const service = t.app.get(NotificationsService);
    // Each pass claims batches of 50 while the others send theirs: they share the rows, each sent by one.
    const passes = await Promise.all([1, 2, 3].map(() => service.deliverPendingEmail()));
    expect(passes.reduce((sum, p) => sum + p.sent, 0)).toBe(count);
    expect(passes.filter((p) => p.sent > 0).length).toBeGreaterThanOrEqual(2);

    const addresses = smtp.received.flatMap((m) => m.to).filter((a) => a.startsWith('many-'));
    expect(addresses).toHaveLength(count);
    expect(new Set(addresses).size).toBe(count);
    expect(
      await t.sql(
        `SELECT email_status, email_attempts, count(*)::int AS n FROM notifications WHERE dedupe_key LIKE 'TEST-MANY:%' GROUP BY 1, 2`,
      ),
    ).toEqual([{ email_status: 'SENT', email_attempts: 1, n: count }]);
  });

  it('turning e-mail off for the kind after a failed attempt stops the retries', async () => {
    const person = await remindedOwner(10);
    expect(await row(person.notificationId)).toMatchObject({ email_status: 'PENDING', email_attempts: 1 });
    ok(await t.gql(SET_PREF, { kind: 'DUE_IN_1_DAY', inbox: true, email: false }, await person.token()));

    advance(MIN);
    await pass();
    const after = await row(person.notificationId);
    expect(after).toMatchObject({ email_status: 'FAILED', email_attempts: 1, email_next_attempt_at: null });
    expect(after.email_error).toMatch(/^not sent: e-mail for this kind was turned off \(after: .*451/);
    advance(24 * 60 * MIN);
    await pass();
    expect(smtp.attemptsFor(person.user.email)).toBe(1);
  });

  it('a recipient deactivated after a failed attempt is sent nothing more, and the row says why', async () => {
    const person = await remindedOwner(10);
    const bystander = await remindedOwner(10);
    const users = t.app.get(UsersService);
    await users.deactivate(Actor.system('test'), person.user.id, (await users.getById(person.user.id)).version);

    advance(MIN);
    await pass();
    const after = await row(person.notificationId);
    expect(after).toMatchObject({ email_status: 'FAILED', email_attempts: 1, email_next_attempt_at: null });
    expect(after.email_error).toMatch(/^not sent: the recipient was deactivated \(after: .*451/);
    // Someone still active keeps their retries (their second attempt was just made).
    expect(await row(bystander.notificationId)).toMatchObject({ email_status: 'PENDING', email_attempts: 2 });
    advance(24 * 60 * MIN);
    await pass();
    expect(smtp.attemptsFor(person.user.email)).toBe(1);
  });

  it('a mail that keeps failing is tried six times over about 15 hours, then given up with the last answer', async () => {
    const person = await remindedOwner(1000);
    const waits = [1, 5, 30, 120, 720].map((m) => m * MIN);
    for (const [i, wait] of waits.entries()) {
      expect(await row(person.notificationId)).toMatchObject({ email_status: 'PENDING', email_attempts: i + 1 });
      advance(wait - 1000);
      await pass();
      expect(smtp.attemptsFor(person.user.email)).toBe(i + 1); // not yet
      advance(1000);
      await pass();
      expect(smtp.attemptsFor(person.user.email)).toBe(i + 2);
    }
    const given = await row(person.notificationId);
    expect(given).toMatchObject({ email_status: 'FAILED', email_attempts: 6, email_next_attempt_at: null });
    expect(given.email_error).toMatch(/^gave up after 6 attempts; last: .*451/);
    const [note] = (await inboxOf(await person.token())).filter((n) => n.id === person.notificationId);
    expect(note!.email).toMatchObject({ status: 'FAILED', attempts: 6, nextAttemptAt: null, sentAt: null });

    advance(7 * 24 * 60 * MIN);
    await pass();
    expect(smtp.attemptsFor(person.user.email)).toBe(6);
    expect(smtp.received.some((m) => m.to.includes(person.user.email))).toBe(false);
  });

  it('what a stopped server left unsent — a retry, and a mail it was sending when it died — goes out when the next one starts', async () => {
    const retry = await remindedOwner(1);
    const crashed = await remindedOwner(1);
    // As a process that died in the middle of sending leaves it: claimed (SENDING) until its lease lapses.
    await t.sql(`UPDATE notifications SET email_status = 'SENDING', email_next_attempt_at = $2 WHERE id = $1`, [
      crashed.notificationId,
      new Date(clockAt + 15 * MIN),
    ]);
    await t.close();

    // Down for 20 minutes: the retry is due, the dead claim has lapsed.
    advance(20 * MIN);
    t = await TestApp.start({ SMTP_URL: smtp.url, ...MAIL_ENV }, { restartOf: t });
    // No pass of the test: the server's own start-up pass sends them.
    await until(
      () => [retry, crashed].every((p) => smtp.received.some((m) => m.to.includes(p.user.email))),
      'the mails left behind to arrive',
    );
    await pass();

    expect(await row(retry.notificationId)).toMatchObject({ email_status: 'SENT', email_attempts: 2, email_error: null });
    expect(await row(crashed.notificationId)).toMatchObject({ email_status: 'SENT', email_attempts: 2 });
    expect(smtp.received.filter((m) => m.to.includes(retry.user.email))).toHaveLength(1);
    expect(smtp.received.filter((m) => m.to.includes(crashed.user.email))).toHaveLength(1);
  });
});
