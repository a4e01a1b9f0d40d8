import { CountermeasureError, CountermeasureErrorCode } from './countermeasure.errors';
import { CountermeasureStatus, isSystemCause, TransitionCause, type TransitionDecision } from './countermeasure-status';

/**
 * What follows a decided move (the history entry), and the system moves of
 * ongoing measures (freshness): pure, no clock. Re-exported from
 * countermeasure-workflow.ts.
 */

const S = CountermeasureStatus;
const C = TransitionCause;

function invalidInput(message: string, details: Record<string, unknown>): CountermeasureError {
  return new CountermeasureError(CountermeasureErrorCode.INVALID_WORKFLOW_INPUT, message, details);
}

/** One entry of a countermeasure's status history: who, when, from, to, why. */
export interface TransitionRecord {
  from: CountermeasureStatus;
  to: CountermeasureStatus;
  cause: TransitionCause;
  reason: string | null;
  /** The user who made the move; null exactly for system moves. */
  actorId: string | null;
  at: Date;
}

/**
 * Builds the history entry of a decided move. A system move has no actor; every
 * other move must name one.
 */
export function transitionRecord(decision: TransitionDecision, actorId: string | null, at: Date): TransitionRecord {
  if (isSystemCause(decision.cause) ? actorId !== null : actorId === null || actorId.trim() === '') {
    throw invalidInput(
      isSystemCause(decision.cause) ? `A system move (${decision.cause}) has no actor` : `A move by ${decision.cause} must name its actor`,
      { cause: decision.cause, actorId },
    );
  }
  if (Number.isNaN(at.getTime())) {
    throw invalidInput('A transition needs a valid time', { at: String(at) });
  }
  return { from: decision.from, to: decision.to, cause: decision.cause, reason: decision.reason, actorId, at };
}

export interface FreshnessInput {
  status: CountermeasureStatus;
  ongoing: boolean;
  /** When the latest accepted evidence was accepted (or dated); null if none ever was. */
  latestAcceptedEvidenceAt: Date | null;
  /** How old the latest accepted evidence may be, in milliseconds; must be positive. */
  periodMs: number;
  now: Date;
}

/**
 * The system move an ongoing measure needs now, if any: OPERATING with stale
 * evidence → DEGRADED; DEGRADED with fresh evidence → OPERATING. Evidence is
 * stale when there is none or it is strictly older than the period (exactly one
 * period old is still fresh). Any other status, or a measure that is not ongoing,
 * needs no system move (a BLOCKED measure waits to be unblocked first). Feed the
 * result to `decideTransition`.
 */
export function freshnessMove(input: FreshnessInput): { to: CountermeasureStatus; cause: TransitionCause } | null {
  if (!Number.isFinite(input.periodMs) || input.periodMs <= 0) {
    throw invalidInput(`The evidence period must be a positive duration; got ${String(input.periodMs)} ms`, {
      periodMs: input.periodMs,
    });
  }
  if (!input.ongoing) return null;
  const latest = input.latestAcceptedEvidenceAt;
  const stale = latest === null || input.now.getTime() - latest.getTime() > input.periodMs;
  if (input.status === S.OPERATING && stale) return { to: S.DEGRADED, cause: C.SYSTEM_STALENESS };
  if (input.status === S.DEGRADED && !stale) return { to: S.OPERATING, cause: C.SYSTEM_FRESH_EVIDENCE };
  return null;
}
