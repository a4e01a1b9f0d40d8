import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { AuditEvents, type AuditChanged } from './audit.events';
import { TransactionHost, Transactional } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AuditTrailService } from '@app/audit-trail';
import { CASE_TIME_ZONE, Clock, signerProofOf, staleVersion, todayIn, type Actor, emitInOrder } from '@app/common';
import { updateIfVersion } from '@app/database';
import { CountermeasureEntity, countermeasureKey, CountermeasuresService } from '@app/countermeasures';
import { EvidenceService } from '@app/evidence';
import { IncidentsService } from '@app/incidents';
import {
  AuditClearanceEntity,
  AuditEngagementEntity,
  AuditEngagementTransitionEntity,
  AuditFindingEntity,
  AuditScopeCountermeasureEntity,
  AuditScopeSystemEntity,
  AuditTeamMemberEntity,
} from './audit.entities';
import { AuditError, AuditErrorCode } from './domain/audit.errors';
import { findingKey, MAX_TEXT_LENGTH, requireText, type FindingSeverity, type FindingStatus } from './domain/audit-fields';
import { assertIsLead } from './domain/audit-access';
import {
  blockerDetails,
  clearanceBlockers,
  describeBlockers,
  isBlockingFinding,
  type ClearanceBlocker,
  type FindingFacts,
} from './domain/clearance-rules';
import { clearanceDigest, clearancePayload } from './domain/clearance-snapshot';
import { assertStatusIn, CLEARABLE_FROM } from './domain/engagement-workflow';

/** A finding with what the clearance rule needs (the standing acceptance's last day). */
export interface FindingWithAcceptance extends FindingFacts {
  seq: number;
  engagementId: string;
  acceptanceId: string | null;
  title: string;
  countermeasureId: string | null;
}

/**
 * What the promotion gate (next issue) asks the audit, in one call after taking
 * `IncidentsService.lock(incidentId)` — the lock every audits change takes first,
 * so the answer cannot change under the gate before it commits.
 */
export interface AuditGateFacts {
  /** A standing clearance of one of the incident's engagements (the newest), or null. */
  standingClearance: { clearanceId: string; engagementId: string; digest: string; clearedAt: Date } | null;
  /** Keys of the incident's open CRITICAL/HIGH findings (F-003...), by number. */
  openBlockingFindings: string[];
}

/**
 * The clearance and the rule that keeps it honest. `clear` checks the rule and
 * stores the snapshot; `reevaluate` — called by every change that can break a
 * standing clearance, inside that change's transaction, after the incident lock —
 * withdraws each standing clearance whose rule no longer holds.
 */
@Injectable()
export class AuditClearanceService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(IncidentsService) private readonly incidents: IncidentsService,
    @Inject(AuditTrailService) private readonly trail: AuditTrailService,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(EventEmitter2) private readonly events: EventEmitter2,
    @Inject(CountermeasuresService) private readonly countermeasures: CountermeasuresService,
    @Inject(EvidenceService) private readonly evidenceService: EvidenceService,
  ) {}

  /** Tells the promotion gate (and any listener) that an input of its rules changed, in this transaction. */
  async announce(incidentId: string, actor: Actor, what: string): Promise<void> {
    await emitInOrder(this.events, AuditEvents.CHANGED, { incidentId, actor, what } satisfies AuditChanged);
  }

  private get em() {
    return this.txHost.tx;
  }

  today(now: Date = this.clock.now()): string {
    return todayIn(CASE_TIME_ZONE, now);
  }

  /** Every finding of the incident, with its standing acceptance's last day. */
  async findingFacts(incidentId: string, onlyBlockingCandidates = false): Promise<FindingWithAcceptance[]> {
    const qb = this.em
      .getRepository(AuditFindingEntity)
      .createQueryBuilder('f')
      .leftJoin('audit_risk_acceptances', 'a', 'a.finding_id = f.id AND a.ended_at IS NULL')
      .select([
        'f.id AS id',
        'f.seq AS seq',
        'f.engagement_id AS "engagementId"',
        'f.severity AS severity',
        'f.status AS status',
        'f.title AS title',
        'f.countermeasure_id AS "countermeasureId"',
      ])
      .addSelect('a.id', 'acceptanceId')
      .addSelect(`to_char(a.expires_on, 'YYYY-MM-DD')`, 'acceptanceExpiresOn')
      .where('f.incident_id = :incidentId', { incidentId });
    // The partial index IDX_audit_findings_blocking serves this form.
    if (onlyBlockingCandidates) qb.andWhere(`f.severity IN ('CRITICAL', 'HIGH') AND f.status <> 'RESOLVED'`);
    const rows = await qb.orderBy('f.seq', 'ASC').getRawMany<{
      id: string;
      seq: number;
      engagementId: string;
      severity: FindingSeverity;
      status: FindingStatus;
      acceptanceId: string | null;
      acceptanceExpiresOn: string | null;
      title: string;
      countermeasureId: string | null;
    }>();
    return rows.map((r) => ({ ...r, seq: Number(r.seq), key: findingKey(Number(r.seq)) }));
  }

  /** The engagement's countermeasures in scope, by key (the scope is ours, the items the countermeasures context's). */
  async scopeCountermeasures(engagementId: string): Promise<CountermeasureEntity[]> {
    const ids = (await this.em.getRepository(AuditScopeCountermeasureEntity).findBy({ engagementId })).map((s) => s.countermeasureId);
    return (await this.countermeasures.findByIds(ids)).sort((a, b) => a.seq - b.seq);
  }

  /** What stands in the way of clearing this engagement now (empty: it may be cleared / its clearance stands). */
  async blockersOf(engagement: AuditEngagementEntity, today = this.today()): Promise<ClearanceBlocker[]> {
    const scope = await this.scopeCountermeasures(engagement.id);
    const findings = await this.findingFacts(engagement.incidentId, true);
    return clearanceBlockers({ scope: scope.map((c) => ({ id: c.id, key: countermeasureKey(c.seq), status: c.status })), findings, today });
  }

  /** The lead auditor clears: conditions checked, snapshot stored with its digest, status CLEARED. */
  @Transactional()
  async clear(actor: Actor, engagementId: string, expectedVersion: number, statement: string): Promise<AuditClearanceEntity> {
    const first = await this.engagement(engagementId);
    await this.incidents.lock(first.incidentId);
    const e = await this.engagement(engagementId);
    const teamIds = (await this.em.getRepository(AuditTeamMemberEntity).findBy({ engagementId })).map((m) => m.userId);
    assertIsLead(actor, { leadAuditorId: e.leadAuditorId, teamIds }, 'clear the audit');
    if (e.version !== expectedVersion) throw staleVersion('AuditEngagement', e.id, expectedVersion, e.version);
    assertStatusIn(e.status, CLEARABLE_FROM, 'clear the audit');
    const text = requireText(statement, 'statement', MAX_TEXT_LENGTH);
    const today = this.today();
    const scope = await this.scopeCountermeasures(e.id);
    const findings = await this.findingFacts(e.incidentId);
    const blockers = clearanceBlockers({
      scope: scope.map((c) => ({ id: c.id, key: countermeasureKey(c.seq), status: c.status })),
      findings,
      today,
    });
    if (blockers.length) {
      throw new AuditError(
        AuditErrorCode.CLEARANCE_BLOCKED,
        `The audit cannot be cleared: ${describeBlockers(blockers)}`,
        blockerDetails(blockers),
      );
    }

    const cmIds = scope.map((c) => c.id);
    // The standing sign-offs and the live evidence of the scope, from the evidence context; the systems from the incident's.
    const signOffs = (await this.evidenceService.signOffsOf(cmIds)).filter((s) => s.revokedAt === null);
    const evidence = (await this.evidenceService.liveEvidenceOf(cmIds)).map((ev) => ({
      id: ev.id,
      countermeasureId: ev.countermeasureId,
      requirementId: ev.requirementId,
      sha256: ev.sha256,
    }));
    const systemIds = (await this.em.getRepository(AuditScopeSystemEntity).findBy({ engagementId: e.id })).map((s) => s.systemId);
    const systems = await this.incidents.systemsById(systemIds);
    const clearedAt = this.clock.now();
    const id = randomUUID();
    const signerProof = signerProofOf(actor);
    const payload = clearancePayload({
      clearanceId: id,
      engagementId: e.id,
      incidentId: e.incidentId,
      firm: e.firm,
      leadAuditorId: e.leadAuditorId,
      clearedBy: { id: actor.id, label: actor.label },
      clearedAt,
      statement: text,
      signerProof,
      countermeasures: scope.map((c) => {
        const so = signOffs.find((s) => s.countermeasureId === c.id);
        return {
          id: c.id,
          seq: c.seq,
          key: countermeasureKey(c.seq),
          status: c.status,
          signOff: so ? { id: so.id, digest: so.digest, signedAt: so.signedAt } : null,
          evidence: evidence.filter((ev) => ev.countermeasureId === c.id),
        };
      }),
      systems,
      findings: findings.map((f) => ({
        ...f,
        riskAcceptance: f.acceptanceId && f.acceptanceExpiresOn ? { id: f.acceptanceId, expiresOn: f.acceptanceExpiresOn } : null,
      })),
    });
    const digest = clearanceDigest(payload);

    if (!(await updateIfVersion(this.em, AuditEngagementEntity, e.id, expectedVersion, { status: 'CLEARED' }, this.clock.now()))) {
      throw staleVersion('AuditEngagement', e.id, expectedVersion, (await this.engagement(e.id)).version);
    }
    // (TypeORM's deep-partial type cannot express a jsonb column typed as a plain object, hence the cast.)
    await this.em.getRepository(AuditClearanceEntity).insert({
      id,
      engagementId: e.id,
      incidentId: e.incidentId,
      clearedById: actor.id,
      clearedByLabel: actor.label,
      clearedAt,
      statement: text,
      digest,
      payload,
      signerProof,
      withdrawnAt: null,
      withdrawalReason: null,
      withdrawnByLabel: null,
    } as QueryDeepPartialEntity<AuditClearanceEntity>);
    await this.em.getRepository(AuditEngagementTransitionEntity).insert({
      engagementId: e.id,
      fromStatus: e.status,
      toStatus: 'CLEARED',
      reason: text,
      actorId: actor.id,
      actorLabel: actor.label,
      at: clearedAt,
    });
    await this.trail.append({
      actor,
      action: 'audit.cleared',
      entityType: 'AuditEngagement',
      entityId: e.id,
      before: { status: e.status, version: e.version },
      after: { status: 'CLEARED', version: e.version + 1, clearanceId: id, digest, statement: text, signerProof },
    });
    await this.announce(e.incidentId, actor, `the external audit was cleared by ${actor.label}`);
    return (await this.em.getRepository(AuditClearanceEntity).findOneBy({ id }))!;
  }

  /**
   * Re-checks every standing clearance of the incident and withdraws those whose
   * rule no longer holds: the clearance row gets `withdrawn_at` and the reason,
   * the engagement goes back to REPORTING, the history and the trail say why and
   * whose change it was. The caller holds the incident lock and is inside the
   * transaction of the change (`cause` says what it was). Returns what was withdrawn.
   */
  async reevaluate(incidentId: string, actor: Actor, cause: string, today = this.today()): Promise<AuditClearanceEntity[]> {
    if (!this.txHost.isTransactionActive()) throw new Error('reevaluate must run inside the transaction of the change');
    const standing = await this.em
      .getRepository(AuditClearanceEntity)
      .createQueryBuilder('c')
      .where('c.incidentId = :incidentId AND c.withdrawnAt IS NULL', { incidentId })
      .getMany();
    const withdrawn: AuditClearanceEntity[] = [];
    for (const clearance of standing) {
      const engagement = await this.engagement(clearance.engagementId);
      const blockers = await this.blockersOf(engagement, today);
      if (blockers.length === 0) continue;
      withdrawn.push(await this.withdraw(clearance, engagement, actor, cause, blockers));
    }
    return withdrawn;
  }

  private async withdraw(
    clearance: AuditClearanceEntity,
    e: AuditEngagementEntity,
    actor: Actor,
    cause: string,
    blockers: ClearanceBlocker[],
  ): Promise<AuditClearanceEntity> {
    const at = this.clock.now();
    await this.em
      .getRepository(AuditClearanceEntity)
      .update({ id: clearance.id }, { withdrawnAt: at, withdrawalReason: cause, withdrawnByLabel: actor.label });
    // Not an optimistic-lock update: the rule decides, under the incident lock; the
    // version still moves so that a client holding the old one must reload.
    if (e.status === 'CLEARED') {
      await this.em
        .createQueryBuilder()
        .update(AuditEngagementEntity)
        .set({ status: 'REPORTING', version: () => 'version + 1', updatedAt: this.clock.now() })
        .where('id = :id', { id: e.id })
        .execute();
      await this.em.getRepository(AuditEngagementTransitionEntity).insert({
        engagementId: e.id,
        fromStatus: 'CLEARED',
        toStatus: 'REPORTING',
        reason: `clearance withdrawn: ${cause}`,
        actorId: actor.id,
        actorLabel: actor.label,
        at,
      });
    }
    await this.trail.append({
      actor,
      action: 'audit.clearance_withdrawn',
      entityType: 'AuditClearance',
      entityId: clearance.id,
      before: { engagementId: e.id, engagementStatus: e.status, digest: clearance.digest, withdrawnAt: null },
      after: {
        engagementId: e.id,
        engagementStatus: 'REPORTING',
        digest: clearance.digest,
        withdrawnAt: at.toISOString(),
        withdrawalReason: cause,
        blockers: blockerDetails(blockers),
      },
    });
    await this.announce(clearance.incidentId, actor, `the audit clearance was withdrawn: ${cause}`);
    return (await this.em.getRepository(AuditClearanceEntity).findOneBy({ id: clearance.id }))!;
  }

  /**
   * The two questions of the promotion gate, from indexes only (the standing
   * clearances of the incident; its not-resolved CRITICAL/HIGH findings). Take
   * `IncidentsService.lock(incidentId)` first when the answer decides a change.
   */
  async gateFacts(incidentId: string, today = this.today()): Promise<AuditGateFacts> {
    const standing = await this.em
      .getRepository(AuditClearanceEntity)
      .createQueryBuilder('c')
      .select(['c.id', 'c.engagementId', 'c.digest', 'c.clearedAt'])
      .where('c.incidentId = :incidentId AND c.withdrawnAt IS NULL', { incidentId })
      .orderBy('c.clearedAt', 'DESC')
      .limit(1)
      .getOne();
    const findings = await this.findingFacts(incidentId, true);
    return {
      standingClearance: standing
        ? { clearanceId: standing.id, engagementId: standing.engagementId, digest: standing.digest, clearedAt: standing.clearedAt }
        : null,
      openBlockingFindings: findings.filter((f) => isBlockingFinding(f, today)).map((f) => f.key),
    };
  }

  private async engagement(id: string): Promise<AuditEngagementEntity> {
    const e = await this.em.getRepository(AuditEngagementEntity).findOneBy({ id });
    if (!e) throw new AuditError(AuditErrorCode.ENGAGEMENT_NOT_FOUND, `Audit engagement ${id} does not exist`, { id });
    return e;
  }
}
