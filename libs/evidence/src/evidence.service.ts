import { Inject, Injectable } from '@nestjs/common';
import { TransactionHost, Transactional } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { AuditTrailService } from '@app/audit-trail';
import { Clock, staleVersion, type Actor } from '@app/common';
import {
  assertMayEdit,
  countermeasureKey,
  CountermeasuresService,
  CountermeasureStatus,
  CountermeasureTargetsService,
  RequirementEntity,
  riskAccepted,
  TransitionCause,
} from '@app/countermeasures';
import { EvidenceEntity, EvidenceReviewEntity } from './evidence.entities';
import { EvidenceStorage } from './storage/evidence-storage';
import { EvidenceError, EvidenceErrorCode } from './domain/evidence.errors';
import { MAX_EVIDENCE_TEXT_LENGTH, type ReviewDecision } from './domain/evidence-fields';
import { attestationDigest, linkDigest } from './domain/evidence-digests';
import { assertMayReview, requiresComment } from './domain/evidence-rules';
import { EvidenceSignOffs } from './evidence-sign-offs';
import {
  type Content,
  type SubmitAttestationCommand,
  type SubmitBase,
  type SubmitFileCommand,
  type SubmitLinkCommand,
} from './evidence.commands';
import {
  assertLive,
  assertNotBlockedSignedWork,
  assertOpenForEvidence,
  checkEffectiveOn,
  checkName,
  checkUrl,
  evidenceSnapshot,
  invalid,
  SIGNED_STATUSES,
} from './domain/evidence-input';

/**
 * Evidence, reviews and sign-offs: the reads (EvidenceReads), the sign-offs
 * (EvidenceSignOffs) and here the commands (submit, withdraw, review). Every
 * change takes the incident lock first (through `CountermeasuresService.lockItem`), keeps the requirement's current
 * evidence state in step (`refreshRequirement`), applies its consequence to the
 * countermeasure's workflow, and appends to the audit trail: all in one transaction.
 */
@Injectable()
export class EvidenceService extends EvidenceSignOffs {
  constructor(
    @Inject(TransactionHost) txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(CountermeasuresService) countermeasures: CountermeasuresService,
    @Inject(CountermeasureTargetsService) private readonly targets: CountermeasureTargetsService,
    @Inject(AuditTrailService) trail: AuditTrailService,
    @Inject(Clock) clock: Clock,
    @Inject(EvidenceStorage) private readonly storage: EvidenceStorage,
  ) {
    super(txHost, countermeasures, clock, trail);
  }

  /**
   * After a refused upload: removes the bytes unless some evidence row refers to
   * them, under the same lock on the hash that `submitFile` takes.
   */
  @Transactional()
  async dropFileIfUnreferenced(sha256: string): Promise<boolean> {
    await this.lockBlob(sha256);
    if (await this.hasFileWithHash(sha256)) return false;
    await this.storage.remove(sha256);
    return true;
  }

  private async lockBlob(sha256: string): Promise<void> {
    await this.em.query(`SELECT pg_advisory_xact_lock(hashtextextended('evidence-blob:' || $1, 0))`, [sha256]);
  }

  /** A file whose bytes are already in content-addressed storage under `file.sha256`. */
  @Transactional()
  async submitFile(actor: Actor, cmd: SubmitFileCommand): Promise<EvidenceEntity> {
    const f = cmd.file;
    if (!/^[0-9a-f]{64}$/.test(f.sha256) || !Number.isSafeInteger(f.sizeBytes) || f.sizeBytes <= 0 || !f.mediaType) {
      throw invalid('file', 'A file needs its SHA-256, a positive size and a detected type');
    }
    // The blob's fate is decided under a lock on its hash: a refused upload of the same
    // bytes (which removes them when unreferenced) and this submission never interleave.
    await this.lockBlob(f.sha256);
    if (!(await this.storage.exists(f.sha256))) {
      throw new EvidenceError(
        EvidenceErrorCode.UPLOAD_INVALID,
        'The uploaded bytes are no longer stored (a concurrent upload of the same file was refused): upload again',
        {
          sha256: f.sha256,
        },
      );
    }
    return this.submit(actor, cmd, {
      kind: 'FILE',
      name: checkName(f.name, 'file name'),
      sha256: f.sha256,
      mediaType: f.mediaType,
      sizeBytes: f.sizeBytes,
      url: null,
      statement: null,
    });
  }

  @Transactional()
  async submitLink(actor: Actor, cmd: SubmitLinkCommand): Promise<EvidenceEntity> {
    const url = checkUrl(cmd.url);
    return this.submit(actor, cmd, {
      kind: 'LINK',
      name: checkName(cmd.title, 'title'),
      sha256: linkDigest(url),
      mediaType: null,
      sizeBytes: null,
      url,
      statement: null,
    });
  }

  @Transactional()
  async submitAttestation(actor: Actor, cmd: SubmitAttestationCommand): Promise<EvidenceEntity> {
    const title = checkName(cmd.title, 'title');
    const statement = cmd.statement.trim();
    if (!statement || [...statement].length > MAX_EVIDENCE_TEXT_LENGTH) {
      throw invalid('statement', `An attestation needs a statement of 1 to ${MAX_EVIDENCE_TEXT_LENGTH} characters`);
    }
    return this.submit(actor, cmd, {
      kind: 'ATTESTATION',
      name: title,
      sha256: attestationDigest(title, statement),
      mediaType: null,
      sizeBytes: null,
      url: null,
      statement,
    });
  }

  private async submit(actor: Actor, cmd: SubmitBase, content: Content): Promise<EvidenceEntity> {
    const found = await this.requirement(cmd.requirementId);
    const cm = await this.countermeasures.lockItem(found.countermeasureId);
    // Read again under the lock: it may have been removed meanwhile.
    const requirement = await this.requirement(cmd.requirementId);
    assertOpenForEvidence(cm);
    assertMayEdit(actor, await this.countermeasures.parties(cm));
    const effectiveOn = checkEffectiveOn(cmd.effectiveOn, this.today());
    const description = (cmd.description ?? '').trim();
    if ([...description].length > MAX_EVIDENCE_TEXT_LENGTH)
      throw invalid('description', `description must have at most ${MAX_EVIDENCE_TEXT_LENGTH} characters`);
    if (cmd.targetId != null) {
      const target = (await this.targets.targetsOf([cm.id])).find((t) => t.id === cmd.targetId) ?? null;
      if (!target || target.countermeasureId !== cm.id) {
        throw new EvidenceError(
          EvidenceErrorCode.TARGET_NOT_FOUND,
          `Target ${cmd.targetId} is not a target of ${countermeasureKey(cm.seq)}`,
          { targetId: cmd.targetId },
        );
      }
    }
    let previous: EvidenceEntity | null = null;
    if (cmd.supersedesId != null) {
      previous = await this.getById(cmd.supersedesId);
      if (previous.requirementId !== requirement.id) {
        throw invalid('supersedesId', 'A new version must serve the same requirement as the evidence it supersedes');
      }
      assertLive(previous, 'superseded');
      assertNotBlockedSignedWork(cm, 'superseded');
    }

    const repo = this.em.getRepository(EvidenceEntity);
    const now = this.clock.now();
    const saved = await repo.save(
      repo.create({
        countermeasureId: cm.id,
        requirementId: requirement.id,
        targetId: cmd.targetId ?? null,
        ...content,
        description,
        effectiveOn,
        versionNo: previous ? previous.versionNo + 1 : 1,
        supersedesId: previous?.id ?? null,
        uploadedById: actor.id!,
        uploadedByLabel: actor.label,
        uploadedAt: now,
        status: 'SUBMITTED',
        reviewDecision: null,
        reviewedAt: null,
      }),
    );
    if (previous) {
      await this.setState(previous, { status: 'SUPERSEDED', supersededById: saved.id });
    }
    await this.refreshRequirement(requirement.id);
    await this.trail.append({
      actor,
      action: previous ? 'evidence.superseded' : 'evidence.submitted',
      entityType: 'Evidence',
      entityId: saved.id,
      before: previous ? { supersededId: previous.id, sha256: previous.sha256, versionNo: previous.versionNo } : null,
      after: evidenceSnapshot(saved, countermeasureKey(cm.seq), requirement.title),
    });
    if (previous && SIGNED_STATUSES.has(cm.status)) {
      await this.countermeasures.moveFor(
        actor,
        cm,
        CountermeasureStatus.REOPENED,
        TransitionCause.REOPEN,
        `Evidence "${previous.name}" (v${previous.versionNo}) was superseded by v${saved.versionNo}: the sign-off no longer covers what is submitted`,
      );
    }
    return this.getById(saved.id);
  }

  /** Taking evidence back is a recorded act with a reason; the row and the bytes stay. */
  @Transactional()
  async withdraw(actor: Actor, evidenceId: string, expectedVersion: number, reason: string): Promise<EvidenceEntity> {
    const evidence = await this.getById(evidenceId);
    const cm = await this.countermeasures.lockItem(evidence.countermeasureId);
    assertMayEdit(actor, await this.countermeasures.parties(cm));
    const why = reason.trim();
    if (!why || [...why].length > MAX_EVIDENCE_TEXT_LENGTH) throw invalid('reason', 'Withdrawing evidence needs a reason');
    const current = await this.getById(evidenceId);
    assertLive(current, 'withdrawn');
    assertNotBlockedSignedWork(cm, 'withdrawn');
    if (current.version !== expectedVersion) throw staleVersion('Evidence', current.id, expectedVersion, current.version);
    await this.setState(current, {
      status: 'WITHDRAWN',
      withdrawnAt: this.clock.now(),
      withdrawnByLabel: actor.label,
      withdrawalReason: why,
    });
    const requirement = await this.refreshRequirement(current.requirementId);
    const withdrawn = await this.getById(current.id);
    await this.trail.append({
      actor,
      action: 'evidence.withdrawn',
      entityType: 'Evidence',
      entityId: current.id,
      before: { status: current.status, version: current.version },
      after: { status: withdrawn.status, reason: why, sha256: withdrawn.sha256, version: withdrawn.version },
    });
    if (SIGNED_STATUSES.has(cm.status)) {
      await this.countermeasures.moveFor(
        actor,
        cm,
        CountermeasureStatus.REOPENED,
        TransitionCause.REOPEN,
        `Evidence "${current.name}" was withdrawn: ${why}`,
      );
    } else if (
      cm.status === CountermeasureStatus.IMPLEMENTED &&
      requirement.liveEvidenceCount === 0 &&
      !riskAccepted(requirement, this.today())
    ) {
      // IMPLEMENTED means evidence for every requirement: that no longer holds.
      await this.countermeasures.moveFor(
        actor,
        cm,
        CountermeasureStatus.IN_PROGRESS,
        TransitionCause.USER,
        `Evidence "${current.name}" was withdrawn; "${requirement.title}" has no evidence left: ${why}`,
      );
    }
    return withdrawn;
  }

  /**
   * An auditor's review of one evidence version. `sha256` is the hash the
   * auditor looked at: a review binds to those bytes and no others.
   * `expectedVersion`: the version decided on, so that a review made meanwhile
   * is a CONFLICT, not replaced (the API always sends it; the demo's loader does not).
   */
  @Transactional()
  async review(
    actor: Actor,
    evidenceId: string,
    sha256: string,
    decision: ReviewDecision,
    comment: string | null,
    expectedVersion?: number,
  ): Promise<EvidenceReviewEntity> {
    const evidence = await this.getById(evidenceId);
    const cm = await this.countermeasures.lockItem(evidence.countermeasureId);
    const current = await this.getById(evidenceId);
    // Everyone who ever owned or contributed (the party history): segregation of duties does not lapse by reassignment.
    const parties = await this.countermeasures.everyParty(cm.id);
    assertMayReview(actor, current.uploadedById, { ownerId: cm.ownerId, contributorIds: parties });
    assertOpenForEvidence(cm);
    assertLive(current, 'reviewed');
    if (sha256.trim().toLowerCase() !== current.sha256) {
      throw new EvidenceError(
        EvidenceErrorCode.HASH_MISMATCH,
        'The SHA-256 you reviewed is not the one of this evidence: download it again',
        { expected: current.sha256, given: sha256 },
      );
    }
    if (expectedVersion !== undefined && current.version !== expectedVersion)
      throw staleVersion('Evidence', current.id, expectedVersion, current.version);
    const text = (comment ?? '').trim();
    if (requiresComment(decision) && !text) throw invalid('comment', `A review of ${decision} needs a comment the owner can act on`);
    if (decision !== 'ACCEPTED') assertNotBlockedSignedWork(cm, 'rejected');
    if ([...text].length > MAX_EVIDENCE_TEXT_LENGTH)
      throw invalid('comment', `comment must have at most ${MAX_EVIDENCE_TEXT_LENGTH} characters`);

    const at = this.clock.now();
    const repo = this.em.getRepository(EvidenceReviewEntity);
    const saved = await repo.save(
      repo.create({
        evidenceId: current.id,
        sha256: current.sha256,
        decision,
        comment: text,
        reviewerId: actor.id!,
        reviewerLabel: actor.label,
        at,
      }),
    );
    await this.setState(current, { reviewDecision: decision, reviewedAt: at });
    await this.refreshRequirement(current.requirementId);
    await this.trail.append({
      actor,
      action: 'evidence.reviewed',
      entityType: 'Evidence',
      entityId: current.id,
      before: { reviewDecision: current.reviewDecision },
      after: { reviewDecision: decision, comment: text, sha256: current.sha256, reviewId: saved.id },
    });

    if (decision === 'ACCEPTED') {
      if (cm.status === CountermeasureStatus.DEGRADED) await this.countermeasures.refreshFreshness(cm.id);
    } else if (cm.status === CountermeasureStatus.IMPLEMENTED) {
      await this.countermeasures.moveFor(
        actor,
        cm,
        CountermeasureStatus.CHANGES_REQUESTED,
        TransitionCause.AUDITOR_REJECTION,
        `${current.name}: ${text}`,
      );
    } else if (SIGNED_STATUSES.has(cm.status)) {
      await this.countermeasures.moveFor(
        actor,
        cm,
        CountermeasureStatus.REOPENED,
        TransitionCause.REOPEN,
        `Evidence "${current.name}" reviewed ${decision}: ${text}`,
      );
    }
    return saved;
  }

  /** Writes the current-state columns (the only ones the trigger lets change) and bumps the row version. */
  private async setState(
    e: EvidenceEntity,
    set: Partial<
      Pick<
        EvidenceEntity,
        'status' | 'supersededById' | 'withdrawnAt' | 'withdrawnByLabel' | 'withdrawalReason' | 'reviewDecision' | 'reviewedAt'
      >
    >,
  ) {
    const ok = await this.em
      .createQueryBuilder()
      .update(EvidenceEntity)
      .set({ ...set, version: () => 'version + 1' })
      .where('id = :id AND version = :v', { id: e.id, v: e.version })
      .execute();
    if (ok.affected !== 1) {
      const current = await this.getById(e.id);
      throw staleVersion('Evidence', e.id, e.version, current.version);
    }
  }

  /**
   * Recounts the requirement's evidence from the evidence rows (never blind
   * increments) and tells the countermeasures context, which keeps the counts on
   * the requirement where its workflow reads them.
   */
  private async refreshRequirement(requirementId: string): Promise<RequirementEntity> {
    const [facts] = (await this.em
      .getRepository(EvidenceEntity)
      .createQueryBuilder('e')
      .select('count(*)::int', 'total')
      .addSelect(`count(*) FILTER (WHERE e.status = 'SUBMITTED')::int`, 'live')
      .addSelect(`count(*) FILTER (WHERE e.status = 'SUBMITTED' AND e.review_decision = 'ACCEPTED')::int`, 'accepted')
      .addSelect(
        `to_char(max(e.effective_on) FILTER (WHERE e.status = 'SUBMITTED' AND e.review_decision = 'ACCEPTED'), 'YYYY-MM-DD')`,
        'latest',
      )
      .where('e.requirementId = :requirementId', { requirementId })
      .getRawMany<{ total: number; live: number; accepted: number; latest: string | null }>())!;
    return this.countermeasures.recordEvidenceState(requirementId, {
      total: facts!.total,
      live: facts!.live,
      accepted: facts!.accepted,
      latestAcceptedEffectiveOn: facts!.latest,
    });
  }
}
