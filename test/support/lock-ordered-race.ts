import { Client } from 'pg';
import { vi } from 'vitest';
import type { TestApp } from './test-app';

/**
 * Two (or more) requests that meet at one row lock, made to arrive there in a
 * known order without any sleep: this holds `SELECT ... FOR UPDATE` on the row,
 * starts each request only once the previous one is waiting for that lock
 * (seen in pg_stat_activity), then lets go. PostgreSQL grants the lock in
 * that order, so the first request wins and the others then read what it
 * committed, every time, however loaded the machine is.
 */
export async function raceBehindRowLock<T>(t: TestApp, table: string, id: string, requests: (() => Promise<T>)[]): Promise<T[]> {
  const holder = new Client({ connectionString: t.databaseUrl });
  await holder.connect();
  const started: Promise<T>[] = [];
  try {
    await holder.query('BEGIN');
    await holder.query(`SELECT 1 FROM "${table}" WHERE id = $1 FOR UPDATE`, [id]);
    for (const request of requests) {
      started.push(request());
      const waiting = started.length;
      await vi.waitFor(
        async () => {
          const [row] = await t.sql<{ n: string }>(
            `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> $1`,
            [(holder as unknown as { processID: number }).processID],
          );
          if (Number(row!.n) < waiting) throw new Error(`${Number(row!.n)} of ${waiting} requests are waiting for the lock`);
        },
        { timeout: 20_000, interval: 20 },
      );
    }
  } finally {
    await holder.query('COMMIT').catch(() => undefined);
    await holder.end();
  }
  return Promise.all(started);
}
