/**
 * A unique constraint refused a write (SQLSTATE 23505): usually two requests
 * creating the same keyed thing at the same moment, both having checked first
 * and found nothing. Recognised by SQLSTATE on the error or what it wraps
 * (TypeORM's QueryFailedError keeps the driver's error under `driverError`),
 * never by message text. Only the constraint's name is kept: the server's
 * `detail` quotes the conflicting values and is not for the caller.
 */
export interface UniqueViolation {
  /** The constraint or unique index, e.g. `UQ_promotion_gates_key`; null if the server named none. */
  constraint: string | null;
}

export const UNIQUE_VIOLATION_SQLSTATE = '23505';

export function uniqueViolationOf(err: unknown): UniqueViolation | null {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current !== null && typeof current === 'object'; depth++) {
    const obj = current as Record<string, unknown>;
    if (obj['code'] === UNIQUE_VIOLATION_SQLSTATE) {
      return { constraint: typeof obj['constraint'] === 'string' ? obj['constraint'] : null };
    }
    current = obj['driverError'] ?? obj['cause'];
  }
  return null;
}
