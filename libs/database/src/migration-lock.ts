import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import type { MigrationInterface } from 'typeorm';

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
export async function unknownMigrations(client: Client, known: Set<string>): Promise<string[]> {
  const table = await client.query<{ present: boolean }>(`SELECT to_regclass('migrations') IS NOT NULL AS present`);
  if (!table.rows[0]!.present) return [];
  const { rows } = await client.query<{ name: string }>(`SELECT name FROM migrations ORDER BY "timestamp", id`);
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
 * Runs `work` while holding the migrations' advisory lock, on a dedicated
 * connection to `url` (a direct one: a session lock does not survive a
 * transaction pooler). Another process holding it is waited for. Then refuses
 * if the database holds migrations not in `known`, before `work` runs. The lock
 * is released and the connection closed on every path (closing alone would
 * release it).
 */
export async function withMigrationLock<T>(url: string, known: Set<string>, work: () => Promise<T>): Promise<T> {
  const logger = new Logger('Migrations');
  const client = new Client({ connectionString: url, application_name: 'remediation-tracker:migration-lock', keepAlive: true });
  // A dropped lock connection must not crash the process; the query in flight fails instead.
  client.on('error', (err) => logger.warn(`migration lock connection: ${err.message}`));
  await client.connect();
  let locked = false;
  try {
    const [a, b] = MIGRATION_LOCK_KEYS;
    const tried = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [a, b]);
    if (!tried.rows[0]!.ok) {
      logger.log('another process is migrating this database; waiting for it');
      await client.query('SELECT pg_advisory_lock($1, $2)', [a, b]);
    }
    locked = true;
    const unknown = await unknownMigrations(client, known);
    if (unknown.length > 0) throw schemaNewerThanBuild(unknown);
    return await work();
  } finally {
    if (locked) await client.query('SELECT pg_advisory_unlock($1, $2)', [...MIGRATION_LOCK_KEYS]).catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}
