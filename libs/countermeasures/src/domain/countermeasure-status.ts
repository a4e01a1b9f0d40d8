/**
 * The countermeasure's statuses, the kinds of act that move it, and the shape
 * of a move's question and answer (the workflow itself, which decides:
 * countermeasure-workflow.ts). Re-exported from there.
 */

export const CountermeasureStatus = {
  PLANNED: 'PLANNED',
  IN_PROGRESS: 'IN_PROGRESS',
  /** Work stopped by an impediment; `resumeStatus` remembers where it was. */
  BLOCKED: 'BLOCKED',
  /** Evidence submitted for every requirement; waits for the auditor. */
  IMPLEMENTED: 'IMPLEMENTED',
  /** An auditor rejected the evidence; the owner goes back to IN_PROGRESS. */
  CHANGES_REQUESTED: 'CHANGES_REQUESTED',
  /** Signed off by an auditor. */
  VERIFIED: 'VERIFIED',
  /** Ongoing measure running, with fresh accepted evidence. */
  OPERATING: 'OPERATING',
  /** Ongoing measure whose latest accepted evidence is older than its period. */
  DEGRADED: 'DEGRADED',
  /** Verified work opened again (e.g. an audit finding); goes back to IN_PROGRESS. */
  REOPENED: 'REOPENED',
  CANCELLED: 'CANCELLED',
} as const;
export type CountermeasureStatus = (typeof CountermeasureStatus)[keyof typeof CountermeasureStatus];

/** Every status, in workflow order; lists of statuses are always given in this order. */
export const ALL_COUNTERMEASURE_STATUSES: readonly CountermeasureStatus[] = Object.values(CountermeasureStatus);

/** What kind of act makes a move. Who may perform it is checked by the service. */
export const TransitionCause = {
  /**
   * A plain status edit by someone working on the measure (owner or contributor):
   * start work, finish it, block and unblock, go back to IN_PROGRESS, start
   * operating a verified ongoing measure.
   */
  USER: 'USER',
  /** An executive's decision. Its only move is CANCELLED, with a reason. */
  EXECUTIVE: 'EXECUTIVE',
  /** An auditor signs off an IMPLEMENTED measure: the only way to VERIFIED. */
  AUDITOR_SIGN_OFF: 'AUDITOR_SIGN_OFF',
  /** An auditor rejects the evidence of an IMPLEMENTED measure: CHANGES_REQUESTED, with a comment. */
  AUDITOR_REJECTION: 'AUDITOR_REJECTION',
  /**
   * Verified work is opened again, typically because of an audit finding (by an
   * auditor or an executive): VERIFIED or OPERATING → REOPENED, with a reason.
   */
  REOPEN: 'REOPEN',
  /** System: the latest accepted evidence of an ongoing measure is older than its period. OPERATING → DEGRADED. */
  SYSTEM_STALENESS: 'SYSTEM_STALENESS',
  /** System: fresh evidence of a degraded ongoing measure was accepted. DEGRADED → OPERATING. */
  SYSTEM_FRESH_EVIDENCE: 'SYSTEM_FRESH_EVIDENCE',
} as const;
export type TransitionCause = (typeof TransitionCause)[keyof typeof TransitionCause];

export const ALL_TRANSITION_CAUSES: readonly TransitionCause[] = Object.values(TransitionCause);

const SYSTEM_CAUSES: ReadonlySet<TransitionCause> = new Set([TransitionCause.SYSTEM_STALENESS, TransitionCause.SYSTEM_FRESH_EVIDENCE]);

/** System moves have no human actor. */
export function isSystemCause(cause: TransitionCause): boolean {
  return SYSTEM_CAUSES.has(cause);
}

export interface WorkflowFacts {
  /** A recurring measure (monitoring, hotline…) that runs after verification. */
  ongoing: boolean;
  requirementsTotal: number;
  /** Requirements with at least one evidence submitted. */
  requirementsWithEvidence: number;
}

export interface TransitionInput {
  current: CountermeasureStatus;
  /** Where BLOCKED goes back to; non-null exactly when `current` is BLOCKED. */
  resumeStatus: CountermeasureStatus | null;
  target: CountermeasureStatus;
  cause: TransitionCause;
  reason: string | null;
  facts: WorkflowFacts;
}

export interface TransitionDecision {
  from: CountermeasureStatus;
  to: CountermeasureStatus;
  cause: TransitionCause;
  /** Trimmed; null when none was given (only possible where none is required). */
  reason: string | null;
  /** What to store as the resume status after the move: `from` when entering BLOCKED, otherwise null. */
  resumeStatus: CountermeasureStatus | null;
}
