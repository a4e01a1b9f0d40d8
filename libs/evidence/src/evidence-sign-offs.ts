import { TransactionHost, Transactional } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { AuditTrailService } from '@app/audit-trail';
import { Clock, signerProofOf, staleVersion, type Actor } from '@app/common';
import {
  assertMoveAllowed,
  countermeasureKey,
  CountermeasuresService,
  CountermeasureStatus,
  riskAccepted,
  TransitionCause,
  type CountermeasureStatusChanged,
} from '@app/countermeasures';
import { EvidenceEntity, SignOffEntity } from './evidence.entities';
import { EvidenceError, EvidenceErrorCode } from './domain/evidence.errors';
import { MAX_EVIDENCE_TEXT_LENGTH } from './domain/evidence-fields';
import { payloadDigest, signOffPayload } from './domain/evidence-digests';
import { assertMaySignOff, signOffGaps } from './domain/evidence-rules';
import { EvidenceReads } from './evidence-reads';
import { invalid } from './domain/evidence-input';

/**
 * Sign-offs, the part of EvidenceService (which extends this) that makes work
 * VERIFIED and revokes a sign-off when the work is opened again or cancelled
 * (the first of the cross-row rules, run by CrossRowRules before the commit).
 */
export abstract class EvidenceSignOffs extends EvidenceReads {
  constructor(
    txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    countermeasures: CountermeasuresService,
    clock: Clock,
    protected readonly trail: AuditTrailService,
  ) {
    super(txHost, countermeasures, clock);
  }

  /**
   * The only way to VERIFIED: an auditor without a part in the work signs an
   * IMPLEMENTED countermeasure off when every requirement's live evidence is
   * accepted. The sign-off stores the digest of exactly that evidence.
   */
  @Transactional()
  async signOff(actor: Actor, countermeasureId: string, expectedVersion: number, statement: string | null): Promise<SignOffEntity> {
    const cm = await this.countermeasures.lockItem(countermeasureId);
    const live = await this.em.getRepository(EvidenceEntity).findBy({ countermeasureId: cm.id, status: 'SUBMITTED' });
    assertMaySignOff(actor, {
      ownerId: cm.ownerId,
      contributorIds: await this.countermeasures.everyParty(cm.id),
      uploaderIds: live.map((e) => e.uploadedById),
    });
    if (cm.version !== expectedVersion) throw staleVersion('Countermeasure', countermeasureKey(cm.seq), expectedVersion, cm.version);
    const text = (statement ?? '').trim();
    if ([...text].length > MAX_EVIDENCE_TEXT_LENGTH)
      throw invalid('statement', `statement must have at most ${MAX_EVIDENCE_TEXT_LENGTH} characters`);
    // Asked, not tried: the workflow refuses a move to VERIFIED from anywhere but IMPLEMENTED (INVALID_TRANSITION naming the moves there are).
    assertMoveAllowed(cm.status, CountermeasureStatus.VERIFIED, {
      cause: TransitionCause.AUDITOR_SIGN_OFF,
      resumeStatus: cm.resumeStatus,
      ongoing: cm.ongoing,
    });
    const requirements = await this.countermeasures.requirementsOf([cm.id]); // ordered by position
    const today = this.today();
    const gaps = signOffGaps(requirements.map((r) => ({ ...r, riskAccepted: riskAccepted(r, today) })));
    if (requirements.length === 0 || gaps.length > 0) {
      throw new EvidenceError(
        EvidenceErrorCode.SIGN_OFF_NOT_READY,
        requirements.length === 0
          ? `${countermeasureKey(cm.seq)} has no requirement: there is nothing to sign off`
          : `${countermeasureKey(cm.seq)} cannot be signed off: ${gaps.map((g) => `"${g.title}" ${g.reason === 'NO_EVIDENCE' ? 'has no evidence' : 'has evidence not accepted yet'}`).join('; ')}`,
        { missing: gaps },
      );
    }
    const reviews = await this.latestReviews(live.map((e) => e.id));
    const signedAt = this.clock.now();
    const byId = new Map(requirements.map((r) => [r.id, r]));
    // What the sign-off rests on: accepted live evidence, and the risk acceptances covering the rest.
    const accepted = live.filter((e) => e.reviewDecision === 'ACCEPTED' && reviews.get(e.id)?.decision === 'ACCEPTED');
    const covered = requirements.filter((r) => riskAccepted(r, today));
    const signerProof = signerProofOf(actor);
    const payload = signOffPayload({
      countermeasure: { id: cm.id, key: countermeasureKey(cm.seq), incidentId: cm.incidentId, title: cm.title },
      auditor: { id: actor.id!, label: actor.label },
      signedAt,
      statement: text,
      signerProof,
      riskAcceptances: covered.map((r) => ({
        requirementId: r.id,
        requirementTitle: r.title,
        requirementPosition: r.position,
        riskAcceptanceId: r.riskAcceptanceId!,
        expiresOn: r.riskAcceptedUntil!,
      })),
      evidence: accepted.map((e) => {
        const review = reviews.get(e.id)!;
        const req = byId.get(e.requirementId)!;
        return {
          requirementId: req.id,
          requirementTitle: req.title,
          requirementPosition: req.position,
          evidenceId: e.id,
          versionNo: e.versionNo,
          kind: e.kind,
          sha256: e.sha256,
          reviewId: review.id,
          reviewedAt: review.at,
        };
      }),
    });
    const repo = this.em.getRepository(SignOffEntity);
    const saved = await repo.save(
      repo.create({
        countermeasureId: cm.id,
        auditorId: actor.id!,
        auditorLabel: actor.label,
        signedAt,
        statement: text,
        digest: payloadDigest(payload),
        payload,
        signerProof,
        revokedAt: null,
        revokedReason: null,
      }),
    );
    await this.trail.append({
      actor,
      action: 'countermeasure.signed_off',
      entityType: 'Countermeasure',
      entityId: cm.id,
      after: {
        key: countermeasureKey(cm.seq),
        signOffId: saved.id,
        digest: saved.digest,
        evidence: (payload.evidence as unknown[]).length,
        signerProof,
      },
    });
    await this.countermeasures.moveFor(actor, cm, CountermeasureStatus.VERIFIED, TransitionCause.AUDITOR_SIGN_OFF, text || null);
    return saved;
  }

  /**
   * Work opened again or cancelled: the standing sign-off no longer stands (kept, revoked, with the reason).
   * The first of the cross-row rules (CrossRowRules, @app/promotion-gate), run before the commit of the move.
   */
  async revokeSignOffAfter(event: CountermeasureStatusChanged): Promise<void> {
    if (event.to !== CountermeasureStatus.REOPENED && event.to !== CountermeasureStatus.CANCELLED) return;
    const open = await this.em
      .getRepository(SignOffEntity)
      .createQueryBuilder('s')
      .where('s.countermeasureId = :id AND s.revokedAt IS NULL', { id: event.countermeasureId })
      .getOne();
    if (!open) return;
    const reason = `${event.key} moved ${event.from} → ${event.to}${event.reason ? `: ${event.reason}` : ''}`;
    await this.em.getRepository(SignOffEntity).update({ id: open.id }, { revokedAt: event.at, revokedReason: reason });
    await this.trail.append({
      actor: event.actor,
      action: 'countermeasure.sign_off_revoked',
      entityType: 'Countermeasure',
      entityId: event.countermeasureId,
      before: { signOffId: open.id, digest: open.digest },
      after: { revokedReason: reason },
    });
  }
}
