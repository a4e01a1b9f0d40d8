import { Logger } from '@nestjs/common';
import type PgBoss from 'pg-boss';
import type { DataSource, EntityManager, QueryResult } from 'typeorm';

/**
 * pg-boss's `db` over the app's TypeORM DataSource: its statements go through the app's pool (and so through
 * PgBouncer in transaction pooling: pg-boss keeps no session state; its locks are transaction-scoped advisory
 * locks taken inside one multi-statement message, BEGIN … COMMIT).
 *
 * A query runner per statement, asked for the structured result: `DataSource.query` answers an UPDATE with
 * `[rows, count]` where pg-boss expects `{ rows }` (its cron and maintenance claims are `UPDATE … RETURNING`).
 * pg-boss completes and fails jobs without awaiting the promise: the statements in flight are counted, so that
 * a stop waits for them (`drain`), and once the DataSource is closed a statement answers no rows instead of
 * rejecting where nobody listens (a job left active then expires and is retried by another instance).
 */
export class DataSourceDb implements PgBoss.Db {
  private readonly log = new Logger('JobQueue');
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly dataSource: DataSource) {}

  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> {
    const run = this.run(text, values);
    const done = () => this.inFlight.delete(run);
    this.inFlight.add(run);
    run.then(done, done);
    return run;
  }

  /** Resolves when the statements sent so far have answered. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async run(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> {
    if (!this.dataSource.isInitialized) {
      this.log.warn('a job queue statement after the database closed was not sent');
      return { rows: [] };
    }
    const runner = this.dataSource.createQueryRunner();
    try {
      const result = (await runner.query(text, values, true)) as QueryResult;
      // A multi-statement message (BEGIN … COMMIT) answers no rows.
      return { rows: Array.isArray(result.records) ? result.records : [] };
    } finally {
      await runner.release();
    }
  }
}

/**
 * pg-boss's `db` for one call inside the caller's transaction (e.g. an admin's retry and its trail entry commit
 * together). Only for statements that answer with a SELECT (pg-boss's job commands do: `WITH … SELECT COUNT(*)`).
 */
export function transactionDb(em: EntityManager): PgBoss.Db {
  return { executeSql: async (text, values) => ({ rows: (await em.query(text, values)) as unknown[] }) };
}
