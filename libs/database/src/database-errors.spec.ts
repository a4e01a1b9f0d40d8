import { DatabaseError } from 'pg';
import { QueryFailedError, QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { classifyDatabaseFailure, isDatabaseTimeout, isDatabaseUnavailable } from './database-errors';

/** An error as node-postgres raises it for a server ErrorResponse with this SQLSTATE. */
function pgError(code: string, message = 'server said no'): DatabaseError {
  const err = new DatabaseError(message, message.length, 'error');
  err.code = code;
  return err;
}

/** The same error as TypeORM hands it to a service (QueryFailedError with driverError). */
function typeormError(code: string): QueryFailedError {
  return new QueryFailedError('UPDATE countermeasure SET …', [], pgError(code));
}

function socketError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, errno: -111, syscall: 'connect' });
}

describe('database errors: which failures are the database not answering, so a client can retry later', () => {
  it.each([
    ['57014', 'statement_timeout (query_canceled)'],
    ['55P03', 'lock_timeout (lock_not_available)'],
    ['25P03', 'idle_in_transaction_session_timeout'],
  ])('%s (%s) is a timeout, raw from pg and wrapped by TypeORM', (code) => {
    expect(isDatabaseTimeout(pgError(code))).toBe(true);
    expect(isDatabaseTimeout(typeormError(code))).toBe(true);
    expect(isDatabaseUnavailable(typeormError(code))).toBe(false);
    expect(classifyDatabaseFailure(typeormError(code))).toBe('DATABASE_TIMEOUT');
  });

  it.each([
    ['08000', 'connection_exception'],
    ['08006', 'connection_failure'],
    ['08P01', 'protocol_violation'],
    ['57P01', 'admin_shutdown'],
    ['57P02', 'crash_shutdown'],
    ['57P03', 'cannot_connect_now'],
    ['53300', 'too_many_connections'],
  ])('%s (%s) is the database unavailable', (code) => {
    expect(isDatabaseUnavailable(pgError(code))).toBe(true);
    expect(isDatabaseUnavailable(typeormError(code))).toBe(true);
    expect(isDatabaseTimeout(typeormError(code))).toBe(false);
    expect(classifyDatabaseFailure(typeormError(code))).toBe('DATABASE_UNAVAILABLE');
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT'])('the socket error %s is the database unavailable', (code) => {
    expect(isDatabaseUnavailable(socketError(code))).toBe(true);
    // as an Error cause, and inside an AggregateError (both ::1 and 127.0.0.1 refused)
    expect(isDatabaseUnavailable(new Error('query failed', { cause: socketError(code) }))).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([socketError(code), socketError(code)], ''))).toBe(true);
  });

  it("node-postgres' own code-less connection errors are the database unavailable", () => {
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated due to connection timeout'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
  });

  it('a transaction whose connection the server ended (TypeORM released its runner) is the database unavailable', () => {
    expect(isDatabaseUnavailable(new QueryRunnerAlreadyReleasedError())).toBe(true);
    expect(classifyDatabaseFailure(new QueryRunnerAlreadyReleasedError())).toBe('DATABASE_UNAVAILABLE');
    expect(classifyDatabaseFailure(new QueryRunnerProviderAlreadyReleasedError())).toBe('DATABASE_UNAVAILABLE');
  });

  it.each([
    ['23505', 'unique_violation'],
    ['23503', 'foreign_key_violation'],
    ['40001', 'serialization_failure'],
    ['42P01', 'undefined_table'],
    ['22P02', 'invalid_text_representation'],
    ['P0001', 'raise_exception from a trigger'],
  ])('%s (%s) is neither: the request or the code is at fault, not the database', (code) => {
    expect(isDatabaseTimeout(typeormError(code))).toBe(false);
    expect(isDatabaseUnavailable(typeormError(code))).toBe(false);
    expect(classifyDatabaseFailure(typeormError(code))).toBeUndefined();
  });

  it('ordinary errors and non-errors are neither, and a message mentioning a timeout is not trusted', () => {
    for (const err of [
      new Error('boom'),
      new Error('statement timeout'), // message text is never matched for timeouts
      Object.assign(new Error('x'), { code: 'BAD_USER_INPUT' }),
      Object.assign(new Error('x'), { code: 57014 }), // a number, not a SQLSTATE
      undefined,
      null,
      'Connection terminated',
      42,
    ]) {
      expect(classifyDatabaseFailure(err)).toBeUndefined();
    }
  });
});
