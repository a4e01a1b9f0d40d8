import { QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';

/**
 * Which driver errors mean "the database is not answering (now)" rather than
 * "this request is wrong". Pure functions of the error object, classified by
 * PostgreSQL's SQLSTATE (`err.code`) or Node's socket error code — never by
 * message text, except node-postgres' own "Connection terminated…" errors,
 * which carry no code at all.
 *
 * TypeORM wraps driver errors in QueryFailedError (fields copied onto it, the
 * original under `driverError`); both shapes are recognised, as is a `cause`.
 */

/** The server cancelled or refused the statement because a configured limit ran out. */
export const DATABASE_TIMEOUT_SQLSTATES: ReadonlySet<string> = new Set([
  '57014', // query_canceled: statement_timeout (or a cancel request)
  '55P03', // lock_not_available: lock_timeout
  '25P03', // idle_in_transaction_session_timeout (PostgreSQL 14+)
]);

/** The server is going away, not accepting, or out of connections. */
const UNAVAILABLE_SQLSTATES: ReadonlySet<string> = new Set([
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down, recovery)
  '53300', // too_many_connections
]);

/** Socket-level failures reported by Node for the connection to the server. */
const UNAVAILABLE_SOCKET_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** The messages node-postgres gives its own, code-less, connection errors. */
const PG_CONNECTION_MESSAGES = [
  'Connection terminated', // "Connection terminated", "…unexpectedly", "…due to connection timeout"
  'timeout exceeded when trying to connect', // pg-pool's connectionTimeoutMillis
  'Client has encountered a connection error and is not queryable',
] as const;

/** The error and what it wraps (TypeORM's driverError, an Error cause), at most a few levels deep. */
function* layers(err: unknown): Generator<Record<string, unknown>> {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current !== null && typeof current === 'object'; depth++) {
    const obj = current as Record<string, unknown>;
    yield obj;
    current = obj.driverError ?? obj.cause;
  }
}

/**
 * What a request meets when the server ended its connection in the middle of a
 * transaction (idle_in_transaction_session_timeout, a terminated backend, a
 * restart): TypeORM releases the query runner on the connection's error event,
 * and every later statement of that transaction fails with this error (the
 * server's SQLSTATE went to the pool's error handler, not to the request).
 */
function isReleasedRunner(obj: object): boolean {
  return obj instanceof QueryRunnerAlreadyReleasedError || obj instanceof QueryRunnerProviderAlreadyReleasedError;
}

function codeOf(obj: Record<string, unknown>): string | undefined {
  return typeof obj.code === 'string' ? obj.code : undefined;
}

/**
 * A statement cancelled by statement_timeout, a lock not granted within
 * lock_timeout, or a session ended by idle_in_transaction_session_timeout.
 */
export function isDatabaseTimeout(err: unknown): boolean {
  for (const obj of layers(err)) {
    const code = codeOf(obj);
    if (code !== undefined && DATABASE_TIMEOUT_SQLSTATES.has(code)) return true;
  }
  return false;
}

/**
 * The database could not be reached or dropped the connection: SQLSTATE class
 * 08 (connection exception), 57P01–57P03 (shutdown, crash, cannot connect now),
 * 53300 (too many connections), a socket error (ECONNREFUSED, ECONNRESET,
 * ETIMEDOUT, …), node-postgres' "Connection terminated", or TypeORM's
 * QueryRunner(Provider)AlreadyReleasedError (the connection of a transaction
 * was ended under it). Timeouts are not included: see isDatabaseTimeout.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (const obj of layers(err)) {
    const code = codeOf(obj);
    if (code !== undefined) {
      if (code.length === 5 && code.startsWith('08')) return true;
      if (UNAVAILABLE_SQLSTATES.has(code)) return true;
      if (UNAVAILABLE_SOCKET_CODES.has(code)) return true;
    } else {
      const message = typeof obj.message === 'string' ? obj.message : '';
      if (PG_CONNECTION_MESSAGES.some((m) => message.startsWith(m))) return true;
    }
    if (isReleasedRunner(obj)) return true;
    // An AggregateError (e.g. ECONNREFUSED on both ::1 and 127.0.0.1) holds the socket errors.
    if (Array.isArray(obj.errors) && obj.errors.some((e) => isDatabaseUnavailable(e))) return true;
  }
  return false;
}

/** Why the database failed a request, if it is the database's fault: for mapping to SERVICE_UNAVAILABLE. */
export type DatabaseFailure = 'DATABASE_TIMEOUT' | 'DATABASE_UNAVAILABLE';

export function classifyDatabaseFailure(err: unknown): DatabaseFailure | undefined {
  if (isDatabaseTimeout(err)) return 'DATABASE_TIMEOUT';
  if (isDatabaseUnavailable(err)) return 'DATABASE_UNAVAILABLE';
  return undefined;
}
