import { Logger } from '@nestjs/common';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The session-level advisory lock that orders the migrations of every process
 * on one database (instances starting together, the CLI): the two-key form,
 * so it never meets the app's one-key transaction locks (trail chain, checkpoints...).
 */
export const MIGRATION_LOCK_KEYS = [7_264_110, 900] as const;

/** A reason the server (or the CLI) will not work on this database, written for the operator. */
export class DatabaseStartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseStartupError';
  }
}

/** The names TypeORM records in the `migrations` table for this build's migrations. */
export function knownMigrationNames(list: readonly (new () => MigrationInterface)[]): Set<string> {
  return new Set(list.map((M) => new M().name ?? M.name));
}

/**
 * Migrations recorded in the database that this build does not have (oldest
 * first): a newer build upgraded the schema. No `migrations` table yet: none.
 */
export async function unknownMigrations(runner: QueryRunner, known: Set<string>): Promise<string[]> {
  const [table] = (await runner.query(`SELECT to_regclass('migrations') IS NOT NULL AS present`)) as { present: boolean }[];
  if (!table!.present) return [];
  const rows = (await runner.query(`SELECT name FROM migrations ORDER BY "timestamp", id`)) as { name: string }[];
  return rows.map((r) => r.name).filter((name) => !known.has(name));
}

/** The refusal of a build older than the schema, naming what it does not know. */
export function schemaNewerThanBuild(unknown: string[]): DatabaseStartupError {
  return new DatabaseStartupError(
    `The database was upgraded by a newer build of the tracker: it has ${unknown.length === 1 ? 'a migration' : 'migrations'} ` +
      `this build does not know (${unknown.join(', ')}).\n` +
      'This build would misread the tables they changed, so it does not start on this database. ' +
      'Run the newer build (the one that applied them), or a later one. ' +
      '(To return to this build, first undo them with the newer build: npm run cli -- migration:revert, once per migration, after a backup.)',
  );
}

/**
 * Runs `work` while holding the migrations' advisory lock, on `ds`, a data source
 * of its own with ONE connection (to a direct URL: a session lock does not
 * survive a transaction pooler), and one query runner that `work` runs the
 * migrations on: the lock and the migrations share one session, so a lost
 * connection takes the migration in progress (rolled back) with the lock, and
 * no other process can migrate while one still does. Another process holding
 * it is waited for. Then refuses if the database holds migrations not in
 * `known`, before `work` runs. The lock is released and the connection closed
 * on every path (closing alone would release it). No app timeouts: a migration
 * that rewrites a large table may rightly run for minutes.
 */
export async function withMigrationLock<T>(
  ds: DataSource,
  known: Set<string>,
  work: (dataSource: DataSource, runner: QueryRunner) => Promise<T>,
): Promise<T> {
  const logger = new Logger('Migrations');
  await ds.initialize();
  const runner = ds.createQueryRunner();
  let locked = false;
  try {
    await runner.connect();
    const [a, b] = MIGRATION_LOCK_KEYS;
    const [tried] = (await runner.query('SELECT pg_try_advisory_lock($1, $2) AS ok', [a, b])) as { ok: boolean }[];
    if (!tried!.ok) {
      logger.log('another process is migrating this database; waiting for it');
      await runner.query('SELECT pg_advisory_lock($1, $2)', [a, b]);
    }
    locked = true;
    const unknown = await unknownMigrations(runner, known);
    if (unknown.length > 0) throw schemaNewerThanBuild(unknown);
    return await work(ds, runner);
  } finally {
    if (locked) await runner.query('SELECT pg_advisory_unlock($1, $2)', [...MIGRATION_LOCK_KEYS]).catch(() => undefined);
    await runner.release().catch(() => undefined);
    await ds.destroy().catch(() => undefined);
  }
}
