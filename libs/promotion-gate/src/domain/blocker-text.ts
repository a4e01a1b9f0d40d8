/**
 * A gate's blockers are stored as data — a code and its parameters, next to
 * the item they concern — and turned into the sentence a person acts on when
 * read (`describeBlocker`). So the stored row changes only when a fact does,
 * and the wording can change without a migration of the rows.
 *
 * The API offers these sentences in English only (as before this change).
 *
 * Stored form (JSON, in `promotion_gates.blockers`, `promotion_gates.date_rules`
 * and `promotion_gate_history.blockers`):
 * `{ code, kind, itemId, itemKey, itemTitle, ownerId, ownerName, ...parameters }`,
 * e.g. `{ code: 'COUNTERMEASURE_NOT_VERIFIED', kind: 'COUNTERMEASURE_NOT_VERIFIED',
 * itemKey: 'CM-003', itemTitle: '…', status: 'IN_PROGRESS', … }`.
 */

export const BLOCKER_CODES = [
  /** An executive holds the gate by hand. Parameters: by, on (YYYY-MM-DD, Asia/Tokyo), reason. */
  'MANUAL_HOLD',
  /** A required countermeasure is not verified. Parameters: status, resumeStatus (while BLOCKED). */
  'COUNTERMEASURE_NOT_VERIFIED',
  /** No external audit engagement exists. */
  'NO_AUDIT_ENGAGEMENT',
  /** The audit is not cleared, or its clearance was withdrawn. Parameters: auditStatus. */
  'AUDIT_NOT_CLEARED',
  /** A CRITICAL or HIGH finding is open. Parameters: severity, countermeasureKey. */
  'OPEN_FINDING',
  /** (A date rule) a blocking finding's risk acceptance held through lastDay. Parameters: severity, lastDay. */
  'FINDING_RISK_ACCEPTANCE_EXPIRED',
  /** (A date rule) a recurring requirement never had accepted evidence. Parameters: requirement, inAuditScope. */
  'RECURRING_EVIDENCE_MISSING',
  /** (A date rule) a recurring requirement's evidence was fresh through freshThrough. Parameters: requirement, freshThrough, inAuditScope. */
  'RECURRING_EVIDENCE_STALE',
  /** (A date rule) the risk acceptance covering a requirement held through lastDay. Parameters: requirement, lastDay, inAuditScope. */
  'REQUIREMENT_RISK_ACCEPTANCE_EXPIRED',
  /** A sentence recorded before blockers were stored as data that the migration could not read back into a code. Parameters: text. */
  'RECORDED_TEXT',
] as const;
export type BlockerCode = (typeof BLOCKER_CODES)[number];

/** The parameters a code may carry (each code uses the ones its comment names). */
export interface BlockerParams {
  by?: string;
  on?: string;
  reason?: string;
  status?: string;
  resumeStatus?: string | null;
  auditStatus?: string | null;
  severity?: string;
  countermeasureKey?: string | null;
  lastDay?: string;
  freshThrough?: string;
  requirement?: string;
  inAuditScope?: boolean;
  text?: string;
}

/** What a blocker's sentence is made of: its code, the item it concerns, its parameters. */
export interface BlockerFacts extends BlockerParams {
  code: BlockerCode;
  itemKey: string | null;
  itemTitle: string | null;
  ownerName: string | null;
}

const WAITING_FOR: Record<string, string> = {
  PLANNED: 'work has not started',
  IN_PROGRESS: 'work is in progress',
  IMPLEMENTED: 'waiting for auditor sign-off',
  CHANGES_REQUESTED: 'the auditor requested changes',
  REOPENED: 'it was reopened and needs work again',
  DEGRADED: 'its recurring evidence is stale (fresh evidence must be accepted)',
  CANCELLED: 'it was cancelled but is still marked required for the gate',
};

const IN_SCOPE = ' It is in the audit’s scope: the clearance no longer stands.';

/** The sentence a person can act on, in English (the API's language for blockers). Pure. */
export function describeBlocker(b: BlockerFacts): string {
  const item = `${b.itemKey ?? ''} ${b.itemTitle ?? ''}`;
  const scope = b.inAuditScope ? IN_SCOPE : '';
  switch (b.code) {
    case 'MANUAL_HOLD':
      return `Suspended by hand by ${b.by ?? ''} on ${b.on ?? ''}: ${b.reason ?? ''}. An executive must release the hold.`;
    case 'COUNTERMEASURE_NOT_VERIFIED': {
      const status = b.status ?? '';
      const why = status === 'BLOCKED' ? `it is blocked (from ${b.resumeStatus ?? 'unknown'})` : (WAITING_FOR[status] ?? `it is ${status}`);
      return `${item} is ${status}, ${why}${b.ownerName ? ` (owner: ${b.ownerName})` : ''}.`;
    }
    case 'NO_AUDIT_ENGAGEMENT':
      return 'No external audit engagement exists yet: the security firm’s audit must be planned and cleared.';
    case 'AUDIT_NOT_CLEARED':
      return `The external audit is ${b.auditStatus ?? ''}: its lead auditor has not cleared it (or the clearance was withdrawn).`;
    case 'OPEN_FINDING':
      return `Audit finding ${b.itemKey ?? ''} (${b.severity ?? ''}) "${b.itemTitle ?? ''}" is open${b.countermeasureKey ? ` (concerns ${b.countermeasureKey})` : ''}: resolve it, or an executive accepts the risk.`;
    case 'FINDING_RISK_ACCEPTANCE_EXPIRED':
      return `Audit finding ${b.itemKey ?? ''} (${b.severity ?? ''}) "${b.itemTitle ?? ''}" is open again: its risk acceptance held through ${b.lastDay ?? ''} (Asia/Tokyo) and has expired. Resolve it, or an executive accepts the risk again.`;
    case 'RECURRING_EVIDENCE_MISSING':
      return `${item}: "${b.requirement ?? ''}" has no accepted evidence, so its recurring evidence is stale (fresh evidence must be accepted).${scope}`;
    case 'RECURRING_EVIDENCE_STALE':
      return `${item}: the recurring evidence of "${b.requirement ?? ''}" was fresh through ${b.freshThrough ?? ''} (Asia/Tokyo) and is stale now (fresh evidence must be accepted).${scope}`;
    case 'REQUIREMENT_RISK_ACCEPTANCE_EXPIRED':
      return `${item}: the risk acceptance that covers "${b.requirement ?? ''}" held through ${b.lastDay ?? ''} (Asia/Tokyo) and has expired; the work is open again.${scope}`;
    case 'RECORDED_TEXT':
      return b.text ?? '';
  }
}

/** A stored blocker with its sentence (what every reader gets); the sentence is never stored. */
export function withMessage<T extends BlockerFacts>(b: T): T & { message: string } {
  return { ...b, message: describeBlocker(b) };
}

/** The stored form: the blocker without its sentence. */
export function withoutMessage<T extends { message?: string }>(b: T): Omit<T, 'message'> {
  const { message: _message, ...data } = b;
  return data;
}
