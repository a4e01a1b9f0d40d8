import { describe, expect, it } from 'vitest';
import { migrations } from '@app/migrations';
import { dataSourceOptions, namedStatementsAllowed, poolerConnectQuery, poolRouteOf } from './data-source-options';
import { knownMigrationNames, schemaNewerThanBuild } from './migration-lock';
import { appTypeParsers } from './timestamp-parser';

const TIMEOUTS = { statementMs: 30_000, lockMs: 10_000, idleInTransactionMs: 60_000 };
const extraOf = (o: ReturnType<typeof dataSourceOptions>) => (o as { extra: Record<string, unknown> }).extra;

describe('the pool behind a transaction pooler (DATABASE_POOLING=transaction)', () => {
  it('sends no startup options (PgBouncer refuses them) and prepares nothing under a name', () => {
    const o = dataSourceOptions('postgres://u@pgbouncer:6432/db', 10, TIMEOUTS, {
      pooling: 'transaction',
      directUrl: 'postgres://u@db:5432/db',
    });
    expect(extraOf(o)).not.toHaveProperty('options');
    expect(extraOf(o).max).toBe(10);
    expect(extraOf(o).types).toBe(appTypeParsers);
    expect(poolRouteOf({ options: o })).toEqual({ pooling: 'transaction', directUrl: 'postgres://u@db:5432/db' });
    expect(namedStatementsAllowed({ options: o })).toBe(false);
  });

  it('directly (the default), every connection starts with the options, and the direct URL is its own', () => {
    const o = dataSourceOptions('postgres://u@db:5432/db', 4, TIMEOUTS);
    expect(extraOf(o).options).toBe(
      '-c jit=off -c statement_timeout=30000 -c lock_timeout=10000 -c idle_in_transaction_session_timeout=60000',
    );
    expect(poolRouteOf({ options: o })).toEqual({ pooling: 'session', directUrl: 'postgres://u@db:5432/db' });
    expect(namedStatementsAllowed({ options: o })).toBe(true);
  });

  it('PgBouncer’s connect_query carries the same settings, in the same order', () => {
    expect(poolerConnectQuery(TIMEOUTS)).toBe(
      'SET jit = off; SET statement_timeout = 30000; SET lock_timeout = 10000; SET idle_in_transaction_session_timeout = 60000',
    );
    expect(poolerConnectQuery({ statementMs: 0, lockMs: 2500, idleInTransactionMs: 0 })).toBe(
      'SET jit = off; SET statement_timeout = 0; SET lock_timeout = 2500; SET idle_in_transaction_session_timeout = 0',
    );
  });
});

describe('what this build knows of the schema', () => {
  it('knows every migration of its list by the name TypeORM records', () => {
    const known = knownMigrationNames(migrations);
    expect(known.size).toBe(migrations.length);
    expect(known).toContain('AuditorAccessLimits1795900000600');
  });

  it('the refusal of a newer schema names the migrations and says what to run', () => {
    const err = schemaNewerThanBuild(['Future1899999999998', 'Future1899999999999']);
    expect(err.name).toBe('DatabaseStartupError');
    expect(err.message).toContain('migrations this build does not know (Future1899999999998, Future1899999999999)');
    expect(err.message).toContain('Run the newer build');
  });
});
