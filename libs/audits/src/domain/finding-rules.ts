import { AuditError, AuditErrorCode } from './audit.errors';
import { findingKey, isExpired, type FindingStatus } from './audit-fields';

/** What the rules read of a finding. */
export interface FindingState {
  seq: number;
  status: FindingStatus;
  countermeasureId: string | null;
}

/** An open or risk-accepted finding may be resolved; a resolved one is refused (INVALID_FINDING_TRANSITION). */
export function assertResolvable(f: Pick<FindingState, 'seq' | 'status'>): void {
  if (f.status === 'RESOLVED') {
    throw new AuditError(AuditErrorCode.INVALID_FINDING_TRANSITION, `${findingKey(f.seq)} is already RESOLVED`, {
      status: f.status,
      to: 'RESOLVED',
    });
  }
}

/** Only a resolved finding may be reopened (else INVALID_FINDING_TRANSITION). */
export function assertReopenable(f: Pick<FindingState, 'seq' | 'status'>): void {
  if (f.status !== 'RESOLVED') {
    throw new AuditError(
      AuditErrorCode.INVALID_FINDING_TRANSITION,
      `Only a RESOLVED finding can be reopened; ${findingKey(f.seq)} is ${f.status}`,
      {
        status: f.status,
        to: 'OPEN',
      },
    );
  }
}

/** A countermeasure is created from a finding that concerns none yet (else FINDING_ALREADY_LINKED). */
export function assertNotLinked(f: Pick<FindingState, 'seq' | 'countermeasureId'>): void {
  if (f.countermeasureId) {
    throw new AuditError(AuditErrorCode.FINDING_ALREADY_LINKED, `${findingKey(f.seq)} already concerns a countermeasure`, {
      countermeasureId: f.countermeasureId,
    });
  }
}

/**
 * An executive accepts the risk of an open finding: OPEN, or ACCEPTED_RISK
 * whose acceptance is gone or has expired by `today` (YYYY-MM-DD, Asia/Tokyo).
 * Any other finding is refused (INVALID_FINDING_TRANSITION).
 */
export function assertRiskAcceptable(f: Pick<FindingState, 'seq' | 'status'>, standing: { expiresOn: string } | null, today: string): void {
  const open = f.status === 'OPEN' || (f.status === 'ACCEPTED_RISK' && (!standing || isExpired(standing.expiresOn, today)));
  if (!open) {
    throw new AuditError(
      AuditErrorCode.INVALID_FINDING_TRANSITION,
      `Only an open finding's risk can be accepted; ${findingKey(f.seq)} is ${f.status}`,
      {
        status: f.status,
        to: 'ACCEPTED_RISK',
      },
    );
  }
}
