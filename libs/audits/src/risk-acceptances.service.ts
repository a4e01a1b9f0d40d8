import { Inject, Injectable, Logger } from '@nestjs/common';
import { TransactionHost, Transactional } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { IsNull } from 'typeorm';
import { AuditTrailService } from '@app/audit-trail';
import {
  Actor,
  CASE_TIME_ZONE,
  Clock,
  signerProofOf,
  decodeTimeIdCursor,
  pageSize,
  todayIn,
  type Page,
  type PageRequest,
  pageOf,
} from '@app/common';
import { CountermeasuresService, CountermeasureStatus, countermeasureKey, TransitionCause } from '@app/countermeasures';
import { IncidentsService } from '@app/incidents';
import { RiskAcceptanceEntity } from './audit.entities';
import { AuditClearanceService } from './audit-clearance.service';
import { AuditFindingsService } from './audit-findings.service';
import { AuditError, AuditErrorCode } from './domain/audit.errors';
import {
  BLOCKING_SEVERITIES,
  checkRiskExpiry,
  findingKey,
  isExpired,
  MAX_REASON_LENGTH,
  MAX_TEXT_LENGTH,
  requireText,
} from './domain/audit-fields';
import { assertMayAcceptRisk } from './domain/audit-access';
import { assertRiskAcceptable } from './domain/finding-rules';

export interface AcceptRiskCommand {
  justification: string;
  compensatingControls: string;
  /** The last day the acceptance holds (YYYY-MM-DD, Asia/Tokyo): after today, at most 366 days ahead. */
  expiresOn: string;
}

export interface RiskAcceptanceFilter {
  incidentId?: string | null;
  findingId?: string | null;
  requirementId?: string | null;
  /** Only acceptances that still stand (not ended and not past their last day). */
  standingOnly?: boolean | null;
}

export interface ExpirySweepResult {
  expired: number;
  reopenedFindings: string[];
  withdrawnClearances: string[];
}

/** The actor of the daily expiry sweep. */
export const RISK_EXPIRY_ACTOR = Actor.system('risk-acceptance-expiry');

/**
 * Risk acceptance by an executive: of an open finding (it becomes ACCEPTED_RISK),
 * or of an unmet evidence requirement (a recorded acceptance only: the
 * countermeasure workflow does not read it yet). Revocable; when its last day
 * has passed it no longer holds (every rule reads `expiresOn` against today),
 * and the sweep records that: daily at midnight in Japan, at start-up, when a
 * gate read finds it lapsed, and `npm run cli -- expire-risk-acceptances`
 * (the schedule is the API's DateRulesJob).
 */
@Injectable()
export class RiskAcceptancesService {
  private readonly logger = new Logger(RiskAcceptancesService.name);

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(IncidentsService) private readonly incidents: IncidentsService,
    @Inject(AuditFindingsService) private readonly findings: AuditFindingsService,
    @Inject(AuditClearanceService) private readonly clearance: AuditClearanceService,
    @Inject(AuditTrailService) private readonly trail: AuditTrailService,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(CountermeasuresService) private readonly countermeasures: CountermeasuresService,
  ) {}

  private get em() {
    return this.txHost.tx;
  }

  async getById(id: string): Promise<RiskAcceptanceEntity> {
    const a = await this.em.getRepository(RiskAcceptanceEntity).findOneBy({ id });
    if (!a) throw new AuditError(AuditErrorCode.RISK_ACCEPTANCE_NOT_FOUND, `Risk acceptance ${id} does not exist`, { id });
    return a;
  }

  /** Newest first, keyset-paginated. */
  async list(filter: RiskAcceptanceFilter, page: PageRequest): Promise<Page<RiskAcceptanceEntity>> {
    const size = pageSize(page.first);
    const qb = this.em.getRepository(RiskAcceptanceEntity).createQueryBuilder('a');
    if (filter.incidentId) qb.andWhere('a.incidentId = :incidentId', { incidentId: filter.incidentId });
    if (filter.findingId) qb.andWhere('a.findingId = :findingId', { findingId: filter.findingId });
    if (filter.requirementId) qb.andWhere('a.requirementId = :requirementId', { requirementId: filter.requirementId });
    if (filter.standingOnly) qb.andWhere('a.endedAt IS NULL AND a.expiresOn >= :today', { today: this.clearance.today() });
    const totalCount = await qb.clone().getCount();
    const acceptedMs = `date_trunc('milliseconds', a.accepted_at)`;
    if (page.after) {
      const { at, id } = decodeTimeIdCursor(page.after);
      qb.andWhere(`(${acceptedMs}, a.id) < (:at, :id)`, { at, id });
    }
    const rows = await qb
      .orderBy(acceptedMs, 'DESC')
      .addOrderBy('a.id', 'DESC')
      .limit(size + 1)
      .getMany();
    return pageOf(rows, size, totalCount, (a) => [a.acceptedAt.toISOString(), a.id]);
  }

  /** Batch reader: every acceptance (ended ones included) of several findings, oldest first. */
  acceptancesOfFindings(findingIds: readonly string[]): Promise<RiskAcceptanceEntity[]> {
    if (findingIds.length === 0) return Promise.resolve([]);
    return this.em
      .getRepository(RiskAcceptanceEntity)
      .createQueryBuilder('a')
      .where('a.findingId = ANY(:ids)', { ids: [...findingIds] })
      .orderBy('a.acceptedAt', 'ASC')
      .getMany();
  }

  // ---- changes ------------------------------------------------------------------------------

  /** An executive accepts the risk of an open finding: it becomes ACCEPTED_RISK until the expiry. */
  @Transactional()
  async acceptFinding(actor: Actor, findingId: string, expectedVersion: number, cmd: AcceptRiskCommand): Promise<RiskAcceptanceEntity> {
    const f = await this.findings.lock(findingId);
    assertMayAcceptRisk(actor, 'accept the risk of a finding');
    const today = this.clearance.today();
    const fields = this.checkCommand(cmd, today);
    const standing = await this.em.getRepository(RiskAcceptanceEntity).findOneBy({ findingId: f.id, endedAt: IsNull() });
    assertRiskAcceptable(f, standing, today);
    if (standing) await this.end(standing, 'EXPIRED', `last day ${standing.expiresOn} passed`, RISK_EXPIRY_ACTOR);
    const acceptance = await this.insert(actor, { incidentId: f.incidentId, findingId: f.id, requirementId: null, ...fields });
    await this.findings.updateVersioned(
      actor,
      'audit_finding.risk_accepted',
      f,
      expectedVersion,
      { status: 'ACCEPTED_RISK' },
      { riskAcceptanceId: acceptance.id, expiresOn: fields.expiresOn },
    );
    return acceptance;
  }

  /**
   * An executive accepts the risk of an unmet evidence requirement: through its
   * last day the requirement counts as covered for IMPLEMENTED and the sign-off
   * (which records the acceptance); when it is revoked or expires, the item is
   * open again by itself (`requirementUncovered`).
   */
  @Transactional()
  async acceptRequirement(actor: Actor, requirementId: string, cmd: AcceptRiskCommand): Promise<RiskAcceptanceEntity> {
    const req = await this.countermeasures.requirementById(requirementId);
    if (!req)
      throw new AuditError(AuditErrorCode.REQUIREMENT_NOT_FOUND, `Requirement ${requirementId} does not exist`, { id: requirementId });
    const cm = await this.countermeasures.getById(req.countermeasureId);
    await this.incidents.lock(cm.incidentId);
    assertMayAcceptRisk(actor, 'accept the risk of an unmet requirement');
    const today = this.clearance.today();
    const fields = this.checkCommand(cmd, today);
    const standing = await this.em.getRepository(RiskAcceptanceEntity).findOneBy({ requirementId, endedAt: IsNull() });
    if (standing && !isExpired(standing.expiresOn, today)) {
      throw new AuditError(
        AuditErrorCode.RISK_ALREADY_ACCEPTED,
        'The requirement already has a standing risk acceptance (revoke it first)',
        { riskAcceptanceId: standing.id },
      );
    }
    if (standing) await this.end(standing, 'EXPIRED', `last day ${standing.expiresOn} passed`, RISK_EXPIRY_ACTOR);
    const a = await this.insert(actor, { incidentId: cm.incidentId, findingId: null, requirementId, ...fields });
    // Kept where the workflow and the sign-off read it (the countermeasures context writes it): covered through expiresOn.
    await this.countermeasures.markRiskAccepted(requirementId, a.id, a.expiresOn);
    await this.clearance.announce(
      cm.incidentId,
      actor,
      `the risk of "${req.title}" (${countermeasureKey(cm.seq)}) being unmet was accepted until ${a.expiresOn}`,
    );
    return a;
  }

  /**
   * A requirement's acceptance ended (revoked or expired): the requirement is
   * open again by itself. Verified work that rested on it is reopened; an
   * IMPLEMENTED item whose requirement now has no evidence goes back to work.
   */
  private async requirementUncovered(a: RiskAcceptanceEntity, actor: Actor, why: string): Promise<void> {
    // The countermeasures context clears its mark (when it is still this acceptance's) and gives the requirement as it was.
    const req = await this.countermeasures.clearRiskAcceptance(a.requirementId!, a.id);
    if (!req) return;
    const cm = await this.countermeasures.getById(req.countermeasureId);
    const key = countermeasureKey(cm.seq);
    const reason = `the risk acceptance of "${req.title}" ${why}`;
    const fullyEvidenced = req.liveEvidenceCount > 0 && req.acceptedEvidenceCount === req.liveEvidenceCount;
    if (
      (cm.status === CountermeasureStatus.VERIFIED ||
        cm.status === CountermeasureStatus.OPERATING ||
        cm.status === CountermeasureStatus.DEGRADED) &&
      !fullyEvidenced
    ) {
      await this.countermeasures.moveFor(actor, cm, CountermeasureStatus.REOPENED, TransitionCause.REOPEN, reason);
    } else if (cm.status === CountermeasureStatus.IMPLEMENTED && req.liveEvidenceCount === 0) {
      await this.countermeasures.moveFor(actor, cm, CountermeasureStatus.IN_PROGRESS, TransitionCause.USER, reason);
    }
    await this.clearance.announce(a.incidentId, actor, `${reason} (${key})`);
  }

  /** An executive revokes a standing acceptance, with a reason; a finding is OPEN again (and may withdraw a clearance). */
  @Transactional()
  async revoke(actor: Actor, id: string, reason: string): Promise<RiskAcceptanceEntity> {
    const first = await this.getById(id);
    await this.incidents.lock(first.incidentId);
    const a = await this.getById(id);
    assertMayAcceptRisk(actor, 'revoke a risk acceptance');
    if (a.endedAt)
      throw new AuditError(AuditErrorCode.RISK_ACCEPTANCE_ENDED, `The risk acceptance already ended (${a.endKind})`, {
        endKind: a.endKind,
      });
    const why = requireText(reason, 'reason', MAX_REASON_LENGTH);
    const ended = await this.end(a, 'REVOKED', why, actor);
    if (a.requirementId) await this.requirementUncovered(a, actor, `was revoked: ${why}`);
    if (a.findingId)
      await this.reopenFinding(
        a.findingId,
        actor,
        'audit_finding.risk_acceptance_revoked',
        (key) => `risk acceptance of ${key} revoked: ${why}`,
      );
    return ended;
  }

  /**
   * The sweep: every standing acceptance whose last day is before `now`'s day
   * (Asia/Tokyo) ends as EXPIRED; its finding is OPEN again; a clearance this
   * breaks is withdrawn. One transaction per incident, under its lock.
   */
  async expireRiskAcceptances(now: Date = this.clock.now()): Promise<ExpirySweepResult> {
    const today = todayIn(CASE_TIME_ZONE, now);
    const result: ExpirySweepResult = { expired: 0, reopenedFindings: [], withdrawnClearances: [] };
    // Served by IDX_audit_risk_acceptances_expiry; each incident is then re-read under its lock.
    const incidents = await this.em
      .getRepository(RiskAcceptanceEntity)
      .createQueryBuilder('a')
      .select('DISTINCT a.incident_id', 'incidentId')
      .where('a.endedAt IS NULL AND a.expiresOn < :today', { today })
      .getRawMany<{ incidentId: string }>();
    for (const { incidentId } of incidents) {
      // One transaction per incident: a failure in one does not hold back the others.
      let part: ExpirySweepResult;
      try {
        part = await this.expireIn(incidentId, today);
      } catch (err) {
        this.logger.error(`risk-acceptance expiry in incident ${incidentId} failed: ${(err as Error).message}`);
        continue;
      }
      result.expired += part.expired;
      result.reopenedFindings.push(...part.reopenedFindings);
      result.withdrawnClearances.push(...part.withdrawnClearances);
    }
    return result;
  }

  /**
   * The sweep for one incident (its own transaction, or the caller's, under the
   * incident lock): the promotion gate runs it when a read finds a lapsed rule.
   */
  @Transactional()
  async expireIn(incidentId: string, today: string = todayIn(CASE_TIME_ZONE, this.clock.now())): Promise<ExpirySweepResult> {
    await this.incidents.lock(incidentId);
    const due = await this.em
      .getRepository(RiskAcceptanceEntity)
      .createQueryBuilder('a')
      .where('a.incidentId = :incidentId AND a.endedAt IS NULL AND a.expiresOn < :today', { incidentId, today })
      .orderBy('a.acceptedAt', 'ASC')
      .getMany();
    const result: ExpirySweepResult = { expired: 0, reopenedFindings: [], withdrawnClearances: [] };
    for (const a of due) {
      await this.end(a, 'EXPIRED', `last day ${a.expiresOn} passed`, RISK_EXPIRY_ACTOR);
      result.expired++;
      if (a.requirementId) await this.requirementUncovered(a, RISK_EXPIRY_ACTOR, `expired (last day ${a.expiresOn})`);
      if (a.findingId) {
        const reopened = await this.reopenFinding(
          a.findingId,
          RISK_EXPIRY_ACTOR,
          'audit_finding.risk_acceptance_expired',
          (key) => `risk acceptance of ${key} expired (last day ${a.expiresOn})`,
          today,
        );
        if (reopened) result.reopenedFindings.push(reopened.key);
        result.withdrawnClearances.push(...(reopened?.withdrawn ?? []));
      }
    }
    return result;
  }

  /** ACCEPTED_RISK → OPEN (version bumped, trail), then the clearance rule, under the caller's incident lock. */
  private async reopenFinding(findingId: string, actor: Actor, action: string, cause: (key: string) => string, today?: string) {
    const f = await this.findings.getById(findingId);
    if (f.status !== 'ACCEPTED_RISK') return null;
    const key = findingKey(f.seq);
    await this.findings.updateVersioned(actor, action, f, f.version, { status: 'OPEN' });
    const withdrawn = BLOCKING_SEVERITIES.includes(f.severity)
      ? await this.clearance.reevaluate(f.incidentId, actor, cause(key), today)
      : [];
    return { key, withdrawn: withdrawn.map((c) => c.id) };
  }

  private checkCommand(cmd: AcceptRiskCommand, today: string) {
    return {
      justification: requireText(cmd.justification, 'justification', MAX_TEXT_LENGTH),
      compensatingControls: requireText(cmd.compensatingControls, 'compensatingControls', MAX_TEXT_LENGTH),
      expiresOn: checkRiskExpiry(cmd.expiresOn, today),
    };
  }

  private async insert(
    actor: Actor,
    v: {
      incidentId: string;
      findingId: string | null;
      requirementId: string | null;
      justification: string;
      compensatingControls: string;
      expiresOn: string;
    },
  ): Promise<RiskAcceptanceEntity> {
    const repo = this.em.getRepository(RiskAcceptanceEntity);
    const a = await repo.save(
      repo.create({
        ...v,
        acceptedById: actor.id,
        acceptedByLabel: actor.label,
        acceptedAt: this.clock.now(),
        signerProof: signerProofOf(actor),
        endedAt: null,
        endKind: null,
        endReason: null,
        endedByLabel: null,
      }),
    );
    await this.trail.append({
      actor,
      action: 'risk_acceptance.accepted',
      entityType: 'RiskAcceptance',
      entityId: a.id,
      after: { ...acceptanceSnapshot(a), signerProof: a.signerProof },
    });
    return a;
  }

  private async end(a: RiskAcceptanceEntity, kind: 'REVOKED' | 'EXPIRED', reason: string, actor: Actor): Promise<RiskAcceptanceEntity> {
    await this.em
      .getRepository(RiskAcceptanceEntity)
      .update({ id: a.id }, { endedAt: this.clock.now(), endKind: kind, endReason: reason, endedByLabel: actor.label });
    const ended = await this.getById(a.id);
    await this.trail.append({
      actor,
      action: kind === 'REVOKED' ? 'risk_acceptance.revoked' : 'risk_acceptance.expired',
      entityType: 'RiskAcceptance',
      entityId: a.id,
      before: acceptanceSnapshot(a),
      after: acceptanceSnapshot(ended),
    });
    return ended;
  }
}

function acceptanceSnapshot(a: RiskAcceptanceEntity) {
  return {
    incidentId: a.incidentId,
    findingId: a.findingId,
    requirementId: a.requirementId,
    justification: a.justification,
    compensatingControls: a.compensatingControls,
    expiresOn: a.expiresOn,
    endKind: a.endKind,
    endReason: a.endReason,
  };
}
