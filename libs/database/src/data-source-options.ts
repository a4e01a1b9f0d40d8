import { Logger } from '@nestjs/common';
import { DataSource, MigrationExecutor, type DataSourceOptions } from 'typeorm';
import type { DatabasePooling } from '@app/common';
import { migrations } from '@app/migrations';
import { knownMigrationNames, withMigrationLock } from './migration-lock';
import { appTypeParsers } from './timestamp-parser';

/**
 * Server-side limits set on each connection when it opens (PostgreSQL settings,
 * in ms; 0 turns one off). Without them one stuck transaction could hold the
 * audit trail's advisory lock, which every write waits on, forever.
 */
export interface DatabaseTimeouts {
  /** statement_timeout: a longer statement is cancelled (SQLSTATE 57014). */
  statementMs: number;
  /** lock_timeout: a lock not granted within this is refused (55P03); advisory locks too. */
  lockMs: number;
  /** idle_in_transaction_session_timeout: the server ends a session idle inside a transaction this long (25P03). */
  idleInTransactionMs: number;
}

/**
 * The settings every connection of the app starts with (name, value), in the
 * order given: as startup options on a direct connection, through PgBouncer's
 * connect_query behind a transaction pooler.
 */
export function sessionSettings(timeouts?: DatabaseTimeouts): [name: string, value: string][] {
  // No JIT compilation: the app's statements are short, and the dashboard's large one got a
  // cost estimate high enough for PostgreSQL to spend seconds compiling it (measured: 6.5 s of
  // JIT for a 60 ms query).
  const settings: [string, string][] = [['jit', 'off']];
  if (timeouts) {
    for (const [name, ms] of [
      ['statement_timeout', timeouts.statementMs],
      ['lock_timeout', timeouts.lockMs],
      ['idle_in_transaction_session_timeout', timeouts.idleInTransactionMs],
    ] as const) {
      if (!Number.isSafeInteger(ms) || ms < 0) throw new Error(`${name} must be a whole number of ms, not ${ms}`);
      settings.push([name, String(ms)]);
    }
  }
  return settings;
}

/** The startup options (`-c name=value`) of every connection. */
export function connectionOptions(timeouts?: DatabaseTimeouts): string {
  return sessionSettings(timeouts)
    .map(([name, value]) => `-c ${name}=${value}`)
    .join(' ');
}

/**
 * How the app's pool reaches PostgreSQL (DATABASE_POOLING, DATABASE_DIRECT_URL).
 * `transaction`: through a transaction pooler (PgBouncer pool_mode = transaction),
 * which refuses unknown startup parameters and hands each transaction to any
 * server connection: the pool sends no startup `options` (the pooler's
 * `connect_query` sets them: see poolerConnectQuery) and keeps no session state
 * (no named prepared statements: see namedStatementsAllowed). `directUrl`: the
 * server itself, for what needs a session (LISTEN, the migrations and their lock).
 */
export interface PoolRoute {
  pooling: DatabasePooling;
  directUrl?: string;
}

/**
 * The one set of TypeORM options, shared by the server, the CLI and the tests.
 * PostgreSQL only; `synchronize` is never on: the schema is what migrations/ says.
 * `timeouts`: the limits of the app's connections; none for migrations (see
 * `runMigrations`), whose statements may rightly take long. `route`: see PoolRoute
 * (kept in `extra`, where pg ignores it, for `poolRouteOf`).
 */
export function dataSourceOptions(url: string, poolSize: number, timeouts?: DatabaseTimeouts, route?: PoolRoute): DataSourceOptions {
  const logger = new Logger('Database');
  const pooled = route?.pooling === 'transaction';
  return {
    type: 'postgres',
    url,
    synchronize: false,
    // gen_random_uuid() is built into PostgreSQL 13+: no extension to install.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    migrations,
    migrationsRun: false,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    applicationName: 'remediation-tracker',
    extra: {
      max: poolSize,
      // timestamptz read without the driver's regular expressions (the same Dates: timestamp-parser.ts).
      types: appTypeParsers,
      // PgBouncer refuses the startup parameter `options`: its connect_query sets the same.
      ...(pooled ? {} : { options: connectionOptions(timeouts) }),
      ...(route ? { [ROUTE_KEY]: { pooling: route.pooling, directUrl: route.directUrl } } : {}),
    },
    // A database restart or a dropped connection must never crash the process:
    // the pool reports the idle client's error here and replaces the client.
    poolErrorHandler: (err: unknown) => logger.warn(`database pool error: ${(err as Error)?.message ?? String(err)}`),
    logging: false,
  };
}

const ROUTE_KEY = 'remediationTrackerRoute';

/** The route a data source was made with (session pooling to its own URL when none was given). */
export function poolRouteOf(ds: { options: DataSourceOptions }): Required<PoolRoute> {
  const o = ds.options as Extract<DataSourceOptions, { type: 'postgres' }>;
  const route = (o.extra as Record<string, PoolRoute | undefined> | undefined)?.[ROUTE_KEY];
  return { pooling: route?.pooling ?? 'session', directUrl: route?.directUrl ?? o.url ?? '' };
}

/**
 * Whether a statement may be prepared under a name on the app's pool (node-pg
 * `query({ name })`): node-pg parses a named statement once per connection and
 * then only binds it, which a transaction pooler sends to a server connection
 * that never parsed it ("prepared statement ... does not exist").
 */
export function namedStatementsAllowed(ds: { options: DataSourceOptions }): boolean {
  return poolRouteOf(ds).pooling === 'session';
}

/**
 * The SQL for PgBouncer's per-database `connect_query` under transaction pooling
 * (run once on each server connection it opens; it never resets them in that
 * mode): the settings the startup options give a direct connection. The server
 * checks at start that the pooled connections have them (checkPooledSessionSettings).
 */
export function poolerConnectQuery(timeouts: DatabaseTimeouts): string {
  return sessionSettings(timeouts)
    .map(([name, value]) => `SET ${name} = ${value}`)
    .join('; ');
}

/** One connection to `url`, without the app's timeouts, for the migrations and their lock (one session). */
function migrationDataSource(url: string): DataSource {
  return new DataSource({
    ...dataSourceOptions(url, 1),
    migrationsRun: false,
    applicationName: 'remediation-tracker:migrations',
  } as DataSourceOptions);
}

/**
 * Applies pending migrations on a data source of its own (one connection,
 * without the app's timeouts: a migration that rewrites a large table may
 * rightly run for minutes), then closes it. Each migration in its own transaction.
 * Under the migrations' advisory lock (withMigrationLock): processes starting
 * together apply each migration once; a database upgraded by a newer build is
 * refused. `url`: a direct connection, not a transaction pooler.
 */
export async function runMigrations(url: string): Promise<number> {
  return withMigrationLock(migrationDataSource(url), knownMigrationNames(migrations), async (ds, runner) => {
    const executor = new MigrationExecutor(ds, runner);
    executor.transaction = 'each';
    return (await executor.executePendingMigrations()).length;
  });
}

/** Undoes the last applied migration, on a connection of its own without the app's timeouts, under the migrations' lock. */
export async function revertLastMigration(url: string): Promise<void> {
  await withMigrationLock(migrationDataSource(url), knownMigrationNames(migrations), async (ds, runner) => {
    const executor = new MigrationExecutor(ds, runner);
    executor.transaction = 'each';
    await executor.undoLastMigration();
  });
}
