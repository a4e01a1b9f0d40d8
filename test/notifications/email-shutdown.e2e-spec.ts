import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { addDays, CASE_TIME_ZONE, SystemClock, todayIn } from '@app/common';
import { NotificationsService } from '@app/notifications';
import { RemindersJob } from '../../apps/api/src/jobs/reminders.job';
import { makeCountermeasure, makeIncident } from '../support/remediation-factory';
import { forgetMailSettings, startSmtp, type TestSmtp } from '../support/smtp-test-server';
import { TestApp } from '../support/test-app';

const MIN = 60_000;

/**
 * A server told to stop while it sends e-mail (a rolling restart after an SMTP outage left a backlog) does not
 * send on until the outbox is empty: the service manager kills a process that outlasts its stop timeout, and a mail
 * the SMTP server had accepted but the tracker had not yet marked SENT then goes out a second time. It finishes the
 * mail it is sending, claims no more, and what is still due waits, PENDING, for another instance or the next start.
 */
describe('notification e-mail when the server stops mid-pass', () => {
  let smtp: TestSmtp;
  let t: TestApp;
  let clockAt = Date.now();

  beforeAll(async () => {
    smtp = await startSmtp();
    vi.spyOn(SystemClock.prototype, 'now').mockImplementation(() => new Date(clockAt));
    t = await TestApp.start({ SMTP_URL: smtp.url, MAIL_FROM: '是正対策管理 <noreply@example.test>' });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
    vi.restoreAllMocks();
    forgetMailSettings();
  });

  it('ends the pass after the e-mail it is sending; the others stay PENDING, unclaimed', async () => {
    const ctx = await makeIncident(t, '顧客情報流出事案');
    const people = [await ctx.addMember(['TASK_FORCE']), await ctx.addMember(['TASK_FORCE']), await ctx.addMember(['TASK_FORCE'])];
    // Each one's reminder e-mail is deferred once by the SMTP server (an outage): three retries due a minute later.
    for (const p of people) {
      smtp.deferNext(p.user.email, 1);
      await makeCountermeasure(t, ctx.incident.id, p.user.id, {
        title: `ログ監視の強化（${p.user.displayName}）`,
        dueDate: addDays(todayIn(CASE_TIME_ZONE, new Date(clockAt)), 1),
      });
    }
    await t.app.get(NotificationsService).runDaily();
    const rows = () =>
      t.sql<{ email_to: string; email_status: string; email_attempts: number }>(
        `SELECT u.email AS email_to, n.email_status, n.email_attempts FROM notifications n JOIN users u ON u.id = n.user_id
          WHERE n.user_id = ANY($1) AND n.kind = 'DUE_IN_1_DAY' ORDER BY u.email`,
        [people.map((p) => p.user.id)],
      );
    expect((await rows()).map((r) => [r.email_status, r.email_attempts])).toEqual([
      ['PENDING', 1],
      ['PENDING', 1],
      ['PENDING', 1],
    ]);
    clockAt += 2 * MIN;

    // The retry pass; the SMTP server is slow with whichever mail comes first: the server is told to stop meanwhile.
    const holds = people.map((p) => ({ email: p.user.email, ...smtp.holdNext(p.user.email) }));
    const job = t.app.get(RemindersJob);
    const pass = job.sendDueEmail();
    const first = await Promise.race(holds.map((h) => h.arrived.then(() => h)));
    const stopping = job.onModuleDestroy();
    for (const h of holds) h.release(); // the slow mail goes through; the others would not be held
    await stopping;
    await pass;

    const after = await rows();
    expect(after.filter((r) => r.email_status === 'SENT').map((r) => r.email_to)).toEqual([first.email]);
    expect(after.filter((r) => r.email_to !== first.email).map((r) => [r.email_status, r.email_attempts])).toEqual([
      ['PENDING', 1],
      ['PENDING', 1],
    ]);
    expect(smtp.received.filter((m) => people.some((p) => m.to.includes(p.user.email)))).toHaveLength(1);
  });
});
