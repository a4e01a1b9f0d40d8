import { readPlainRows } from '@app/database';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import {
  CASE_TIME_ZONE,
  Clock,
  CommonError,
  CommonErrorCode,
  decodeCursor,
  isUuid,
  pageSize,
  todayIn,
  type Page,
  type PageRequest,
  pageOf,
} from '@app/common';
import { CountermeasuresService, RequirementEntity } from '@app/countermeasures';
import { EvidenceEntity, EvidenceReviewEntity, SignOffEntity } from './evidence.entities';
import { EvidenceError, EvidenceErrorCode } from './domain/evidence.errors';

/**
 * The reading side of EvidenceService (which extends this, through
 * EvidenceSignOffs): evidence, reviews and sign-offs by id or by what they
 * belong to, the auditors' review queue, and the small reads the commands share.
 */
export abstract class EvidenceReads {
  constructor(
    protected readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    protected readonly countermeasures: CountermeasuresService,
    protected readonly clock: Clock,
  ) {}

  protected get em() {
    return this.txHost.tx;
  }

  async getById(id: string): Promise<EvidenceEntity> {
    const row = isUuid(id) ? await this.em.getRepository(EvidenceEntity).findOneBy({ id }) : null;
    if (!row) throw new EvidenceError(EvidenceErrorCode.EVIDENCE_NOT_FOUND, `Evidence ${id} does not exist`, { id });
    return row;
  }

  async findByIds(ids: readonly string[]): Promise<EvidenceEntity[]> {
    if (ids.length === 0) return [];
    return this.em
      .getRepository(EvidenceEntity)
      .createQueryBuilder('e')
      .where('e.id = ANY(:ids)', { ids: [...ids] })
      .getMany();
  }

  async hasFileWithHash(sha256: string): Promise<boolean> {
    return this.em.getRepository(EvidenceEntity).exists({ where: { sha256, kind: 'FILE' } });
  }

  /** Evidence of these requirements, every version, oldest first (the API filters live ones). */
  async evidenceOfRequirements(requirementIds: readonly string[], only?: ReadonlySet<string>): Promise<EvidenceEntity[]> {
    if (requirementIds.length === 0) return [];
    return readPlainRows(this.em, EvidenceEntity, 't.requirement_id = ANY($1)', [[...requirementIds]], 't.uploaded_at, t.id', only);
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

  async reviewsOf(evidenceIds: readonly string[], only?: ReadonlySet<string>): Promise<EvidenceReviewEntity[]> {
    if (evidenceIds.length === 0) return [];
    return readPlainRows(this.em, EvidenceReviewEntity, 't.evidence_id = ANY($1)', [[...evidenceIds]], 't.at', only);
  }

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

  /** Every sign-off of these countermeasures (standing and revoked), oldest first. */
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
    const rows = await qb
      .orderBy('e.uploadedAt', 'ASC')
      .addOrderBy('e.id', 'ASC')
      .limit(size + 1)
      .getMany();
    return pageOf(rows, size, totalCount, (e) => [e.uploadedAt.toISOString(), e.id]);
  }

  protected today(): string {
    return todayIn(CASE_TIME_ZONE, this.clock.now());
  }

  protected async requirement(id: string): Promise<RequirementEntity> {
    const row = await this.countermeasures.requirementById(id);
    if (!row) throw new EvidenceError(EvidenceErrorCode.REQUIREMENT_NOT_FOUND, `Requirement ${id} does not exist`, { id });
    return row;
  }

  protected async latestReviews(evidenceIds: readonly string[]): Promise<Map<string, EvidenceReviewEntity>> {
    const map = new Map<string, EvidenceReviewEntity>();
    for (const r of await this.reviewsOf(evidenceIds)) map.set(r.evidenceId, r); // oldest first: the last one wins
    return map;
  }
}
