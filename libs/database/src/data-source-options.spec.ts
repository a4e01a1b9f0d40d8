import { describe, expect, it } from 'vitest';
import { ConfigValidationError, validateConfig } from '@app/common';
import { connectionOptions } from './data-source-options';

function refused(env: Record<string, unknown>): string[] {
  try {
    validateConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigValidationError);
    return (err as ConfigValidationError).problems.map((p) => p.slice(0, p.indexOf(':')));
  }
  throw new Error('expected a refusal');
}

describe('database timeouts: settings and the connection options they become', () => {
  it('default to 30 s per statement, 10 s per lock wait, 60 s idle inside a transaction', () => {
    const c = validateConfig({});
    expect([c.DB_STATEMENT_TIMEOUT_MS, c.DB_LOCK_TIMEOUT_MS, c.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS]).toEqual([30_000, 10_000, 60_000]);
    const options = connectionOptions({
      statementMs: c.DB_STATEMENT_TIMEOUT_MS,
      lockMs: c.DB_LOCK_TIMEOUT_MS,
      idleInTransactionMs: c.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    });
    expect(options).toBe('-c jit=off -c statement_timeout=30000 -c lock_timeout=10000 -c idle_in_transaction_session_timeout=60000');
  });

  it('0 turns a limit off; without timeouts (migrations) only JIT is set', () => {
    const c = validateConfig({ DB_STATEMENT_TIMEOUT_MS: '0', DB_LOCK_TIMEOUT_MS: ' 2500 ' });
    expect([c.DB_STATEMENT_TIMEOUT_MS, c.DB_LOCK_TIMEOUT_MS]).toEqual([0, 2500]);
    expect(connectionOptions()).toBe('-c jit=off');
  });

  it.each([
    [{ DB_STATEMENT_TIMEOUT_MS: '30s' }, 'DB_STATEMENT_TIMEOUT_MS'],
    [{ DB_LOCK_TIMEOUT_MS: '-1' }, 'DB_LOCK_TIMEOUT_MS'],
    [{ DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '1.5' }, 'DB_IDLE_IN_TRANSACTION_TIMEOUT_MS'],
    [{ DB_STATEMENT_TIMEOUT_MS: '86400001' }, 'DB_STATEMENT_TIMEOUT_MS'],
  ])('refuse %j at start, naming the variable', (env, name) => {
    expect(refused(env)).toEqual([name]);
  });
});

describe('evidence store settings', () => {
  it('EVIDENCE_ORPHAN_GRACE_SECONDS defaults to an hour and refuses a negative value', () => {
    expect(validateConfig({}).EVIDENCE_ORPHAN_GRACE_SECONDS).toBe(3600);
    expect(validateConfig({ EVIDENCE_ORPHAN_GRACE_SECONDS: '0' }).EVIDENCE_ORPHAN_GRACE_SECONDS).toBe(0);
    expect(refused({ EVIDENCE_ORPHAN_GRACE_SECONDS: '-1' })).toEqual(['EVIDENCE_ORPHAN_GRACE_SECONDS']);
  });

  it('the crash hook TEST_CRASH_AT is refused outside NODE_ENV=test, and must name a known point', () => {
    expect(validateConfig({}).TEST_CRASH_AT).toBeUndefined();
    expect(validateConfig({ NODE_ENV: 'test', TEST_CRASH_AT: 'upload-stored' }).TEST_CRASH_AT).toBe('upload-stored');
    expect(
      refused({
        NODE_ENV: 'production',
        JWT_SECRET: 'x'.repeat(32),
        SECOND_FACTOR_KEY: 'y'.repeat(32),
        TRAIL_SIGNING_KEY_FILE: '/k/t.pem',
        BUNDLE_SIGNING_KEY_FILE: '/k/b.pem',
        TEST_CRASH_AT: 'upload-stored',
      }),
    ).toEqual(['TEST_CRASH_AT']);
    expect(refused({ TEST_CRASH_AT: 'upload-staged' })).toEqual(['TEST_CRASH_AT']);
    expect(refused({ NODE_ENV: 'test', TEST_CRASH_AT: 'anywhere' })).toEqual(['TEST_CRASH_AT']);
  });
});
