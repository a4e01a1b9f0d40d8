import { BLOCKING_SEVERITIES, isExpired, type FindingSeverity, type FindingStatus } from './audit-fields';

/**
 * The clearance rule, one pure function of the rows it reads (CONVENTIONS,
 * "Invariants that span several rows"). The services take the incident lock,
 * read these facts, and call `clearanceBlockers` both when the lead auditor
 * clears and after every change that can break a standing clearance; if any
 * blocker appears, the clearance is withdrawn in that same transaction.
 *
 * A clearance stands while:
 * - its scope holds at least one countermeasure,
 * - every in-scope countermeasure is VERIFIED or OPERATING (an ongoing measure,
 *   signed off and running); DEGRADED, REOPENED and the rest are not,
 * - no CRITICAL or HIGH finding of the incident (any of its engagements) is open.
 *   A finding is open when OPEN, or ACCEPTED_RISK with an acceptance that has
 *   expired (its last day, Asia/Tokyo, is before today) or no standing acceptance.
 */
export const CLEARANCE_STATUSES: readonly string[] = ['VERIFIED', 'OPERATING'];

export function isVerifiedForClearance(status: string): boolean {
  return CLEARANCE_STATUSES.includes(status);
}

export interface FindingFacts {
  id: string;
  key: string;
  severity: FindingSeverity;
  status: FindingStatus;
  /** The standing acceptance's last day, for ACCEPTED_RISK; null if none stands. */
  acceptanceExpiresOn: string | null;
}

export function isFindingOpen(f: Pick<FindingFacts, 'status' | 'acceptanceExpiresOn'>, today: string): boolean {
  if (f.status === 'OPEN') return true;
  if (f.status === 'ACCEPTED_RISK') return f.acceptanceExpiresOn === null || isExpired(f.acceptanceExpiresOn, today);
  return false;
}

export function isBlockingFinding(f: FindingFacts, today: string): boolean {
  return BLOCKING_SEVERITIES.includes(f.severity) && isFindingOpen(f, today);
}

export interface ScopeItemFacts {
  id: string;
  key: string;
  status: string;
}

export interface ClearanceFacts {
  scope: readonly ScopeItemFacts[];
  /** Every finding of the incident. */
  findings: readonly FindingFacts[];
  /** Today in Asia/Tokyo (YYYY-MM-DD). */
  today: string;
}

export type ClearanceBlocker =
  | { kind: 'EMPTY_SCOPE' }
  | { kind: 'COUNTERMEASURE_NOT_VERIFIED'; id: string; key: string; status: string }
  | { kind: 'OPEN_FINDING'; id: string; key: string; severity: FindingSeverity; status: FindingStatus; acceptanceExpiresOn: string | null };

/** Everything that stands in the way, in a stable order (scope, then countermeasures by key, then findings by key). */
export function clearanceBlockers(facts: ClearanceFacts): ClearanceBlocker[] {
  const blockers: ClearanceBlocker[] = [];
  if (facts.scope.length === 0) blockers.push({ kind: 'EMPTY_SCOPE' });
  for (const cm of [...facts.scope].sort(byKey)) {
    if (!isVerifiedForClearance(cm.status))
      blockers.push({ kind: 'COUNTERMEASURE_NOT_VERIFIED', id: cm.id, key: cm.key, status: cm.status });
  }
  for (const f of [...facts.findings].sort(byKey)) {
    if (isBlockingFinding(f, facts.today)) {
      blockers.push({
        kind: 'OPEN_FINDING',
        id: f.id,
        key: f.key,
        severity: f.severity,
        status: f.status,
        acceptanceExpiresOn: f.acceptanceExpiresOn,
      });
    }
  }
  return blockers;
}

/** Keys sort by their number (CM-999 before CM-1000), then as text. */
function byKey(a: { key: string; id: string }, b: { key: string; id: string }): number {
  const na = Number(/(\d+)$/.exec(a.key)?.[1] ?? 0);
  const nb = Number(/(\d+)$/.exec(b.key)?.[1] ?? 0);
  return na - nb || a.key.localeCompare(b.key) || a.id.localeCompare(b.id);
}

/** The error details of a refused clearance: the blockers, plus the keys a person reads first. */
export function blockerDetails(blockers: readonly ClearanceBlocker[]) {
  return {
    blockers: blockers.map((b) => ({ ...b })),
    emptyScope: blockers.some((b) => b.kind === 'EMPTY_SCOPE'),
    countermeasures: blockers.flatMap((b) => (b.kind === 'COUNTERMEASURE_NOT_VERIFIED' ? [b.key] : [])),
    findings: blockers.flatMap((b) => (b.kind === 'OPEN_FINDING' ? [b.key] : [])),
  };
}

/** One line per blocker, for messages and the withdrawal's history. */
export function describeBlockers(blockers: readonly ClearanceBlocker[]): string {
  return blockers
    .map((b) =>
      b.kind === 'EMPTY_SCOPE'
        ? 'no countermeasure in scope'
        : b.kind === 'COUNTERMEASURE_NOT_VERIFIED'
          ? `${b.key} is ${b.status}`
          : `finding ${b.key} (${b.severity}) is open`,
    )
    .join('; ');
}
