import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { withSessionLock } from '@app/database';
import { freshDatabase } from '../support/fresh-database';

const KEYS = [7_264_110, 990] as const;

/**
 * The session lock that orders work across instances (start-up, checkpoint builds): a holder is waited for, without
 * a limit, or, for work that is safe without the lock, for `waitMs` only: an instance stuck while holding the lock
 * must not stall every other one.
 */
describe('withSessionLock', () => {
  let url: string;
  let holder: Client;

  beforeAll(async () => {
    url = await freshDatabase({ empty: true });
    holder = new Client({ connectionString: url });
    await holder.connect();
  });
  afterAll(async () => holder?.end());

  const waitingSessions = async () =>
    Number(
      (
        await holder.query<{ n: string }>(
          `SELECT count(*) AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND NOT l.granted AND a.application_name = 'remediation-tracker:test'`,
        )
      ).rows[0]!.n,
    );

  it('with waitMs, runs the work once that wait has passed, after saying it waited and gave up', async () => {
    await holder.query('SELECT pg_advisory_lock($1, $2)', [...KEYS]);
    try {
      const said: string[] = [];
      const result = await withSessionLock(url, KEYS, 'test', async () => '棚卸し完了', {
        waiting: () => said.push('waiting'),
        waitMs: 200,
        gaveUp: () => said.push('gave up'),
      });
      expect(result).toBe('棚卸し完了');
      expect(said).toEqual(['waiting', 'gave up']);
    } finally {
      await holder.query('SELECT pg_advisory_unlock($1, $2)', [...KEYS]);
    }
  });

  it('without waitMs, waits for the holder however long, even under a role statement_timeout and lock_timeout', async () => {
    await holder.query(`ALTER ROLE CURRENT_USER IN DATABASE "${new URL(url).pathname.slice(1)}" SET lock_timeout = '100ms'`);
    await holder.query(`ALTER ROLE CURRENT_USER IN DATABASE "${new URL(url).pathname.slice(1)}" SET statement_timeout = '100ms'`);
    await holder.query('SELECT pg_advisory_lock($1, $2)', [...KEYS]);
    let done = false;
    const run = withSessionLock(url, KEYS, 'test', async () => {
      done = true;
      return 1;
    });
    try {
      await vi.waitFor(async () => expect(await waitingSessions()).toBe(1), { timeout: 10_000, interval: 50 });
      // Well past both role timeouts, it is still waiting.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await waitingSessions()).toBe(1);
      expect(done).toBe(false);
    } finally {
      await holder.query('SELECT pg_advisory_unlock($1, $2)', [...KEYS]);
    }
    expect(await run).toBe(1);
    expect(done).toBe(true);
  });
});
