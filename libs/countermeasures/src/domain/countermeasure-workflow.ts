import { CountermeasureError, CountermeasureErrorCode } from './countermeasure.errors';
import {
  ALL_COUNTERMEASURE_STATUSES,
  ALL_TRANSITION_CAUSES,
  CountermeasureStatus,
  TransitionCause,
  type TransitionDecision,
  type TransitionInput,
  type WorkflowFacts,
} from './countermeasure-status';

/**
 * The countermeasure workflow as a pure state machine: no I/O, no clock, no
 * framework. The service loads the row and the facts, asks `decideTransition`,
 * and stores what it returns (the new status, the resume status, and one history
 * entry built with `transitionRecord`) in the same transaction.
 *
 * ## The graph (cause in brackets; see `TransitionCause`)
 *
 * ```
 * PLANNED ──[USER]──▶ IN_PROGRESS ──[USER, evidence]──▶ IMPLEMENTED ──[AUDITOR_SIGN_OFF, evidence]──▶ VERIFIED
 *                         ▲   ▲                           │   │
 *                         │   └────────[USER]─────────────┘   └─[AUDITOR_REJECTION, reason]─▶ CHANGES_REQUESTED ─[USER]─▶ IN_PROGRESS
 *                         └─[USER]── REOPENED ◀──[REOPEN, reason]── VERIFIED, OPERATING, DEGRADED
 *
 * ongoing measures only:
 * VERIFIED ──[USER]──▶ OPERATING ──[SYSTEM_STALENESS]──▶ DEGRADED ──[SYSTEM_FRESH_EVIDENCE]──▶ OPERATING
 *
 * any blockable status S ──[USER, reason]──▶ BLOCKED (resumeStatus = S) ──[USER]──▶ S
 * any status except CANCELLED and a one-off VERIFIED ──[EXECUTIVE, reason]──▶ CANCELLED
 * ```
 *
 * ## Decisions on points the issue leaves open
 *
 * - **Open** (`isOpen`): the item still needs work by someone, so dashboards count
 *   it as not done: PLANNED, IN_PROGRESS, BLOCKED, IMPLEMENTED (waits for the
 *   auditor), CHANGES_REQUESTED, REOPENED, DEGRADED. Not open: VERIFIED,
 *   OPERATING, CANCELLED.
 * - **Terminal** (`isTerminal`): no move leaves it, by any cause: CANCELLED only.
 *   A CANCELLED item never comes back (create a new countermeasure instead). A
 *   one-off VERIFIED item is final except for REOPENED, so it is not terminal.
 * - **BLOCKED** can be entered from every open status other than BLOCKED itself:
 *   PLANNED, IN_PROGRESS, IMPLEMENTED, CHANGES_REQUESTED, REOPENED, DEGRADED
 *   (`BLOCKABLE_STATUSES`). It is a plain status edit and needs a reason. Leaving
 *   BLOCKED (plain edit, reason optional) goes back to the stored resume status
 *   and nowhere else; the only other way out is an executive's cancellation.
 *   Going back to IMPLEMENTED re-checks the evidence rule (a requirement may have
 *   been added meanwhile); submit the missing evidence, then unblock.
 *   While BLOCKED, nothing else happens to the item: no sign-off, no rejection, no
 *   system move. A DEGRADED measure that was blocked returns to DEGRADED; the
 *   service re-evaluates freshness (`freshnessMove`) after the unblock.
 * - **Same status**: a move to the status the item already has is refused
 *   (INVALID_TRANSITION): it would be an empty history entry.
 * - **No shortcuts**: PLANNED → IMPLEMENTED is refused (work must be started);
 *   CHANGES_REQUESTED and REOPENED go back to IN_PROGRESS only, not straight to
 *   IMPLEMENTED. IN_PROGRESS → PLANNED is refused (work has started; block it or
 *   have it cancelled).
 * - **IMPLEMENTED → IN_PROGRESS** is a plain edit (the owner wants to fix
 *   something before the auditor looks).
 * - **VERIFIED** only through AUDITOR_SIGN_OFF, from IMPLEMENTED. A sign-off also
 *   re-checks the evidence rule (a floor; the sign-off itself checks more).
 *   A plain edit to VERIFIED from IMPLEMENTED gets SIGN_OFF_REQUIRED.
 * - **Evidence rule**: IMPLEMENTED (by any route) and VERIFIED need at least one
 *   requirement (NO_REQUIREMENTS) and evidence submitted for every requirement
 *   (EVIDENCE_MISSING). Other moves ignore the evidence counts.
 * - **Ongoing measures**: a verified ongoing measure starts operating by a plain
 *   edit (VERIFIED → OPERATING). OPERATING ⇄ DEGRADED are system moves only; a
 *   plain edit to them gets NOT_ALLOWED. REOPENED is reachable from VERIFIED,
 *   OPERATING and DEGRADED: a degraded measure is open (its recurring evidence is
 *   stale) but still signed off, so evidence it rested on that is withdrawn,
 *   superseded or rejected reopens it too (else fresh recurring evidence would
 *   bring it back to OPERATING over the hole).
 *   A non-ongoing measure can never be OPERATING or DEGRADED; such a row is
 *   refused as INVALID_WORKFLOW_INPUT.
 * - **Cancelling** is an executive's decision with a reason, from every status
 *   except CANCELLED and a one-off VERIFIED (finished work is history; reopen it
 *   first if it must be revisited). An ongoing measure can be cancelled in
 *   VERIFIED, OPERATING or DEGRADED: that retires it.
 * - **Reasons** are required for moves into BLOCKED, CANCELLED, REOPENED and
 *   CHANGES_REQUESTED (the auditor's comment), but not for unblocking back to
 *   REOPENED or CHANGES_REQUESTED: that reason was recorded when the status was
 *   first entered. They are trimmed; a blank reason is no reason. For other moves
 *   a reason is optional and kept (trimmed, blank → null).
 * - **Which error**: first the input is checked (INVALID_WORKFLOW_INPUT); then the
 *   graph: if no cause could make the move, INVALID_TRANSITION; if another cause
 *   could, SIGN_OFF_REQUIRED when the target is VERIFIED, else NOT_ALLOWED; then
 *   the reason; then the evidence. Every refusal of a move lists, in
 *   `details.allowed` and in the message, the statuses this cause can reach.
 * - **Who may use a cause** (owner, contributor, executive, auditor) is the
 *   service's check, not this file's: here a cause is what kind of act it is.
 */

export * from './countermeasure-status';
export * from './countermeasure-records';

const S = CountermeasureStatus;
const C = TransitionCause;

const OPEN_STATUSES: ReadonlySet<CountermeasureStatus> = new Set([
  S.PLANNED,
  S.IN_PROGRESS,
  S.BLOCKED,
  S.IMPLEMENTED,
  S.CHANGES_REQUESTED,
  S.REOPENED,
  S.DEGRADED,
]);

/** Statuses from which BLOCKED can be entered, i.e. the possible resume statuses. */
export const BLOCKABLE_STATUSES: readonly CountermeasureStatus[] = ALL_COUNTERMEASURE_STATUSES.filter(
  (s) => OPEN_STATUSES.has(s) && s !== S.BLOCKED,
);

/** Statuses only an ongoing measure can have. */
const ONGOING_ONLY_STATUSES: ReadonlySet<CountermeasureStatus> = new Set([S.OPERATING, S.DEGRADED]);

const REASON_REQUIRED_TARGETS: ReadonlySet<CountermeasureStatus> = new Set([S.BLOCKED, S.CANCELLED, S.REOPENED, S.CHANGES_REQUESTED]);

const EVIDENCE_REQUIRED_TARGETS: ReadonlySet<CountermeasureStatus> = new Set([S.IMPLEMENTED, S.VERIFIED]);

/** The item still needs work by someone (see the decisions above). DEGRADED counts as open. */
export function isOpen(status: CountermeasureStatus): boolean {
  return OPEN_STATUSES.has(status);
}

/** No move leaves this status, whatever the cause: only CANCELLED. */
export function isTerminal(status: CountermeasureStatus): boolean {
  return status === S.CANCELLED;
}

/**
 * Whether the move `from` → `to` needs a non-blank reason: entering BLOCKED,
 * CANCELLED, REOPENED or CHANGES_REQUESTED, except when unblocking back to
 * REOPENED or CHANGES_REQUESTED (that reason was given when it was entered).
 */
export function reasonRequired(from: CountermeasureStatus, to: CountermeasureStatus): boolean {
  return REASON_REQUIRED_TARGETS.has(to) && from !== S.BLOCKED;
}

interface Edge {
  to: CountermeasureStatus;
  cause: TransitionCause;
}

/** Every move out of a (validated) state, by any cause. The single source of the graph. */
function edgesFrom(status: CountermeasureStatus, resumeStatus: CountermeasureStatus | null, ongoing: boolean): Edge[] {
  const edges: Edge[] = [];
  const add = (cause: TransitionCause, to: CountermeasureStatus): void => {
    edges.push({ to, cause });
  };

  switch (status) {
    case S.PLANNED:
      add(C.USER, S.IN_PROGRESS);
      break;
    case S.IN_PROGRESS:
      add(C.USER, S.IMPLEMENTED);
      break;
    case S.BLOCKED:
      // Validated: non-null for BLOCKED.
      add(C.USER, resumeStatus as CountermeasureStatus);
      break;
    case S.IMPLEMENTED:
      add(C.USER, S.IN_PROGRESS);
      add(C.AUDITOR_SIGN_OFF, S.VERIFIED);
      add(C.AUDITOR_REJECTION, S.CHANGES_REQUESTED);
      break;
    case S.CHANGES_REQUESTED:
    case S.REOPENED:
      add(C.USER, S.IN_PROGRESS);
      break;
    case S.VERIFIED:
      if (ongoing) add(C.USER, S.OPERATING);
      add(C.REOPEN, S.REOPENED);
      break;
    case S.OPERATING:
      add(C.SYSTEM_STALENESS, S.DEGRADED);
      add(C.REOPEN, S.REOPENED);
      break;
    case S.DEGRADED:
      add(C.SYSTEM_FRESH_EVIDENCE, S.OPERATING);
      // Still signed off: evidence it rested on that changes reopens it, like VERIFIED and OPERATING.
      add(C.REOPEN, S.REOPENED);
      break;
    case S.CANCELLED:
      break;
  }

  if (BLOCKABLE_STATUSES.includes(status)) add(C.USER, S.BLOCKED);
  const finished = status === S.CANCELLED || (status === S.VERIFIED && !ongoing);
  if (!finished) add(C.EXECUTIVE, S.CANCELLED);
  return edges;
}

function inOrder(statuses: Iterable<CountermeasureStatus>): CountermeasureStatus[] {
  const set = new Set(statuses);
  return ALL_COUNTERMEASURE_STATUSES.filter((s) => set.has(s));
}

function invalidInput(message: string, details: Record<string, unknown>): CountermeasureError {
  return new CountermeasureError(CountermeasureErrorCode.INVALID_WORKFLOW_INPUT, message, details);
}

const KNOWN_STATUSES: ReadonlySet<string> = new Set(ALL_COUNTERMEASURE_STATUSES);
const KNOWN_CAUSES: ReadonlySet<string> = new Set(ALL_TRANSITION_CAUSES);

/** Refuses a state the workflow can never have produced. */
function assertValidState(
  status: CountermeasureStatus,
  resumeStatus: CountermeasureStatus | null,
  cause: TransitionCause,
  ongoing: boolean,
): void {
  if (!KNOWN_STATUSES.has(status)) {
    throw invalidInput(`Unknown countermeasure status ${String(status)}`, { status });
  }
  if (!KNOWN_CAUSES.has(cause)) {
    throw invalidInput(`Unknown transition cause ${String(cause)}`, { cause });
  }
  if (status === S.BLOCKED) {
    if (resumeStatus === null || !BLOCKABLE_STATUSES.includes(resumeStatus)) {
      throw invalidInput(
        `A BLOCKED countermeasure needs a resume status among ${BLOCKABLE_STATUSES.join(', ')}; got ${String(resumeStatus)}`,
        { status, resumeStatus, expected: [...BLOCKABLE_STATUSES] },
      );
    }
  } else if (resumeStatus !== null) {
    throw invalidInput(`Only a BLOCKED countermeasure has a resume status; ${status} has ${String(resumeStatus)}`, {
      status,
      resumeStatus,
    });
  }
  if (!ongoing && (ONGOING_ONLY_STATUSES.has(status) || (resumeStatus !== null && ONGOING_ONLY_STATUSES.has(resumeStatus)))) {
    throw invalidInput(
      `A countermeasure that is not ongoing cannot be ${status === S.BLOCKED ? `blocked from ${String(resumeStatus)}` : status}`,
      {
        status,
        resumeStatus,
        ongoing,
      },
    );
  }
}

function assertValidFacts(facts: WorkflowFacts): void {
  const { requirementsTotal: total, requirementsWithEvidence: withEvidence } = facts;
  if (!Number.isSafeInteger(total) || !Number.isSafeInteger(withEvidence) || total < 0 || withEvidence < 0 || withEvidence > total) {
    throw invalidInput(`Impossible evidence counts: ${String(withEvidence)} of ${String(total)} requirements`, {
      requirementsTotal: total,
      requirementsWithEvidence: withEvidence,
    });
  }
}

/**
 * The statuses `cause` can reach from this state, in workflow order. Graph only:
 * it does not look at reasons or evidence (a listed IMPLEMENTED may still be
 * refused with EVIDENCE_MISSING). Throws INVALID_WORKFLOW_INPUT for an impossible
 * state. `ongoing` is needed because some moves exist only for ongoing measures.
 */
export function allowedTransitions(
  status: CountermeasureStatus,
  resumeStatus: CountermeasureStatus | null,
  cause: TransitionCause,
  facts: Pick<WorkflowFacts, 'ongoing'>,
): CountermeasureStatus[] {
  assertValidState(status, resumeStatus, cause, facts.ongoing);
  return inOrder(
    edgesFrom(status, resumeStatus, facts.ongoing)
      .filter((e) => e.cause === cause)
      .map((e) => e.to),
  );
}

const CAUSE_WORDS: Record<TransitionCause, string> = {
  USER: 'a status edit',
  EXECUTIVE: "an executive's decision",
  AUDITOR_SIGN_OFF: "an auditor's sign-off",
  AUDITOR_REJECTION: "an auditor's rejection",
  REOPEN: 'reopening',
  SYSTEM_STALENESS: 'stale evidence',
  SYSTEM_FRESH_EVIDENCE: 'fresh evidence',
};

function allowedText(allowed: readonly CountermeasureStatus[]): string {
  return allowed.length === 0 ? 'none' : allowed.join(', ');
}

/** What `assertMoveAllowed` judges a move by, besides its two ends. */
export interface MoveFacts {
  cause: TransitionCause;
  /** Where BLOCKED goes back to; non-null exactly when `from` is BLOCKED. */
  resumeStatus: CountermeasureStatus | null;
  ongoing: boolean;
  /** The reason given; left out, the reason is not judged (a question asked before one is known). */
  reason?: string | null;
  /** The evidence counts; left out, the evidence rule is not judged. */
  evidence?: Pick<WorkflowFacts, 'requirementsTotal' | 'requirementsWithEvidence'>;
}

/**
 * Whether `cause` may move a countermeasure `from` → `to`, without making the
 * move: throws the CountermeasureError the move itself would throw (see the
 * order of checks in the file comment), or returns. The graph is always
 * judged; the reason and the evidence only when `facts` carries them. A
 * caller that must refuse before it does other work (the sign-off, before it
 * gathers what it signs) asks this instead of trying the move.
 */
export function assertMoveAllowed(from: CountermeasureStatus, to: CountermeasureStatus, facts: MoveFacts): void {
  const { cause, resumeStatus, ongoing } = facts;
  assertValidState(from, resumeStatus, cause, ongoing);
  if (facts.evidence) assertValidFacts({ ongoing, ...facts.evidence });

  const edges = edgesFrom(from, resumeStatus, ongoing);
  const allowed = inOrder(edges.filter((e) => e.cause === cause).map((e) => e.to));
  const fromText = from === S.BLOCKED ? `BLOCKED (blocked from ${String(resumeStatus)})` : from;
  const refusal = { from, to, cause, resumeStatus, allowed };

  if (!allowed.includes(to)) {
    const permittedCauses = ALL_TRANSITION_CAUSES.filter((c) => edges.some((e) => e.cause === c && e.to === to));
    const byWhat = `by ${CAUSE_WORDS[cause]} (${cause})`;
    const allowedPart = `Allowed ${byWhat} from ${fromText}: ${allowedText(allowed)}.`;
    if (permittedCauses.length === 0) {
      const why = to === from ? `it is already ${from}` : `${to} cannot be reached from ${fromText}`;
      throw new CountermeasureError(
        CountermeasureErrorCode.INVALID_TRANSITION,
        `Cannot move a countermeasure from ${fromText} to ${String(to)}: ${why}. ${allowedPart}`,
        refusal,
      );
    }
    if (to === S.VERIFIED) {
      throw new CountermeasureError(
        CountermeasureErrorCode.SIGN_OFF_REQUIRED,
        `A countermeasure becomes VERIFIED only through an auditor's sign-off, not ${byWhat}. ${allowedPart}`,
        { ...refusal, permittedCauses },
      );
    }
    throw new CountermeasureError(
      CountermeasureErrorCode.NOT_ALLOWED,
      `Moving from ${fromText} to ${to} takes ${permittedCauses.join(' or ')}, not ${byWhat}. ${allowedPart}`,
      { ...refusal, permittedCauses },
    );
  }

  if (facts.reason !== undefined && trimmedReason(facts.reason) === null && reasonRequired(from, to)) {
    throw new CountermeasureError(CountermeasureErrorCode.REASON_REQUIRED, `Moving a countermeasure to ${to} needs a reason`, {
      from,
      to,
      cause,
    });
  }

  if (facts.evidence && EVIDENCE_REQUIRED_TARGETS.has(to)) {
    const { requirementsTotal: total, requirementsWithEvidence: withEvidence } = facts.evidence;
    if (total === 0) {
      throw new CountermeasureError(
        CountermeasureErrorCode.NO_REQUIREMENTS,
        `A countermeasure without requirements cannot become ${to}: there is nothing to evidence`,
        { from, to, cause },
      );
    }
    if (withEvidence < total) {
      throw new CountermeasureError(
        CountermeasureErrorCode.EVIDENCE_MISSING,
        `A countermeasure becomes ${to} only when every requirement has evidence: ${total - withEvidence} of ${total} still have none`,
        { from, to, cause, requirementsTotal: total, requirementsWithEvidence: withEvidence, missing: total - withEvidence },
      );
    }
  }
}

function trimmedReason(reason: string | null): string | null {
  const trimmed = reason?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
}

/**
 * Decides one move. Returns what to store, or throws a CountermeasureError whose
 * code says why not (`assertMoveAllowed`, with every fact).
 */
export function decideTransition(input: TransitionInput): TransitionDecision {
  const { current, resumeStatus, target, cause, facts } = input;
  assertMoveAllowed(current, target, {
    cause,
    resumeStatus,
    ongoing: facts.ongoing,
    reason: input.reason,
    evidence: { requirementsTotal: facts.requirementsTotal, requirementsWithEvidence: facts.requirementsWithEvidence },
  });
  return {
    from: current,
    to: target,
    cause,
    reason: trimmedReason(input.reason),
    resumeStatus: target === S.BLOCKED ? current : null,
  };
}
