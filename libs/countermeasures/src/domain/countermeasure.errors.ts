import { DomainError } from '@app/common';

/**
 * Codes of the countermeasures context. Every refusal of a workflow move
 * (`INVALID_TRANSITION`, `NOT_ALLOWED`, `SIGN_OFF_REQUIRED`) carries
 * `details.allowed`: the statuses the same cause could reach from the current one.
 */
export const CountermeasureErrorCode = {
  /**
   * The target cannot be reached from the current status by any cause (this
   * includes a move to the status the item already has). Details: `from`, `to`,
   * `cause`, `resumeStatus`, `allowed`.
   */
  INVALID_TRANSITION: 'INVALID_TRANSITION',
  /**
   * The move exists, but not for this cause: e.g. a plain status edit trying to
   * cancel (executives only) or to mark an ongoing measure DEGRADED (system only).
   * Details as INVALID_TRANSITION plus `permittedCauses`.
   */
  NOT_ALLOWED: 'NOT_ALLOWED',
  /**
   * VERIFIED was asked for by something other than an auditor's sign-off, from a
   * status where a sign-off could reach it. Details as NOT_ALLOWED.
   */
  SIGN_OFF_REQUIRED: 'SIGN_OFF_REQUIRED',
  /** The move needs a reason (blocking, cancelling, reopening, an auditor's rejection) and none was given. */
  REASON_REQUIRED: 'REASON_REQUIRED',
  /**
   * IMPLEMENTED (or VERIFIED) while some requirement has no evidence submitted.
   * Details: `requirementsTotal`, `requirementsWithEvidence`, `missing`.
   */
  EVIDENCE_MISSING: 'EVIDENCE_MISSING',
  /** IMPLEMENTED (or VERIFIED) for a countermeasure that has no requirement at all: nothing could be evidenced. */
  NO_REQUIREMENTS: 'NO_REQUIREMENTS',
  /**
   * The caller handed the workflow a state it can never have produced: an unknown
   * status or cause, a resume status that does not fit, a non-ongoing measure in
   * OPERATING/DEGRADED, impossible evidence counts, an actor on a system move.
   * A bug or a corrupt row, never the user's mistake.
   */
  INVALID_WORKFLOW_INPUT: 'INVALID_WORKFLOW_INPUT',
  /** No countermeasure with that id or key. */
  COUNTERMEASURE_NOT_FOUND: 'COUNTERMEASURE_NOT_FOUND',
  /** A field value the rules refuse (an impossible due date, an over-long title...). */
  INVALID_FIELD: 'INVALID_FIELD',
  /** The owner or a contributor is not a current member of the incident's task force. */
  NOT_A_MEMBER: 'NOT_A_MEMBER',
  /** The caller's part in the task force does not allow this change to this item. */
  NOT_PERMITTED: 'NOT_PERMITTED',
  /** No target with that id. */
  TARGET_NOT_FOUND: 'TARGET_NOT_FOUND',
  /** No evidence requirement with that id. */
  REQUIREMENT_NOT_FOUND: 'REQUIREMENT_NOT_FOUND',
  /** Evidence was submitted for the requirement: it cannot be removed. Details: `id`, `evidenceTotal`. */
  REQUIREMENT_HAS_EVIDENCE: 'REQUIREMENT_HAS_EVIDENCE',
  /** The requirements of signed-off work are fixed (reopen it first). Details: `status`. */
  REQUIREMENTS_FROZEN: 'REQUIREMENTS_FROZEN',
  /** A target where work happened cannot be dropped from the list (mark it NOT_APPLICABLE). */
  TARGET_HAS_PROGRESS: 'TARGET_HAS_PROGRESS',
  /**
   * The new parent would put the item above itself (the item itself, or one of
   * its sub-actions at any depth). Details: `cycle` (keys, from the item back to it), `ids`.
   */
  PARENT_CYCLE: 'PARENT_CYCLE',
  /**
   * The new dependency would close a cycle (the item itself, or an item that
   * already depends on it, directly or not). Details: `cycle` (keys, from the item back to it), `ids`.
   */
  DEPENDENCY_CYCLE: 'DEPENDENCY_CYCLE',
  /** A parent or dependency must belong to the same incident. Details: `incidentId`, `otherIncidentId`. */
  DIFFERENT_INCIDENT: 'DIFFERENT_INCIDENT',
  /** The item already depends on that one. Details: `id`, `dependsOnId`. */
  DEPENDENCY_EXISTS: 'DEPENDENCY_EXISTS',
  /** The item does not depend on that one (nothing to remove). Details: `id`, `dependsOnId`. */
  DEPENDENCY_NOT_FOUND: 'DEPENDENCY_NOT_FOUND',
} as const;
export type CountermeasureErrorCode = (typeof CountermeasureErrorCode)[keyof typeof CountermeasureErrorCode];

export class CountermeasureError extends DomainError<CountermeasureErrorCode> {
  readonly context = 'countermeasures';
}
