import { Inject, Injectable } from '@nestjs/common';
import { TransactionHost, Transactional } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { AuditTrailService } from '@app/audit-trail';
import {
  CASE_TIME_ZONE,
  Clock,
  CommonError,
  CommonErrorCode,
  decodeCursor,
  encodeCursor,
  isCalendarDay,
  isUuid,
  pageSize,
  staleVersion,
  todayIn,
  type Actor,
  type Page,
  type PageRequest,
} from '@app/common';
import {
  assertMayEdit,
  assertMoveAllowed,
  CountermeasureEntity,
  countermeasureKey,
  CountermeasuresService,
  CountermeasureStatus,
  CountermeasureTargetsService,
  isSignedOff,
  RequirementEntity,
  riskAccepted,
  TransitionCause,
  type CountermeasureStatusChanged,
} from '@app/countermeasures';
import { EvidenceEntity, EvidenceReviewEntity, SignOffEntity } from './evidence.entities';
import { EvidenceStorage } from './storage/evidence-storage';
import { EvidenceError, EvidenceErrorCode } from './domain/evidence.errors';
import { MAX_EVIDENCE_NAME_LENGTH, MAX_EVIDENCE_TEXT_LENGTH, MAX_URL_LENGTH, type EvidenceKind, type ReviewDecision } from './domain/evidence-fields';
import { attestationDigest, linkDigest, payloadDigest, signOffPayload } from './domain/evidence-digests';
import { assertMayReview, assertMaySignOff, requiresComment, signOffGaps } from './domain/evidence-rules';

interface SubmitBase {
  requirementId: string;
  targetId?: string | null;
  /** YYYY-MM-DD: the day the evidence speaks for; not in the future. */
  effectiveOn: string;
  description?: string | null;
  /** This submission is a corrected version of that (live) evidence of the same requirement. */
  supersedesId?: string | null;
}

export interface SubmitFileCommand extends SubmitBase {
  file: { name: string; mediaType: string; sizeBytes: number; sha256: string };
}
export interface SubmitLinkCommand extends SubmitBase {
  title: string;
  url: string;
}
export interface SubmitAttestationCommand extends SubmitBase {
  title: string;
  statement: string;
}

interface Content {
  kind: EvidenceKind;
  name: string;
  sha256: string;
  mediaType: string | null;
  sizeBytes: number | null;
  url: string | null;
  statement: string | null;
}

/** Statuses whose sign-off stands: a change to the evidence under them reopens the work. */
const SIGNED_STATUSES: ReadonlySet<CountermeasureStatus> = new Set([CountermeasureStatus.VERIFIED, CountermeasureStatus.OPERATING, CountermeasureStatus.DEGRADED]);

/**
 * Signed-off work that is BLOCKED (from DEGRADED) cannot be reopened while
 * blocked; a change to the evidence its sign-off rests on waits for the unblock.
 */
function assertNotBlockedSignedWork(cm: CountermeasureEntity, what: string): void {
  if (cm.status === CountermeasureStatus.BLOCKED && isSignedOff(cm)) {
    throw new EvidenceError(EvidenceErrorCode.COUNTERMEASURE_BLOCKED, `${countermeasureKey(cm.seq)} is BLOCKED and signed off: unblock it before evidence is ${what}`, {
      status: cm.status,
      resumeStatus: cm.resumeStatus,
    });
  }
}

/**
 * Evidence, reviews and sign-offs. Every change takes the incident lock first
 * (through `CountermeasuresService.lockItem`), keeps the requirement's current
 * evidence state in step (`refreshRequirement`), applies its consequence to the
 * countermeasure's workflow, and appends to the audit trail: all in one transaction.
 */
@Injectable()
export class EvidenceService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(CountermeasuresService) private readonly countermeasures: CountermeasuresService,
    @Inject(CountermeasureTargetsService) private readonly targets: CountermeasureTargetsService,
    @Inject(AuditTrailService) private readonly trail: AuditTrailService,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(EvidenceStorage) private readonly storage: EvidenceStorage,
  ) {}

  private get em() {
    return this.txHost.tx;
  }

  // ---- reading ------------------------------------------------------------------------------

  async getById(id: string): Promise<EvidenceEntity> {
    const row = isUuid(id) ? await this.em.getRepository(EvidenceEntity).findOneBy({ id }) : null;
    if (!row) throw new EvidenceError(EvidenceErrorCode.EVIDENCE_NOT_FOUND, `Evidence ${id} does not exist`, { id });
    return row;
  }

  async findByIds(ids: readonly string[]): Promise<EvidenceEntity[]> {
    if (ids.length === 0) return [];
    return this.em.getRepository(EvidenceEntity).createQueryBuilder('e').where('e.id = ANY(:ids)', { ids: [...ids] }).getMany();
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

  async hasFileWithHash(sha256: string): Promise<boolean> {
    return this.em.getRepository(EvidenceEntity).exists({ where: { sha256, kind: 'FILE' } });
  }

  /** Evidence of these requirements, every version, oldest first (the API filters live ones). */
  async evidenceOfRequirements(requirementIds: readonly string[]): Promise<EvidenceEntity[]> {
    if (requirementIds.length === 0) return [];
    return this.em
      .getRepository(EvidenceEntity)
      .createQueryBuilder('e')
      .where('e.requirementId = ANY(:ids)', { ids: [...requirementIds] })
      .orderBy('e.uploadedAt', 'ASC')
      .addOrderBy('e.id', 'ASC')
      .getMany();
  }

  /** Evidence for these targets (one system of a many-system countermeasure), every version, oldest first. */
  async evidenceOfTargets(targetIds: readonly string[]): Promise<EvidenceEntity[]> {
    if (targetIds.length === 0) return [];
    return this.em
      .getRepository(EvidenceEntity)
      .createQueryBuilder('e')
      .where('e.targetId = ANY(:ids)', { ids: [...targetIds] })
      .orderBy('e.uploadedAt', 'ASC')
      .addOrderBy('e.id', 'ASC')
      .getMany();
  }

  async reviewsOf(evidenceIds: readonly string[]): Promise<EvidenceReviewEntity[]> {
    if (evidenceIds.length === 0) return [];
    return this.em
      .getRepository(EvidenceReviewEntity)
      .createQueryBuilder('r')
      .where('r.evidenceId = ANY(:ids)', { ids: [...evidenceIds] })
      .orderBy('r.at', 'ASC')
      .getMany();
  }

  /** Every sign-off of these countermeasures (standing and revoked), oldest first. */
  /** The live (SUBMITTED) evidence of these countermeasures, oldest first: what an audit's clearance snapshot names. */
  async liveEvidenceOf(countermeasureIds: readonly string[]): Promise<EvidenceEntity[]> {
    if (countermeasureIds.length === 0) return [];
    return this.em
      .getRepository(EvidenceEntity)
      .createQueryBuilder('e')
      .where(`e.countermeasureId = ANY(:ids) AND e.status = 'SUBMITTED'`, { ids: [...countermeasureIds] })
      .orderBy('e.uploadedAt', 'ASC')
      .addOrderBy('e.id', 'ASC')
      .getMany();
  }

  async signOffsOf(countermeasureIds: readonly string[]): Promise<SignOffEntity[]> {
    if (countermeasureIds.length === 0) return [];
    return this.em
      .getRepository(SignOffEntity)
      .createQueryBuilder('s')
      .where('s.countermeasureId = ANY(:ids)', { ids: [...countermeasureIds] })
      .orderBy('s.signedAt', 'ASC')
      .getMany();
  }

  /**
   * Auditors' review queue: live evidence that no review has covered yet, oldest
   * upload first (keyset on the partial index IDX_evidence_review_queue).
   */
  async reviewQueue(page: PageRequest, incidentId?: string | null): Promise<Page<EvidenceEntity>> {
    const size = pageSize(page.first);
    const qb = this.em.getRepository(EvidenceEntity).createQueryBuilder('e').where(`e.status = 'SUBMITTED' AND e.reviewDecision IS NULL`);
    if (incidentId) {
      qb.andWhere('e.incidentId = :incidentId', { incidentId }); // the evidence row's own copy of its incident (IDX_evidence_incident_review_queue)
    }
    const totalCount = await qb.clone().getCount();
    if (page.after) {
      const after = decodeCursor(page.after, 2);
      const at = typeof after[0] === 'string' ? new Date(after[0]) : null;
      if (!at || Number.isNaN(at.getTime()) || typeof after[1] !== 'string' || !isUuid(after[1])) {
        throw new CommonError(CommonErrorCode.INVALID_CURSOR, 'The cursor `after` is not one this list issued', { after: page.after });
      }
      qb.andWhere('(e.uploadedAt, e.id) > (:at, :id)', { at, id: after[1] });
    }
    const rows = await qb.orderBy('e.uploadedAt', 'ASC').addOrderBy('e.id', 'ASC').limit(size + 1).getMany();
    return {
      nodes: rows.slice(0, size),
      hasNextPage: rows.length > size,
      totalCount,
      cursorOf: (e) => encodeCursor([e.uploadedAt.toISOString(), e.id]),
    };
  }

  // ---- submitting ---------------------------------------------------------------------------

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
      throw new EvidenceError(EvidenceErrorCode.UPLOAD_INVALID, 'The uploaded bytes are no longer stored (a concurrent upload of the same file was refused): upload again', {
        sha256: f.sha256,
      });
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
    return this.submit(actor, cmd, { kind: 'LINK', name: checkName(cmd.title, 'title'), sha256: linkDigest(url), mediaType: null, sizeBytes: null, url, statement: null });
  }

  @Transactional()
  async submitAttestation(actor: Actor, cmd: SubmitAttestationCommand): Promise<EvidenceEntity> {
    const title = checkName(cmd.title, 'title');
    const statement = cmd.statement.trim();
    if (!statement || [...statement].length > MAX_EVIDENCE_TEXT_LENGTH) {
      throw invalid('statement', `An attestation needs a statement of 1 to ${MAX_EVIDENCE_TEXT_LENGTH} characters`);
    }
    return this.submit(actor, cmd, { kind: 'ATTESTATION', name: title, sha256: attestationDigest(title, statement), mediaType: null, sizeBytes: null, url: null, statement });
  }

  private async submit(actor: Actor, cmd: SubmitBase, content: Content): Promise<EvidenceEntity> {
    const found = await this.requirement(cmd.requirementId);
    const cm = await this.countermeasures.lockItem(found.countermeasureId);
    // Read again under the lock: it may have been removed meanwhile.
    const requirement = await this.requirement(cmd.requirementId);
    assertOpenForEvidence(cm);
    assertMayEdit(actor, await this.countermeasures.parties(cm));
    const effectiveOn = this.checkEffectiveOn(cmd.effectiveOn);
    const description = (cmd.description ?? '').trim();
    if ([...description].length > MAX_EVIDENCE_TEXT_LENGTH) throw invalid('description', `description must have at most ${MAX_EVIDENCE_TEXT_LENGTH} characters`);
    if (cmd.targetId != null) {
      const target = (await this.targets.targetsOf([cm.id])).find((t) => t.id === cmd.targetId) ?? null;
      if (!target || target.countermeasureId !== cm.id) {
        throw new EvidenceError(EvidenceErrorCode.TARGET_NOT_FOUND, `Target ${cmd.targetId} is not a target of ${countermeasureKey(cm.seq)}`, { targetId: cmd.targetId });
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
    await this.setState(current, { status: 'WITHDRAWN', withdrawnAt: this.clock.now(), withdrawnByLabel: actor.label, withdrawalReason: why });
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
      await this.countermeasures.moveFor(actor, cm, CountermeasureStatus.REOPENED, TransitionCause.REOPEN, `Evidence "${current.name}" was withdrawn: ${why}`);
    } else if (cm.status === CountermeasureStatus.IMPLEMENTED && requirement.liveEvidenceCount === 0 && !riskAccepted(requirement, this.today())) {
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

  // ---- review and sign-off ------------------------------------------------------------------

  /**
   * An auditor's review of one evidence version. `sha256` is the hash the
   * auditor looked at: a review binds to those bytes and no others.
   */
  @Transactional()
  async review(actor: Actor, evidenceId: string, sha256: string, decision: ReviewDecision, comment: string | null): Promise<EvidenceReviewEntity> {
    const evidence = await this.getById(evidenceId);
    const cm = await this.countermeasures.lockItem(evidence.countermeasureId);
    const current = await this.getById(evidenceId);
    // Everyone who ever owned or contributed (the party history): segregation of duties does not lapse by reassignment.
    const parties = await this.countermeasures.everyParty(cm.id);
    assertMayReview(actor, current.uploadedById, { ownerId: cm.ownerId, contributorIds: parties });
    assertOpenForEvidence(cm);
    assertLive(current, 'reviewed');
    if (sha256.trim().toLowerCase() !== current.sha256) {
      throw new EvidenceError(EvidenceErrorCode.HASH_MISMATCH, 'The SHA-256 you reviewed is not the one of this evidence: download it again', {
        expected: current.sha256,
        given: sha256,
      });
    }
    const text = (comment ?? '').trim();
    if (requiresComment(decision) && !text) throw invalid('comment', `A review of ${decision} needs a comment the owner can act on`);
    if (decision !== 'ACCEPTED') assertNotBlockedSignedWork(cm, 'rejected');
    if ([...text].length > MAX_EVIDENCE_TEXT_LENGTH) throw invalid('comment', `comment must have at most ${MAX_EVIDENCE_TEXT_LENGTH} characters`);

    const at = this.clock.now();
    const repo = this.em.getRepository(EvidenceReviewEntity);
    const saved = await repo.save(repo.create({ evidenceId: current.id, sha256: current.sha256, decision, comment: text, reviewerId: actor.id!, reviewerLabel: actor.label, at }));
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
      await this.countermeasures.moveFor(actor, cm, CountermeasureStatus.CHANGES_REQUESTED, TransitionCause.AUDITOR_REJECTION, `${current.name}: ${text}`);
    } else if (SIGNED_STATUSES.has(cm.status)) {
      await this.countermeasures.moveFor(actor, cm, CountermeasureStatus.REOPENED, TransitionCause.REOPEN, `Evidence "${current.name}" reviewed ${decision}: ${text}`);
    }
    return saved;
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
    assertMaySignOff(actor, { ownerId: cm.ownerId, contributorIds: await this.countermeasures.everyParty(cm.id), uploaderIds: live.map((e) => e.uploadedById) });
    if (cm.version !== expectedVersion) throw staleVersion('Countermeasure', countermeasureKey(cm.seq), expectedVersion, cm.version);
    const text = (statement ?? '').trim();
    if ([...text].length > MAX_EVIDENCE_TEXT_LENGTH) throw invalid('statement', `statement must have at most ${MAX_EVIDENCE_TEXT_LENGTH} characters`);
    // Asked, not tried: the workflow refuses a move to VERIFIED from anywhere but IMPLEMENTED (INVALID_TRANSITION naming the moves there are).
    assertMoveAllowed(cm.status, CountermeasureStatus.VERIFIED, { cause: TransitionCause.AUDITOR_SIGN_OFF, resumeStatus: cm.resumeStatus, ongoing: cm.ongoing });
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
    const payload = signOffPayload({
      countermeasure: { id: cm.id, key: countermeasureKey(cm.seq), incidentId: cm.incidentId, title: cm.title },
      auditor: { id: actor.id!, label: actor.label },
      signedAt,
      statement: text,
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
      repo.create({ countermeasureId: cm.id, auditorId: actor.id!, auditorLabel: actor.label, signedAt, statement: text, digest: payloadDigest(payload), payload, revokedAt: null, revokedReason: null }),
    );
    await this.trail.append({
      actor,
      action: 'countermeasure.signed_off',
      entityType: 'Countermeasure',
      entityId: cm.id,
      after: { key: countermeasureKey(cm.seq), signOffId: saved.id, digest: saved.digest, evidence: (payload.evidence as unknown[]).length },
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

  // ---- helpers ------------------------------------------------------------------------------

  private today(): string {
    return todayIn(CASE_TIME_ZONE, this.clock.now());
  }

  private checkEffectiveOn(day: string): string {
    if (!isCalendarDay(day)) throw invalid('effectiveOn', `effectiveOn must be a real calendar day (YYYY-MM-DD); got "${day}"`);
    if (day > this.today()) throw invalid('effectiveOn', `Evidence cannot be effective in the future (${day} is after ${this.today()})`);
    return day;
  }

  private async requirement(id: string): Promise<RequirementEntity> {
    const row = await this.countermeasures.requirementById(id);
    if (!row) throw new EvidenceError(EvidenceErrorCode.REQUIREMENT_NOT_FOUND, `Requirement ${id} does not exist`, { id });
    return row;
  }

  private async latestReviews(evidenceIds: readonly string[]): Promise<Map<string, EvidenceReviewEntity>> {
    const map = new Map<string, EvidenceReviewEntity>();
    for (const r of await this.reviewsOf(evidenceIds)) map.set(r.evidenceId, r); // oldest first: the last one wins
    return map;
  }

  /** Writes the current-state columns (the only ones the trigger lets change) and bumps the row version. */
  private async setState(e: EvidenceEntity, set: Partial<Pick<EvidenceEntity, 'status' | 'supersededById' | 'withdrawnAt' | 'withdrawnByLabel' | 'withdrawalReason' | 'reviewDecision' | 'reviewedAt'>>) {
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
      .addSelect(`to_char(max(e.effective_on) FILTER (WHERE e.status = 'SUBMITTED' AND e.review_decision = 'ACCEPTED'), 'YYYY-MM-DD')`, 'latest')
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

function invalid(field: string, message: string): EvidenceError {
  return new EvidenceError(EvidenceErrorCode.INVALID_FIELD, message, { field });
}

function checkName(name: string, field: string): string {
  // Control characters are dropped: a name is display text, never a path or markup.
  const clean = name.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  if (!clean || [...clean].length > MAX_EVIDENCE_NAME_LENGTH) throw invalid(field, `${field} must have 1 to ${MAX_EVIDENCE_NAME_LENGTH} characters`);
  return clean;
}

function checkUrl(raw: string): string {
  const text = raw.trim();
  let url: URL | null = null;
  try {
    url = new URL(text);
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || text.length > MAX_URL_LENGTH) {
    throw invalid('url', `A link must be an http(s) URL of at most ${MAX_URL_LENGTH} characters`);
  }
  return url.toString();
}

function assertLive(e: EvidenceEntity, what: string): void {
  if (e.status !== 'SUBMITTED') {
    throw new EvidenceError(EvidenceErrorCode.EVIDENCE_NOT_LIVE, `Evidence "${e.name}" is ${e.status} and can no longer be ${what}`, {
      id: e.id,
      status: e.status,
      supersededById: e.supersededById,
    });
  }
}

function assertOpenForEvidence(cm: CountermeasureEntity): void {
  if (cm.status === CountermeasureStatus.CANCELLED) {
    throw new EvidenceError(EvidenceErrorCode.COUNTERMEASURE_CLOSED, `${countermeasureKey(cm.seq)} is CANCELLED and takes no evidence`, { status: cm.status });
  }
}

function evidenceSnapshot(e: EvidenceEntity, key: string, requirementTitle: string) {
  return {
    countermeasure: key,
    requirement: requirementTitle,
    requirementId: e.requirementId,
    targetId: e.targetId,
    kind: e.kind,
    name: e.name,
    mediaType: e.mediaType,
    sizeBytes: e.sizeBytes,
    sha256: e.sha256,
    url: e.url,
    effectiveOn: e.effectiveOn,
    versionNo: e.versionNo,
    supersedesId: e.supersedesId,
  };
}
