import { Logger } from '@nestjs/common';
import type { DataSourceOptions } from 'typeorm';
import { migrations } from '@app/migrations';

/**
 * The one set of TypeORM options, shared by the server, the CLI and the tests.
 * PostgreSQL only; `synchronize` is never on: the schema is what migrations/ says.
 */
export function dataSourceOptions(url: string, poolSize: number): DataSourceOptions {
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
    // No JIT compilation: the app's statements are short, and the dashboard's large one got a
    // cost estimate high enough for PostgreSQL to spend seconds compiling it (measured: 6.5 s of
    // JIT for a 60 ms query).
    extra: { max: poolSize, options: '-c jit=off' },
    // A database restart or a dropped connection must never crash the process:
    // the pool reports the idle client's error here and replaces the client.
    poolErrorHandler: (err: unknown) => logger.warn(`database pool error: ${(err as Error)?.message ?? String(err)}`),
    logging: false,
  };
}
