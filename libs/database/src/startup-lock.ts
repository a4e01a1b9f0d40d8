import { Client } from 'pg';

/**
 * The session-level advisory lock around the work an instance does once at start, after the migrations (the
 * admin from ADMIN_EMAIL, the demo case): the two-key form, beside the migrations' [7_264_110, 900].
 */
export const STARTUP_LOCK_KEYS = [7_264_110, 901] as const;

/**
 * The session-level advisory lock around building and signing a trail checkpoint (TrailCheckpointsService):
 * instances that learn of the same commit build the trail's tree one at a time, and those after the first find
 * it covered instead of hashing the whole trail again.
 */
export const CHECKPOINT_BUILD_LOCK_KEYS = [7_264_110, 902] as const;

/**
 * Runs `work` while this process holds the session-level advisory lock `keys` (two-key form). `work` uses the
 * app's own connections; the lock is held on a connection of its own to `directUrl` (DATABASE_DIRECT_URL, or the
 * database's URL: a session lock does not survive a transaction pooler), idle meanwhile (no transaction is held
 * open), and let go when that session ends, on every path: a process that dies mid-way lets the next one go on,
 * and what it had not committed is not there. Another process holding it is waited for: without a limit, or for
 * `opts.waitMs` when the work is safe without the lock (then `work` runs anyway, after `opts.gaveUp`); `opts.waiting` is told when the wait begins, so that a
 * process stuck while holding it does not stall every other one.
 */
export async function withSessionLock<T>(
  directUrl: string,
  keys: readonly [number, number],
  name: string,
  work: () => Promise<T>,
  opts: { waiting?: () => void; waitMs?: number; gaveUp?: () => void } = {},
): Promise<T> {
  // keepAlive: a connection the network dropped silently (a failover) ends the wait instead of hanging it.
  const session = new Client({ connectionString: directUrl, application_name: `remediation-tracker:${name}`, keepAlive: true });
  session.on('error', () => undefined); // a lost session ends the lock; `work`'s own connections report their errors
  await session.connect();
  try {
    const [a, b] = keys;
    const tried = await session.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [a, b]);
    if (!tried.rows[0]!.ok) {
      opts.waiting?.();
      // The wait is bounded by `waitMs` only (a role's statement_timeout or lock_timeout does not cut it short).
      await session.query(`SET statement_timeout = 0; SET lock_timeout = ${Math.max(0, Math.floor(opts.waitMs ?? 0))}`);
      try {
        await session.query('SELECT pg_advisory_lock($1, $2)', [a, b]);
      } catch (err) {
        // 55P03 lock_not_available: `waitMs` passed; the caller's work is safe without the lock (it said so by giving waitMs).
        if (opts.waitMs === undefined || (err as { code?: string }).code !== '55P03') throw err;
        opts.gaveUp?.();
      }
    }
    return await work();
  } finally {
    await session.end().catch(() => undefined);
  }
}

/**
 * Runs `work` while this process holds the start-up lock: instances started together on one database do their
 * start-up work one at a time, each deciding what to do (is there an admin? is the database empty?) only once the
 * one before it has committed. Waited for without a timeout: loading the demo case takes seconds, and nothing is
 * served meanwhile.
 */
export function withStartupLock<T>(directUrl: string, work: () => Promise<T>, waiting?: () => void): Promise<T> {
  return withSessionLock(directUrl, STARTUP_LOCK_KEYS, 'startup', work, { waiting });
}
