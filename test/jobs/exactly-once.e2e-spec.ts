import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DateRulesJob } from '../../apps/api/src/jobs/date-rules.job';
import { JobQueueService } from '../../apps/api/src/jobs/job-queue.service';
import { TestApp } from '../support/test-app';

/**
 * Two instances of the server on one database, both working the job queue: when both send the same period's job
 * at once (as their cron, a retry or an admin might), the job exists once and its handler runs once, on one of them.
 */
describe('background jobs run once per period across instances', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    a = await TestApp.start({ JOBS_ENABLED: 'true' });
    b = await TestApp.start({ JOBS_ENABLED: 'true' }, { sameDatabaseAs: a });
  });
  afterAll(async () => {
    // In the order they were started (they share the process's TransactionHost: test-app.ts).
    await a?.close();
    await b?.close();
  });

  it('two instances enqueue the same day’s sweeps concurrently: one job, one run', async () => {
    const name = 'date-rule-sweeps';
    expect([a, b].map((t) => t.app.get(JobQueueService).working)).toEqual([true, true]);
    // Counts the queue's runs on either instance (the start-up catch-ups do not go through `daily`).
    const daily = vi.spyOn(DateRulesJob.prototype, 'daily');

    const ids = await Promise.all([a, b, a, b].map((t) => t.app.get(JobQueueService).enqueue(name)));
    const sent = ids.filter((id): id is string => id !== null);
    expect(sent).toHaveLength(1);

    const [id] = sent;
    const deadline = Date.now() + 60_000;
    let state = '';
    while (state !== 'completed') {
      if (Date.now() > deadline) throw new Error(`gave up waiting for job ${id} to complete (state ${state})`);
      await new Promise((r) => setTimeout(r, 200));
      [{ state }] = await a.sql<{ state: string }>(`SELECT state::text AS state FROM pgboss.job WHERE id = $1`, [id]);
    }
    expect(daily).toHaveBeenCalledTimes(1);
    const rows = await a.sql<{ id: string; singleton_key: string }>(`SELECT id, singleton_key FROM pgboss.job WHERE name = $1`, [name]);
    expect(rows).toEqual([{ id, singleton_key: name }]);
    // The period is taken: a later send in it (from either instance) makes no second job.
    expect(await b.app.get(JobQueueService).enqueue(name)).toBeNull();
  });
});
