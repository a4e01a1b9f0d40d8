import { isSystem, type Actor } from '@app/common';
import { actorMay, Permission } from '@app/identity';
import { EvidenceError, EvidenceErrorCode } from './evidence.errors';
import type { ReviewDecision } from './evidence-fields';

/**
 * Record-level rules of review and sign-off (the global guard has already
 * checked that the caller holds EVIDENCE_REVIEW, which only auditors have).
 *
 * Segregation of duties (decisions where the issue is silent are marked):
 * - nobody reviews evidence they uploaded (SELF_REVIEW);
 * - decision: the owner and the contributors of a countermeasure (present or
 *   past) review none of its evidence either (CONFLICT_OF_INTEREST): someone who
 *   did the work does not judge it;
 * - nobody who owns or contributes to the countermeasure, or uploaded any of
 *   the evidence it rests on, signs it off (CONFLICT_OF_INTEREST);
 * - decision: the permission is checked here too (EVIDENCE_REVIEW, the
 *   auditors'), so that the CLI or a job calling the service cannot skip it.
 */
export interface Involvement {
  ownerId: string;
  contributorIds: readonly string[];
  uploaderIds: readonly string[];
}

function assertAuditor(actor: Actor, what: string): string {
  if (isSystem(actor) || !actorMay(actor, Permission.EVIDENCE_REVIEW)) {
    throw new EvidenceError(EvidenceErrorCode.NOT_PERMITTED, `Only an auditor may ${what}`, { actor: actor.label });
  }
  return actor.id!;
}

export function assertMayReview(actor: Actor, uploadedById: string, item: Omit<Involvement, 'uploaderIds'>): void {
  const id = assertAuditor(actor, 'review evidence');
  if (id === uploadedById) {
    throw new EvidenceError(EvidenceErrorCode.SELF_REVIEW, 'Nobody reviews evidence they uploaded', { actor: actor.label });
  }
  if (id === item.ownerId || item.contributorIds.includes(id)) {
    throw new EvidenceError(
      EvidenceErrorCode.CONFLICT_OF_INTEREST,
      'The owner and contributors of a countermeasure do not review its evidence',
      {
        actor: actor.label,
      },
    );
  }
}

export function assertMaySignOff(actor: Actor, item: Involvement): void {
  const id = assertAuditor(actor, 'sign a countermeasure off');
  const part =
    id === item.ownerId
      ? 'owner'
      : item.contributorIds.includes(id)
        ? 'contributor'
        : item.uploaderIds.includes(id)
          ? 'uploader of its evidence'
          : null;
  if (part) {
    throw new EvidenceError(EvidenceErrorCode.CONFLICT_OF_INTEREST, `You cannot sign off a countermeasure you are the ${part} of`, {
      actor: actor.label,
      part,
    });
  }
}

/** A rejection or a request for more must say why: the owner acts on the comment. */
export function requiresComment(decision: ReviewDecision): boolean {
  return decision !== 'ACCEPTED';
}

export interface RequirementEvidenceState {
  id: string;
  title: string;
  liveEvidenceCount: number;
  acceptedEvidenceCount: number;
  /** An executive's unexpired risk acceptance covers the requirement (decision: whatever its evidence). */
  riskAccepted: boolean;
}

export type MissingReason = 'NO_EVIDENCE' | 'NOT_ALL_ACCEPTED';

/**
 * What stands between a countermeasure and its sign-off: every requirement
 * needs live evidence, and every live item (the latest version of each) must
 * carry an ACCEPTED review of exactly its bytes. Decision: one pending,
 * rejected or "needs more" item blocks the sign-off even if another item of the
 * same requirement is accepted: the sign-off rests on all live evidence. A
 * requirement whose unmet risk an executive accepted (unexpired) is no gap; the
 * sign-off then records the acceptance instead (and rests on it until it ends).
 */
export interface SignOffGap {
  requirementId: string;
  title: string;
  reason: MissingReason;
}

export function signOffGaps(requirements: readonly RequirementEvidenceState[]): SignOffGap[] {
  const gaps: SignOffGap[] = [];
  for (const r of requirements) {
    if (r.riskAccepted) continue;
    if (r.liveEvidenceCount === 0) gaps.push({ requirementId: r.id, title: r.title, reason: 'NO_EVIDENCE' });
    else if (r.acceptedEvidenceCount < r.liveEvidenceCount) gaps.push({ requirementId: r.id, title: r.title, reason: 'NOT_ALL_ACCEPTED' });
  }
  return gaps;
}
