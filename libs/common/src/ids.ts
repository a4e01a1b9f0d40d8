const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether `value` is a UUID as PostgreSQL writes one (any version, either
 * case). Ids from a client are checked with it before they reach a `uuid`
 * column, so a malformed id is NOT_FOUND (or a bad cursor), not a database error.
 */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
