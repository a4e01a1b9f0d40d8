import { DomainError } from '@app/common';

export const GateErrorCode = {
  GATE_NOT_FOUND: 'GATE_NOT_FOUND',
  /** The key is taken by another gate. */
  KEY_TAKEN: 'KEY_TAKEN',
  INVALID_FIELD: 'INVALID_FIELD',
  /** The caller's part does not allow this (not an executive, not an authorizer, not an admin). */
  NOT_PERMITTED: 'NOT_PERMITTED',
  /** The auditor whose clearance stands cannot also authorize the reopening (two different people). */
  CLEARING_AUDITOR: 'CLEARING_AUDITOR',
  /** Authorizing while a rule is broken. Details: `blockers`. */
  NOT_ELIGIBLE: 'NOT_ELIGIBLE',
  /** Authorizing a gate that is already OPEN. */
  ALREADY_OPEN: 'ALREADY_OPEN',
  /** Holding a gate already held, or releasing a gate that is not held. */
  HOLD_STATE: 'HOLD_STATE',
  /** A webhook URL that is not http(s), carries credentials, or points (or resolves) to a non-public address. */
  WEBHOOK_URL_NOT_ALLOWED: 'WEBHOOK_URL_NOT_ALLOWED',
} as const;
export type GateErrorCode = (typeof GateErrorCode)[keyof typeof GateErrorCode];

export class GateError extends DomainError<GateErrorCode> {
  readonly context = 'promotion-gate';
}
