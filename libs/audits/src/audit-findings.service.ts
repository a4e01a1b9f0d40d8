import { Inject, Injectable } from '@nestjs/common';
import { TransactionHost, Transactional } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AuditTrailService } from '@app/audit-trail';
import { Clock, decodeSeqIdCursor, pageSize, staleVersion, type Actor, type Page, type PageRequest, pageOf } from '@app/common';
import { updateIfVersion } from '@app/database';
import { CountermeasureEntity, countermeasureKey, CountermeasuresService, type CreateCountermeasureCommand } from '@app/countermeasures';
import { IncidentsService } from '@app/incidents';
import { AuditFindingEntity, RiskAcceptanceEntity } from './audit.entities';
import { AuditClearanceService } from './audit-clearance.service';
import { AuditEngagementsService } from './audit-engagements.service';
import { AuditError, AuditErrorCode } from './domain/audit.errors';
import {
  BLOCKING_SEVERITIES,
  findingKey,
  MAX_REASON_LENGTH,
  MAX_TEXT_LENGTH,
  MAX_TITLE_LENGTH,
  optionalText,
  requireText,
  type FindingSeverity,
  type FindingStatus,
} from './domain/audit-fields';
import { assertMayCloseFinding, assertMayCommission, assertMayRaiseFinding } from './domain/audit-access';
import { assertStatusIn, FINDINGS_OPEN_IN } from './domain/engagement-workflow';
import { assertNotLinked, assertReopenable, assertResolvable } from './domain/finding-rules';

export interface RaiseFindingCommand {
  engagementId: string;
  severity: FindingSeverity;
  title: string;
  description?: string | null;
  countermeasureId?: string | null;
}

export interface FindingFilter {
  incidentId?: string | null;
  engagementId?: string | null;
  statuses?: readonly FindingStatus[] | null;
  severities?: readonly FindingSeverity[] | null;
}

/** Findings: raised by the team, resolved or reopened by the lead or the author, turned into countermeasures by the chief. */
@Injectable()
export class AuditFindingsService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(IncidentsService) private readonly incidents: IncidentsService,
    @Inject(AuditEngagementsService) private readonly engagements: AuditEngagementsService,
    @Inject(AuditClearanceService) private readonly clearance: AuditClearanceService,
    @Inject(CountermeasuresService) private readonly countermeasures: CountermeasuresService,
    @Inject(AuditTrailService) private readonly trail: AuditTrailService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  private get em() {
    return this.txHost.tx;
  }

  async getById(id: string): Promise<AuditFindingEntity> {
    const f = await this.em.getRepository(AuditFindingEntity).findOneBy({ id });
    if (!f) throw new AuditError(AuditErrorCode.FINDING_NOT_FOUND, `Finding ${id} does not exist`, { id });
    return f;
  }

  /** Takes the incident lock, then reads the finding. */
  async lock(id: string): Promise<AuditFindingEntity> {
    const first = await this.getById(id);
    await this.incidents.lock(first.incidentId);
    return this.getById(id);
  }

  /** By number (F-001 first), keyset-paginated. */
  async list(filter: FindingFilter, page: PageRequest): Promise<Page<AuditFindingEntity>> {
    const size = pageSize(page.first);
    const qb = this.em.getRepository(AuditFindingEntity).createQueryBuilder('f');
    if (filter.incidentId) qb.andWhere('f.incidentId = :incidentId', { incidentId: filter.incidentId });
    if (filter.engagementId) qb.andWhere('f.engagementId = :engagementId', { engagementId: filter.engagementId });
    if (filter.statuses?.length) qb.andWhere('f.status = ANY(:statuses)', { statuses: [...filter.statuses] });
    if (filter.severities?.length) qb.andWhere('f.severity = ANY(:severities)', { severities: [...filter.severities] });
    const totalCount = await qb.clone().getCount();
    if (page.after) {
      const { seq, id } = decodeSeqIdCursor(page.after);
      qb.andWhere('(f.seq, f.id) > (:seq, :id)', { seq, id });
    }
    const rows = await qb
      .orderBy('f.seq', 'ASC')
      .addOrderBy('f.id', 'ASC')
      .limit(size + 1)
      .getMany();
    return pageOf(rows, size, totalCount, (f) => [f.seq, f.id]);
  }

  /** Batch reader: the findings of several engagements, by number. */
  findingsOf(engagementIds: readonly string[]): Promise<AuditFindingEntity[]> {
    if (engagementIds.length === 0) return Promise.resolve([]);
    return this.em
      .getRepository(AuditFindingEntity)
      .createQueryBuilder('f')
      .where('f.engagementId = ANY(:ids)', { ids: [...engagementIds] })
      .orderBy('f.seq', 'ASC')
      .getMany();
  }

  // ---- changes ------------------------------------------------------------------------------

  /** The lead or a team member raises a finding; a CRITICAL/HIGH one withdraws a standing clearance of the incident. */
  @Transactional()
  async raise(actor: Actor, cmd: RaiseFindingCommand): Promise<AuditFindingEntity> {
    const e = await this.engagements.lock(cmd.engagementId);
    assertMayRaiseFinding(actor, await this.engagements.parties(e));
    assertStatusIn(e.status, FINDINGS_OPEN_IN, 'raise a finding');
    const title = requireText(cmd.title, 'title', MAX_TITLE_LENGTH);
    const description = optionalText(cmd.description, 'description', MAX_TEXT_LENGTH);
    if (cmd.countermeasureId) await this.assertInIncident(cmd.countermeasureId, e.incidentId);
    const repo = this.em.getRepository(AuditFindingEntity);
    const { max } = (await repo
      .createQueryBuilder('f')
      .select('COALESCE(MAX(f.seq), 0)', 'max')
      .where('f.incidentId = :id', { id: e.incidentId })
      .getRawOne<{ max: number }>())!;
    const f = await repo.save(
      repo.create({
        engagementId: e.id,
        incidentId: e.incidentId,
        seq: Number(max) + 1,
        severity: cmd.severity,
        title,
        description,
        countermeasureId: cmd.countermeasureId ?? null,
        status: 'OPEN',
        raisedById: actor.id,
        raisedByLabel: actor.label,
        raisedAt: this.clock.now(),
        resolutionNote: null,
        resolvedAt: null,
        resolvedByLabel: null,
      }),
    );
    await this.trail.append({ actor, action: 'audit_finding.raised', entityType: 'AuditFinding', entityId: f.id, after: snapshot(f) });
    if (BLOCKING_SEVERITIES.includes(f.severity))
      await this.clearance.reevaluate(e.incidentId, actor, `finding ${findingKey(f.seq)} (${f.severity}) raised`);
    await this.clearance.announce(e.incidentId, actor, `finding ${findingKey(f.seq)} (${f.severity}) raised: ${f.title}`);
    return f;
  }

  /** The lead or the author resolves an open (or risk-accepted) finding, with a note. */
  @Transactional()
  async resolve(actor: Actor, id: string, expectedVersion: number, note: string): Promise<AuditFindingEntity> {
    const f = await this.lock(id);
    const e = await this.engagements.getById(f.engagementId);
    assertMayCloseFinding(actor, await this.engagements.parties(e), f.raisedById, 'resolve a finding');
    assertResolvable(f);
    const text = requireText(note, 'note', MAX_TEXT_LENGTH);
    // A risk accepted for it is no longer needed: it ends with the finding (recorded in the same trail entry).
    const ended = await this.em
      .getRepository(RiskAcceptanceEntity)
      .createQueryBuilder()
      .update()
      .set({ endedAt: this.clock.now(), endKind: 'FINDING_RESOLVED', endReason: text, endedByLabel: actor.label })
      .where('finding_id = :id AND ended_at IS NULL', { id: f.id })
      .returning(['id'])
      .execute();
    const endedIds = (ended.raw as { id: string }[]).map((r) => r.id);
    return this.updateVersioned(
      actor,
      'audit_finding.resolved',
      f,
      expectedVersion,
      { status: 'RESOLVED', resolutionNote: text, resolvedAt: this.clock.now(), resolvedByLabel: actor.label },
      endedIds.length ? { riskAcceptancesEnded: endedIds } : {},
    );
  }

  /** The lead or the author reopens a resolved finding, with a reason; a CRITICAL/HIGH one withdraws a standing clearance. */
  @Transactional()
  async reopen(actor: Actor, id: string, expectedVersion: number, reason: string): Promise<AuditFindingEntity> {
    const f = await this.lock(id);
    const e = await this.engagements.getById(f.engagementId);
    assertMayCloseFinding(actor, await this.engagements.parties(e), f.raisedById, 'reopen a finding');
    assertReopenable(f);
    const why = requireText(reason, 'reason', MAX_REASON_LENGTH);
    const updated = await this.updateVersioned(
      actor,
      'audit_finding.reopened',
      f,
      expectedVersion,
      { status: 'OPEN', resolutionNote: null, resolvedAt: null, resolvedByLabel: null },
      { reason: why },
    );
    if (BLOCKING_SEVERITIES.includes(f.severity)) {
      await this.clearance.reevaluate(f.incidentId, actor, `finding ${findingKey(f.seq)} (${f.severity}) reopened: ${why}`);
    }
    return updated;
  }

  /** The chief or an admin creates a countermeasure from a finding that concerns none yet, and links them (one transaction). */
  @Transactional()
  async createCountermeasure(
    actor: Actor,
    findingId: string,
    expectedVersion: number,
    cmd: Omit<CreateCountermeasureCommand, 'incidentId'>,
  ): Promise<{ finding: AuditFindingEntity; countermeasure: CountermeasureEntity }> {
    const f = await this.lock(findingId);
    assertMayCommission(
      actor,
      await this.engagements.chiefOf(f.incidentId),
      'create a countermeasure from a finding: only the task-force chief or an admin may',
    );
    assertNotLinked(f);
    if (f.version !== expectedVersion) throw staleVersion('AuditFinding', findingKey(f.seq), expectedVersion, f.version);
    const cm = await this.countermeasures.create(actor, { ...cmd, incidentId: f.incidentId });
    const finding = await this.updateVersioned(
      actor,
      'audit_finding.countermeasure_created',
      f,
      expectedVersion,
      { countermeasureId: cm.id },
      { countermeasureKey: countermeasureKey(cm.seq) },
    );
    return { finding, countermeasure: cm };
  }

  private async assertInIncident(countermeasureId: string, incidentId: string): Promise<void> {
    const [cm] = await this.countermeasures.findByIds([countermeasureId]);
    if (!cm || cm.incidentId !== incidentId) {
      throw new AuditError(AuditErrorCode.NOT_IN_INCIDENT, "A finding may only concern a countermeasure of the engagement's incident", {
        countermeasureIds: [countermeasureId],
        systemIds: [],
      });
    }
  }

  /** UPDATE ... WHERE id AND version, or CONFLICT with the current version; then the trail entry. */
  async updateVersioned(
    actor: Actor,
    action: string,
    f: AuditFindingEntity,
    expectedVersion: number,
    set: QueryDeepPartialEntity<AuditFindingEntity>,
    extra: Record<string, unknown> = {},
  ): Promise<AuditFindingEntity> {
    if (!(await updateIfVersion(this.em, AuditFindingEntity, f.id, expectedVersion, set, this.clock.now()))) {
      throw staleVersion('AuditFinding', findingKey(f.seq), expectedVersion, (await this.getById(f.id)).version);
    }
    const updated = await this.getById(f.id);
    await this.trail.append({
      actor,
      action,
      entityType: 'AuditFinding',
      entityId: f.id,
      before: snapshot(f),
      after: { ...snapshot(updated), ...extra },
    });
    await this.clearance.announce(f.incidentId, actor, `finding ${findingKey(f.seq)} (${f.severity}) ${f.status} → ${updated.status}`);
    return updated;
  }
}

/** What the audit trail keeps of a finding. */
function snapshot(f: AuditFindingEntity) {
  return {
    key: findingKey(f.seq),
    engagementId: f.engagementId,
    severity: f.severity,
    title: f.title,
    description: f.description,
    countermeasureId: f.countermeasureId,
    status: f.status,
    resolutionNote: f.resolutionNote,
    version: f.version,
  };
}
