import { DomainError } from './domain-error';

/** Codes that any context may raise; each context adds its own list. */
export const CommonErrorCode = {
  NOT_FOUND: 'NOT_FOUND',
  STALE_VERSION: 'STALE_VERSION',
  INVALID_INPUT: 'INVALID_INPUT',
  INVALID_CURSOR: 'INVALID_CURSOR',
  /** As much of this kind of work as the server runs at once is running: try again in `retryAfterSeconds`. */
  SERVER_BUSY: 'SERVER_BUSY',
  /** The caller has spent its budget of expensive work for now: try again in `retryAfterSeconds`. */
  COST_BUDGET_EXCEEDED: 'COST_BUDGET_EXCEEDED',
} as const;
export type CommonErrorCode = (typeof CommonErrorCode)[keyof typeof CommonErrorCode];

export class CommonError extends DomainError<CommonErrorCode> {
  readonly context = 'common';
}

/**
 * Raised when an optimistic-lock update matched no row: somebody else changed
 * the record since the caller read it. `currentVersion` lets the client reload.
 */
export function staleVersion(entity: string, id: string, expected: number, current: number): CommonError {
  return new CommonError(
    CommonErrorCode.STALE_VERSION,
    `${entity} ${id} was changed by someone else (you sent version ${expected}, it is now ${current}); reload and try again`,
    { entity, id, expectedVersion: expected, currentVersion: current },
  );
}

export function notFound(entity: string, id: string): CommonError {
  return new CommonError(CommonErrorCode.NOT_FOUND, `${entity} ${id} does not exist`, { entity, id });
}
