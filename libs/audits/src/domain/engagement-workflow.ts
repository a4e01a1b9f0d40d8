import { AuditError, AuditErrorCode } from './audit.errors';
import type { EngagementStatus } from './audit-fields';

/**
 * The audit engagement's status, as a pure state machine.
 *
 * ```
 * PLANNED ──▶ FIELDWORK ⇄ REPORTING ──[clearAudit]──▶ CLEARED
 *                 ▲           │                          │
 *                 │           └──[statement]──▶ NOT_CLEARED
 *                 └──────── (re-audit) ─────────────┘    │
 *                                  REPORTING ◀──[automatic withdrawal]──┘
 * ```
 *
 * Decisions:
 * - The lead auditor makes every manual move (checked in `audit-access.ts`).
 * - REPORTING → FIELDWORK is allowed (the report showed more fieldwork is needed).
 * - CLEARED is reached only through `clearAudit` (the conditions and the snapshot),
 *   from REPORTING only: the clearance is the report's conclusion.
 * - NOT_CLEARED is a conclusion from REPORTING, with a non-blank statement.
 * - NOT_CLEARED → FIELDWORK is the re-audit.
 * - CLEARED is left only by the automatic withdrawal (→ REPORTING), never by hand:
 *   a clearance stands while its conditions hold.
 */
const MANUAL_MOVES: Readonly<Record<EngagementStatus, readonly EngagementStatus[]>> = {
  PLANNED: ['FIELDWORK'],
  FIELDWORK: ['REPORTING'],
  REPORTING: ['FIELDWORK', 'NOT_CLEARED'],
  CLEARED: [],
  NOT_CLEARED: ['FIELDWORK'],
};

/** Moves the lead auditor can make by hand from `from` (CLEARED is not among them: see `clearAudit`). */
export function allowedEngagementMoves(from: EngagementStatus): readonly EngagementStatus[] {
  return MANUAL_MOVES[from] ?? [];
}

export interface EngagementMove {
  from: EngagementStatus;
  to: EngagementStatus;
  /** The conclusion text, kept on the engagement (NOT_CLEARED) and in the history. */
  statement: string | null;
}

/** Decides a manual move; refuses with INVALID_ENGAGEMENT_TRANSITION (listing the allowed ones) or INVALID_FIELD. */
export function decideEngagementMove(from: EngagementStatus, to: EngagementStatus, statement: string | null | undefined): EngagementMove {
  const allowed = allowedEngagementMoves(from);
  if (!allowed.includes(to)) {
    const hint = to === 'CLEARED' ? ' (CLEARED is reached only through clearAudit, from REPORTING)' : '';
    throw new AuditError(
      AuditErrorCode.INVALID_ENGAGEMENT_TRANSITION,
      `An engagement cannot move from ${from} to ${to}${hint}; allowed: ${allowed.join(', ') || 'none'}`,
      { from, to, allowed: [...allowed] },
    );
  }
  const text = (statement ?? '').trim();
  if (to === 'NOT_CLEARED' && !text) {
    throw new AuditError(AuditErrorCode.INVALID_FIELD, 'Concluding NOT_CLEARED needs a statement', { field: 'statement' });
  }
  return { from, to, statement: text || null };
}

/** Where clearing may start. */
export const CLEARABLE_FROM: readonly EngagementStatus[] = ['REPORTING'];
/** Where findings may be raised (fieldwork, while reporting, and on a cleared engagement: that withdraws it if serious). */
export const FINDINGS_OPEN_IN: readonly EngagementStatus[] = ['FIELDWORK', 'REPORTING', 'CLEARED'];
/** Where the team, dates and scope may still change (not once concluded). */
export const SCOPE_EDITABLE_IN: readonly EngagementStatus[] = ['PLANNED', 'FIELDWORK', 'REPORTING'];

export function assertStatusIn(status: EngagementStatus, allowedIn: readonly EngagementStatus[], what: string): void {
  if (!allowedIn.includes(status)) {
    throw new AuditError(
      AuditErrorCode.ENGAGEMENT_STATUS_FORBIDS,
      `Cannot ${what} while the engagement is ${status} (only in ${allowedIn.join(', ')})`,
      {
        status,
        allowedIn: [...allowedIn],
      },
    );
  }
}
