import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EvidenceStoreReconciler } from '@app/evidence';
import { JobQueueService } from '../../apps/api/src/jobs/job-queue.service';
import { errorCode, TestApp } from '../support/test-app';

/**
 * The background jobs on pg-boss (apps/api/src/jobs): the schedules an instance registers, a job that fails is
 * retried and ends FAILED where admins see it (and only admins), an admin's retry puts it back, and an instance
 * with JOBS_ENABLED=false works no queue. Conditions are polled; nothing here depends on how fast anything runs.
 */

const JOBS = `query($state: BackgroundJobState, $name: String) {
  backgroundJobs(first: 20, state: $state, name: $name) {
    totalCount
    nodes { id name state attempts retryLimit createdOn startedOn completedOn lastError singletonKey }
  }
}`;
const SCHEDULES = `{ backgroundJobSchedules { name cron timezone } }`;
const RETRY = `mutation($id: ID!) { retryBackgroundJob(id: $id) { id name state attempts retryLimit } }`;

interface JobNode {
  id: string;
  name: string;
  state: string;
  attempts: number;
  retryLimit: number;
  createdOn: string;
  startedOn: string | null;
  completedOn: string | null;
  lastError: string | null;
  singletonKey: string | null;
}

/** Polls `probe` until it returns a value (not undefined); the bound only ends a test that would otherwise hang. */
async function eventually<T>(probe: () => Promise<T | undefined>, what: string, boundMs = 60_000): Promise<T> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Takes queue `name` off the instance's schedule clock and frees its current period for the test's own job. The
 * schedule may have fired as the instance started (its minute had come): the test waits until no job of it is
 * pending and moves such a job to the period before, since a queue admits one job per period.
 */
async function offCron(t: TestApp, name: string): Promise<void> {
  await t.sql(`DELETE FROM pgboss.schedule WHERE name = $1`, [name]);
  await eventually(async () => {
    const [{ n }] = await t.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM pgboss.job
        WHERE name = $1 AND state < 'completed'`,
      [name],
    );
    return n === 0 ? true : undefined;
  }, `the scheduled ${name} job to finish`);
  await t.sql(`UPDATE pgboss.job SET singleton_on = singleton_on - interval '1 day' WHERE name = $1`, [name]);
}

describe('an instance that works the job queue (JOBS_ENABLED=true)', () => {
  let t: TestApp;
  let adminToken: string;
  let memberToken: string;
  const jobs = async (vars: { state?: string; name?: string }, token = adminToken) => {
    const res = await t.gql<{ backgroundJobs: { totalCount: number; nodes: JobNode[] } }>(JOBS, vars, token);
    expect(res.errors).toBeUndefined();
    return res.data!.backgroundJobs;
  };

  beforeAll(async () => {
    t = await TestApp.start({ JOBS_ENABLED: 'true' });
    adminToken = await (await t.createUser(['ADMIN'])).token();
    memberToken = await (await t.createUser(['TASK_FORCE'])).token();
  });
  afterAll(async () => t?.close());

  it('registers the schedules in the case’s time zone, and the queues’ retry policy with a dead-letter queue', async () => {
    expect(t.app.get(JobQueueService).working).toBe(true);
    const res = await t.gql<{ backgroundJobSchedules: { name: string; cron: string; timezone: string }[] }>(SCHEDULES, {}, adminToken);
    expect(res.errors).toBeUndefined();
    expect(res.data!.backgroundJobSchedules).toEqual([
      { name: 'daily-reminders', cron: '0 7 * * *', timezone: 'Asia/Tokyo' },
      { name: 'date-rule-sweeps', cron: '0 0 * * *', timezone: 'Asia/Tokyo' },
      { name: 'evidence-store-reconciliation', cron: '17 * * * *', timezone: 'Asia/Tokyo' },
      { name: 'notification-email', cron: '* * * * *', timezone: 'Asia/Tokyo' },
      { name: 'trail-checkpoint-tick', cron: '* * * * *', timezone: 'Asia/Tokyo' },
      { name: 'weekly-digest', cron: '30 7 * * 1', timezone: 'Asia/Tokyo' },
    ]);
    const queues = await t.sql<{ name: string; policy: string; retry_limit: number; retry_backoff: boolean; dead_letter: string }>(
      `SELECT name, policy, retry_limit, retry_backoff, dead_letter FROM pgboss.queue WHERE name IN ('daily-reminders', 'notification-email') ORDER BY name`,
    );
    expect(queues).toEqual([
      { name: 'daily-reminders', policy: 'singleton', retry_limit: 5, retry_backoff: true, dead_letter: 'background-jobs-dead-letter' },
      { name: 'notification-email', policy: 'singleton', retry_limit: 2, retry_backoff: true, dead_letter: 'background-jobs-dead-letter' },
    ]);
    expect(errorCode(await t.gql(SCHEDULES, {}, memberToken))).toBe('FORBIDDEN');
  });

  it('the schedule clock sends, at a minute, the jobs whose cron fires then in Tokyo time, and only those', async () => {
    const queue = t.app.get(JobQueueService);
    const count = async (name: string) =>
      (await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1`, [name]))[0]!.n;
    const everyMinute = ['notification-email', 'trail-checkpoint-tick'];
    // Tuesday 07:00 in Tokyo (Monday 22:00 UTC): the daily reminders (and the every-minute looks), nothing else.
    const seven = await queue.sendScheduled(new Date('2026-12-07T22:00:00Z'));
    for (const n of seven) expect(['daily-reminders', ...everyMinute]).toContain(n);
    expect(await count('daily-reminders')).toBe(1);
    // Monday 07:30 in Tokyo (Sunday 22:30 UTC): the weekly digest.
    for (const n of await queue.sendScheduled(new Date('2026-12-06T22:30:00Z'))) expect(['weekly-digest', ...everyMinute]).toContain(n);
    expect(await count('weekly-digest')).toBe(1);
    // A minute no daily, hourly or weekly schedule fires in sends none of them; a second look in a period makes no second job.
    for (const n of await queue.sendScheduled(new Date('2026-12-07T22:01:00Z'))) expect(everyMinute).toContain(n);
    expect(await queue.sendScheduled(new Date('2026-12-07T22:00:00Z'))).not.toContain('daily-reminders');
    expect(await count('daily-reminders')).toBe(1);
  });

  it('a job that throws is retried, ends FAILED where admins (only) see it, and an admin’s retry runs it again', async () => {
    const name = 'evidence-store-reconciliation';
    // A quick policy for the test (an operator may change pgboss.queue the same way); no scheduled run meanwhile.
    await t.sql(`UPDATE pgboss.queue SET retry_limit = 2, retry_delay = 1, retry_backoff = false WHERE name = $1`, [name]);
    await offCron(t, name);
    const reconcile = vi.spyOn(EvidenceStoreReconciler.prototype, 'reconcile').mockRejectedValue(new Error('証跡ストアを読めません'));
    const id = await t.app.get(JobQueueService).enqueue(name);
    expect(id).not.toBeNull();

    const failed = await eventually(async () => (await jobs({ state: 'FAILED', name })).nodes.find((j) => j.id === id), 'the job to fail');
    expect(failed).toMatchObject({
      name,
      state: 'FAILED',
      attempts: 2,
      retryLimit: 2,
      lastError: '証跡ストアを読めません',
      singletonKey: name,
    });
    expect(reconcile).toHaveBeenCalledTimes(3);
    // Its copy in the dead-letter queue, with the error.
    const dead = await jobs({ name: 'background-jobs-dead-letter' });
    expect(dead.nodes).toEqual([expect.objectContaining({ state: 'CREATED', lastError: '証跡ストアを読めません' })]);

    // Non-admins are refused the list and the retry.
    expect(errorCode(await t.gql(JOBS, { state: 'FAILED' }, memberToken))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(RETRY, { id }, memberToken))).toBe('FORBIDDEN');

    reconcile.mockReset();
    const retried = await t.gql<{ retryBackgroundJob: JobNode }>(RETRY, { id }, adminToken);
    expect(retried.errors).toBeUndefined();
    expect(retried.data!.retryBackgroundJob).toEqual({ id, name, state: 'RETRY', attempts: 2, retryLimit: 3 });
    const done = await eventually(
      async () => (await jobs({ state: 'COMPLETED', name })).nodes.find((j) => j.id === id),
      'the retried job to complete',
    );
    expect(done).toMatchObject({ attempts: 3, lastError: null });
    expect(reconcile).toHaveBeenCalledTimes(1);
    const trail = await t.sql<{ action: string; entity_type: string; after: { state: string } }>(
      `SELECT action, entity_type, after FROM audit_trail WHERE entity_id = $1`,
      [id],
    );
    expect(trail).toEqual([
      { action: 'background_job.retried', entity_type: 'BackgroundJob', after: expect.objectContaining({ state: 'RETRY' }) },
    ]);

    // Only a FAILED job is retried; an unknown one is NOT_FOUND.
    expect(errorCode(await t.gql(RETRY, { id }, adminToken))).toBe('CONFLICT');
    expect(errorCode(await t.gql(RETRY, { id: '00000000-0000-4000-8000-000000000000' }, adminToken))).toBe('NOT_FOUND');
    expect(errorCode(await t.gql(RETRY, { id: 'not-a-job' }, adminToken))).toBe('NOT_FOUND');
  });

  it('pages the list newest first with cursors', async () => {
    // Nobody works the dead-letter queue: its jobs stay as they are while the test pages through them.
    const name = 'background-jobs-dead-letter';
    for (let i = 0; i < 3; i++) await t.sql(`INSERT INTO pgboss.job (name, data) VALUES ($1, '{}')`, [name]);
    const all = await jobs({ name });
    expect(all.totalCount).toBe(4);
    const ids: string[] = [];
    let after: string | null = null;
    do {
      const res: {
        data?: { backgroundJobs: { edges: { cursor: string; node: { id: string } }[]; pageInfo: { hasNextPage: boolean } } } | null;
      } = await t.gql(
        `query($after: String, $name: String) { backgroundJobs(first: 3, after: $after, name: $name) { edges { cursor node { id } } pageInfo { hasNextPage } } }`,
        { after, name },
        adminToken,
      );
      const page = res.data!.backgroundJobs;
      ids.push(...page.edges.map((e) => e.node.id));
      after = page.pageInfo.hasNextPage ? page.edges.at(-1)!.cursor : null;
    } while (after);
    expect(ids).toEqual(all.nodes.map((n) => n.id));
    const created = all.nodes.map((n) => Date.parse(n.createdOn));
    expect(created).toEqual([...created].sort((a, b) => b - a));
  });
  it('the schedule clock sends the every-minute look to its queue, and the worker runs it', async () => {
    const job = await eventually(
      async () => (await jobs({ name: 'trail-checkpoint-tick', state: 'COMPLETED' })).nodes[0],
      'the first scheduled checkpoint look',
      150_000,
    );
    expect(job).toMatchObject({ singletonKey: 'trail-checkpoint-tick', attempts: 0, lastError: null });
  }, 180_000);
});

describe('an instance with JOBS_ENABLED=false', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start({ JOBS_ENABLED: 'false' });
  });
  afterAll(async () => t?.close());

  it('works no queue and registers no schedule, yet may send a job (left for an instance that works the queue)', async () => {
    const queue = t.app.get(JobQueueService);
    expect(queue.working).toBe(false);
    expect(await t.sql(`SELECT name FROM pgboss.schedule`)).toEqual([]);
    const id = await queue.enqueue('weekly-digest');
    expect(id).not.toBeNull();
    expect(await t.sql(`SELECT state::text FROM pgboss.job WHERE id = $1`, [id])).toEqual([{ state: 'created' }]);
  });
});
