import { Logger } from '@nestjs/common';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { migrations } from '@app/migrations';

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

/** The startup options (`-c name=value`) of every connection. */
export function connectionOptions(timeouts?: DatabaseTimeouts): string {
  // No JIT compilation: the app's statements are short, and the dashboard's large one got a
  // cost estimate high enough for PostgreSQL to spend seconds compiling it (measured: 6.5 s of
  // JIT for a 60 ms query).
  const settings = ['jit=off'];
  if (timeouts) {
    for (const [name, ms] of [
      ['statement_timeout', timeouts.statementMs],
      ['lock_timeout', timeouts.lockMs],
      ['idle_in_transaction_session_timeout', timeouts.idleInTransactionMs],
    ] as const) {
      if (!Number.isSafeInteger(ms) || ms < 0) throw new Error(`${name} must be a whole number of ms, not ${ms}`);
      settings.push(`${name}=${ms}`);
    }
  }
  return settings.map((s) => `-c ${s}`).join(' ');
}

/**
 * The one set of TypeORM options, shared by the server, the CLI and the tests.
 * PostgreSQL only; `synchronize` is never on: the schema is what migrations/ says.
 * `timeouts`: the limits of the app's connections; none for migrations (see
 * `runMigrations`), whose statements may rightly take long.
 */
export function dataSourceOptions(url: string, poolSize: number, timeouts?: DatabaseTimeouts): DataSourceOptions {
  const logger = new Logger('Database');
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
    extra: { max: poolSize, options: connectionOptions(timeouts) },
    // A database restart or a dropped connection must never crash the process:
    // the pool reports the idle client's error here and replaces the client.
    poolErrorHandler: (err: unknown) => logger.warn(`database pool error: ${(err as Error)?.message ?? String(err)}`),
    logging: false,
  };
}

/**
 * Applies pending migrations on a data source of its own (one connection,
 * without the app's timeouts: a migration that rewrites a large table may
 * rightly run for minutes), then closes it. Each migration in its own transaction.
 */
export async function runMigrations(url: string): Promise<number> {
  const ds = new DataSource({ ...dataSourceOptions(url, 1), migrationsRun: false });
  await ds.initialize();
  try {
    return (await ds.runMigrations({ transaction: 'each' })).length;
  } finally {
    await ds.destroy();
  }
}

/** Undoes the last applied migration, on a connection of its own without the app's timeouts. */
export async function revertLastMigration(url: string): Promise<void> {
  const ds = new DataSource({ ...dataSourceOptions(url, 1), migrationsRun: false });
  await ds.initialize();
  try {
    await ds.undoLastMigration({ transaction: 'each' });
  } finally {
    await ds.destroy();
  }
}
