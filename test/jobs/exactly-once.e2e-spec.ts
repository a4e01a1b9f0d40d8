import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest';
import { DateRulesJob } from '../../apps/api/src/jobs/date-rules.job';
import { JobQueueService } from '../../apps/api/src/jobs/job-queue.service';
import { TestApp } from '../support/test-app';

/**
 * Two instances of the server on one database, both working the job queue: when both send the same period's job
 * at once (as their cron, a retry or an admin might), the job exists once and its handler runs once, on one of them.
 *
 * The instances' cron is live here: should the sweeps' schedule fire while the test runs (00:00 in Tokyo = 15:00
 * UTC), its job is one more sender of the period. So the test asserts the rule itself (one job per period, one run
 * per job, whoever sent it), not that one of the four sends below was first.
 */
describe('background jobs run once per period across instances', () => {
  let a: TestApp;
  let b: TestApp;
  // Counts the queue's runs on either instance, from before they start (the start-up catch-ups do not go through
  // `daily`), so that a run of a job the cron sent is counted too.
  let daily: MockInstance<DateRulesJob['daily']>;

  beforeAll(async () => {
    daily = vi.spyOn(DateRulesJob.prototype, 'daily');
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
    const jobs = () =>
      a.sql<{ id: string; singleton_key: string; period: string; state: string }>(
        `SELECT id, singleton_key, singleton_on::text AS period, state::text AS state FROM pgboss.job WHERE name = $1`,
        [name],
      );

    const ids = await Promise.all([a, b, a, b].map((t) => t.app.get(JobQueueService).enqueue(name)));
    const sent = ids.filter((id): id is string => id !== null);
    // At most one of the four got a job made (none if the cron had sent this period's job already).
    expect(sent.length).toBeLessThanOrEqual(1);

    const made = await jobs();
    expect(made.length).toBeGreaterThanOrEqual(1);
    // One job per period, whoever sent it, each with the queue's key.
    expect(new Set(made.map((j) => j.period)).size).toBe(made.length);
    for (const j of made) expect(j.singleton_key).toBe(name);
    for (const id of sent) expect(made.map((j) => j.id)).toContain(id);

    const deadline = Date.now() + 60_000;
    while ((await jobs()).some((j) => j.state !== 'completed')) {
      if (Date.now() > deadline) throw new Error(`gave up waiting for the ${name} jobs to complete: ${JSON.stringify(await jobs())}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    // Each job ran once, on one of the two instances.
    expect(daily).toHaveBeenCalledTimes((await jobs()).length);

    // The period is taken: a later send in it (from either instance) makes no second job; one in a new period (the
    // clock passed a period's end meanwhile) makes that period's one job.
    const before = (await jobs()).length;
    const later = await b.app.get(JobQueueService).enqueue(name);
    const after = await jobs();
    expect(after).toHaveLength(before + (later === null ? 0 : 1));
    expect(new Set(after.map((j) => j.period)).size).toBe(after.length);
  });
});
