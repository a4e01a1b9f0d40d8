import { Inject, Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { AuditEvents, type AuditChanged } from './audit.events';
import { TransactionHost, Transactional } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AuditTrailService } from '@app/audit-trail';
import {
  Clock,
  decodeTimeIdCursor,
  pageSize,
  staleVersion,
  type Actor,
  type Page,
  type PageRequest,
  emitInOrder,
  pageOf,
} from '@app/common';
import { updateIfVersion } from '@app/database';
import { CountermeasuresService } from '@app/countermeasures';
import { actorMay, Permission, UsersService } from '@app/identity';
import { IncidentsService } from '@app/incidents';
import {
  AuditClearanceEntity,
  AuditEngagementEntity,
  AuditEngagementTransitionEntity,
  AuditScopeCountermeasureEntity,
  AuditScopeSystemEntity,
  AuditTeamMemberEntity,
} from './audit.entities';
import { AuditError, AuditErrorCode } from './domain/audit.errors';
import { auditScope, auditTeam, checkPeriod, MAX_TITLE_LENGTH, requireText, type EngagementStatus } from './domain/audit-fields';
import { assertIsLead, assertMayCommission, type EngagementParties } from './domain/audit-access';
import { assertStatusIn, decideEngagementMove, SCOPE_EDITABLE_IN } from './domain/engagement-workflow';

export interface CreateEngagementCommand {
  incidentId: string;
  title: string;
  firm: string;
  leadAuditorId: string;
  teamIds?: readonly string[] | null;
  countermeasureIds?: readonly string[] | null;
  systemIds?: readonly string[] | null;
  startsOn?: string | null;
  endsOn?: string | null;
}

export interface UpdateEngagementCommand {
  title?: string | null;
  firm?: string | null;
  startsOn?: string | null;
  endsOn?: string | null;
  /** The team becomes exactly these auditors (the lead is never listed). */
  teamIds?: readonly string[] | null;
  /** The scope becomes exactly these countermeasures / systems of the incident. */
  countermeasureIds?: readonly string[] | null;
  systemIds?: readonly string[] | null;
}

export interface EngagementFilter {
  incidentId?: string | null;
  statuses?: readonly EngagementStatus[] | null;
}

/** Engagements: commissioning, the team and scope, the lead auditor's status moves. */
@Injectable()
export class AuditEngagementsService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(IncidentsService) private readonly incidents: IncidentsService,
    @Inject(AuditTrailService) private readonly trail: AuditTrailService,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(EventEmitter2) private readonly events: EventEmitter2,
    @Inject(CountermeasuresService) private readonly countermeasures: CountermeasuresService,
    @Inject(UsersService) private readonly users: UsersService,
  ) {}

  private get em() {
    return this.txHost.tx;
  }

  async getById(id: string): Promise<AuditEngagementEntity> {
    const e = await this.em.getRepository(AuditEngagementEntity).findOneBy({ id });
    if (!e) throw new AuditError(AuditErrorCode.ENGAGEMENT_NOT_FOUND, `Audit engagement ${id} does not exist`, { id });
    return e;
  }

  async findByIds(ids: readonly string[]): Promise<AuditEngagementEntity[]> {
    if (ids.length === 0) return [];
    return this.em
      .getRepository(AuditEngagementEntity)
      .createQueryBuilder('e')
      .where('e.id = ANY(:ids)', { ids: [...ids] })
      .getMany();
  }

  /** Takes the incident lock (the one every change of a clearance input takes), then reads the engagement. */
  async lock(id: string): Promise<AuditEngagementEntity> {
    const first = await this.getById(id);
    await this.incidents.lock(first.incidentId);
    return this.getById(id);
  }

  async parties(e: AuditEngagementEntity): Promise<EngagementParties> {
    const team = await this.em.getRepository(AuditTeamMemberEntity).findBy({ engagementId: e.id });
    return { leadAuditorId: e.leadAuditorId, teamIds: team.map((m) => m.userId) };
  }

  /** Newest first (by creation), keyset-paginated. */
  async list(filter: EngagementFilter, page: PageRequest): Promise<Page<AuditEngagementEntity>> {
    const size = pageSize(page.first);
    const qb = this.em.getRepository(AuditEngagementEntity).createQueryBuilder('e');
    if (filter.incidentId) qb.andWhere('e.incidentId = :incidentId', { incidentId: filter.incidentId });
    if (filter.statuses?.length) qb.andWhere('e.status = ANY(:statuses)', { statuses: [...filter.statuses] });
    const totalCount = await qb.clone().getCount();
    const createdMs = `date_trunc('milliseconds', e.created_at)`;
    if (page.after) {
      const { at, id } = decodeTimeIdCursor(page.after);
      qb.andWhere(`(${createdMs}, e.id) < (:at, :id)`, { at, id });
    }
    const rows = await qb
      .orderBy(createdMs, 'DESC')
      .addOrderBy('e.id', 'DESC')
      .limit(size + 1)
      .getMany();
    return pageOf(rows, size, totalCount, (e) => [e.createdAt.toISOString(), e.id]);
  }

  // ---- batch readers for DataLoaders -------------------------------------------------------

  teamOf(ids: readonly string[]) {
    return this.byEngagement(AuditTeamMemberEntity, ids, 'userId');
  }
  scopeCountermeasuresOf(ids: readonly string[]) {
    return this.byEngagement(AuditScopeCountermeasureEntity, ids, 'countermeasureId');
  }
  scopeSystemsOf(ids: readonly string[]) {
    return this.byEngagement(AuditScopeSystemEntity, ids, 'systemId');
  }
  transitionsOf(ids: readonly string[]) {
    return this.byEngagement(AuditEngagementTransitionEntity, ids, 'at');
  }
  /** The incident's latest engagement (by creation), or null: what the promotion gate calls the audit's state. */
  latestOf(incidentId: string): Promise<AuditEngagementEntity | null> {
    return this.em.getRepository(AuditEngagementEntity).findOne({ where: { incidentId }, order: { createdAt: 'DESC' } });
  }

  /** The incident's standing clearance (the latest not withdrawn), or null. */
  standingClearanceOf(incidentId: string): Promise<AuditClearanceEntity | null> {
    return this.em
      .getRepository(AuditClearanceEntity)
      .createQueryBuilder('c')
      .where('c.incidentId = :incidentId AND c.withdrawnAt IS NULL', { incidentId })
      .orderBy('c.clearedAt', 'DESC')
      .getOne();
  }

  /** Every clearance, withdrawn ones included, oldest first. */
  clearancesOf(ids: readonly string[]) {
    return this.byEngagement(AuditClearanceEntity, ids, 'clearedAt');
  }

  private byEngagement<T extends { engagementId: string }>(entity: new () => T, ids: readonly string[], orderBy: string): Promise<T[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.em
      .getRepository(entity)
      .createQueryBuilder('x')
      .where('x.engagementId = ANY(:ids)', { ids: [...ids] })
      .orderBy(`x.${orderBy}`, 'ASC')
      .getMany();
  }

  // ---- changes ------------------------------------------------------------------------------

  /** The task-force chief or an admin commissions an audit: firm, lead and team (auditors), scope, dates. PLANNED. */
  @Transactional()
  async create(actor: Actor, cmd: CreateEngagementCommand): Promise<AuditEngagementEntity> {
    await this.incidents.lock(cmd.incidentId);
    assertMayCommission(actor, await this.chiefOf(cmd.incidentId));
    const title = requireText(cmd.title, 'title', MAX_TITLE_LENGTH);
    const firm = requireText(cmd.firm, 'firm', MAX_TITLE_LENGTH);
    const period = checkPeriod(cmd.startsOn, cmd.endsOn);
    const teamIds = auditTeam(cmd.leadAuditorId, cmd.teamIds ?? []);
    await this.assertAuditors([cmd.leadAuditorId, ...teamIds]);
    const scope = await this.checkScope(cmd.incidentId, cmd.countermeasureIds ?? [], cmd.systemIds ?? []);

    const repo = this.em.getRepository(AuditEngagementEntity);
    const e = await repo.save(
      repo.create({
        incidentId: cmd.incidentId,
        title,
        firm,
        leadAuditorId: cmd.leadAuditorId,
        status: 'PLANNED',
        ...period,
        conclusion: null,
      }),
    );
    await this.writeTeamAndScope(e.id, teamIds, scope.countermeasureIds, scope.systemIds);
    await this.em.getRepository(AuditEngagementTransitionEntity).insert({
      engagementId: e.id,
      fromStatus: null,
      toStatus: 'PLANNED',
      reason: 'created',
      actorId: actor.id,
      actorLabel: actor.label,
      at: this.clock.now(),
    });
    await this.trail.append({
      actor,
      action: 'audit_engagement.created',
      entityType: 'AuditEngagement',
      entityId: e.id,
      after: { ...snapshot(e), teamIds, ...scope },
    });
    await emitInOrder(this.events, AuditEvents.CHANGED, {
      incidentId: e.incidentId,
      actor,
      what: `audit engagement "${e.title}" planned`,
    } satisfies AuditChanged);
    return e;
  }

  /** The lead auditor changes the title, firm, dates, team or scope, before a conclusion. */
  @Transactional()
  async update(actor: Actor, id: string, expectedVersion: number, changes: UpdateEngagementCommand): Promise<AuditEngagementEntity> {
    const e = await this.lock(id);
    const parties = await this.parties(e);
    assertIsLead(actor, parties, 'change the engagement');
    assertStatusIn(e.status, SCOPE_EDITABLE_IN, 'change the team, dates or scope');
    const set: QueryDeepPartialEntity<AuditEngagementEntity> = {};
    if (changes.title != null) set.title = requireText(changes.title, 'title', MAX_TITLE_LENGTH);
    if (changes.firm != null) set.firm = requireText(changes.firm, 'firm', MAX_TITLE_LENGTH);
    if (changes.startsOn !== undefined || changes.endsOn !== undefined) {
      const period = checkPeriod(
        changes.startsOn !== undefined ? changes.startsOn : e.startsOn,
        changes.endsOn !== undefined ? changes.endsOn : e.endsOn,
      );
      Object.assign(set, period);
    }
    const beforeScope = {
      teamIds: [...parties.teamIds].sort(),
      countermeasureIds: (await this.scopeCountermeasuresOf([e.id])).map((s) => s.countermeasureId).sort(),
      systemIds: (await this.scopeSystemsOf([e.id])).map((s) => s.systemId).sort(),
    };
    const teamIds = changes.teamIds != null ? auditTeam(e.leadAuditorId, changes.teamIds) : null;
    if (teamIds) await this.assertAuditors(teamIds);
    const scope =
      changes.countermeasureIds != null || changes.systemIds != null
        ? await this.checkScope(
            e.incidentId,
            changes.countermeasureIds ?? beforeScope.countermeasureIds,
            changes.systemIds ?? beforeScope.systemIds,
          )
        : null;
    if (!(await updateIfVersion(this.em, AuditEngagementEntity, e.id, expectedVersion, set, this.clock.now()))) {
      throw staleVersion('AuditEngagement', e.id, expectedVersion, (await this.getById(e.id)).version);
    }
    const afterScope = {
      teamIds: teamIds ? [...teamIds].sort() : beforeScope.teamIds,
      countermeasureIds: scope ? [...scope.countermeasureIds].sort() : beforeScope.countermeasureIds,
      systemIds: scope ? [...scope.systemIds].sort() : beforeScope.systemIds,
    };
    if (teamIds) {
      await this.em.getRepository(AuditTeamMemberEntity).delete({ engagementId: e.id });
      await this.writeTeamAndScope(e.id, teamIds, [], []);
    }
    if (scope) {
      await this.em.getRepository(AuditScopeCountermeasureEntity).delete({ engagementId: e.id });
      await this.em.getRepository(AuditScopeSystemEntity).delete({ engagementId: e.id });
      await this.writeTeamAndScope(e.id, [], scope.countermeasureIds, scope.systemIds);
    }
    const updated = await this.getById(e.id);
    await this.trail.append({
      actor,
      action: 'audit_engagement.updated',
      entityType: 'AuditEngagement',
      entityId: e.id,
      before: { ...snapshot(e), ...beforeScope },
      after: { ...snapshot(updated), ...afterScope },
    });
    return updated;
  }

  /** A manual status move by the lead auditor (CLEARED only through clearAudit). */
  @Transactional()
  async move(
    actor: Actor,
    id: string,
    expectedVersion: number,
    to: EngagementStatus,
    statement: string | null,
  ): Promise<AuditEngagementEntity> {
    const e = await this.lock(id);
    assertIsLead(actor, await this.parties(e), 'move the engagement');
    const move = decideEngagementMove(e.status, to, statement);
    const set: QueryDeepPartialEntity<AuditEngagementEntity> = { status: move.to };
    if (move.to === 'NOT_CLEARED') set.conclusion = move.statement;
    if (move.from === 'NOT_CLEARED') set.conclusion = null; // the re-audit starts afresh; the old conclusion stays in the history
    if (!(await updateIfVersion(this.em, AuditEngagementEntity, e.id, expectedVersion, set, this.clock.now()))) {
      throw staleVersion('AuditEngagement', e.id, expectedVersion, (await this.getById(e.id)).version);
    }
    await this.em.getRepository(AuditEngagementTransitionEntity).insert({
      engagementId: e.id,
      fromStatus: move.from,
      toStatus: move.to,
      reason: move.statement,
      actorId: actor.id,
      actorLabel: actor.label,
      at: this.clock.now(),
    });
    const updated = await this.getById(e.id);
    await this.trail.append({
      actor,
      action: 'audit_engagement.status_changed',
      entityType: 'AuditEngagement',
      entityId: e.id,
      before: snapshot(e),
      after: { ...snapshot(updated), statement: move.statement },
    });
    await emitInOrder(this.events, AuditEvents.CHANGED, {
      incidentId: e.incidentId,
      actor,
      what: `audit engagement moved ${e.status} → ${updated.status}`,
    } satisfies AuditChanged);
    return updated;
  }

  /** The lead and the team must be active users holding the AUDITOR role. */
  private async assertAuditors(userIds: readonly string[]): Promise<void> {
    if (userIds.length === 0) return;
    const rows = await this.users.lockManyForShare(userIds);
    const ok = new Set(rows.filter((u) => u.active && actorMay(u, Permission.AUDIT_CONDUCT)).map((u) => u.id));
    const bad = userIds.filter((u) => !ok.has(u));
    if (bad.length) {
      throw new AuditError(AuditErrorCode.NOT_AN_AUDITOR, 'The lead auditor and the team must be active users with the AUDITOR role', {
        userIds: bad,
      });
    }
  }

  private async checkScope(incidentId: string, countermeasureIds: readonly string[], systemIds: readonly string[]) {
    const { countermeasureIds: cmIds, systemIds: sysIds } = auditScope(countermeasureIds, systemIds);
    const cms = (await this.countermeasures.findByIds(cmIds)).filter((c) => c.incidentId === incidentId);
    const systems = (await this.incidents.systemsById(sysIds)).filter((s) => s.incidentId === incidentId);
    const badCms = cmIds.filter((id) => !cms.some((c) => c.id === id));
    const badSystems = sysIds.filter((id) => !systems.some((s) => s.id === id));
    if (badCms.length || badSystems.length) {
      throw new AuditError(
        AuditErrorCode.NOT_IN_INCIDENT,
        "The scope may only hold countermeasures and systems of the engagement's incident",
        {
          countermeasureIds: badCms,
          systemIds: badSystems,
        },
      );
    }
    return { countermeasureIds: cmIds, systemIds: sysIds };
  }

  private async writeTeamAndScope(
    engagementId: string,
    teamIds: readonly string[],
    countermeasureIds: readonly string[],
    systemIds: readonly string[],
  ) {
    if (teamIds.length) await this.em.getRepository(AuditTeamMemberEntity).insert(teamIds.map((userId) => ({ engagementId, userId })));
    if (countermeasureIds.length) {
      await this.em
        .getRepository(AuditScopeCountermeasureEntity)
        .insert(countermeasureIds.map((countermeasureId) => ({ engagementId, countermeasureId })));
    }
    if (systemIds.length)
      await this.em.getRepository(AuditScopeSystemEntity).insert(systemIds.map((systemId) => ({ engagementId, systemId })));
  }

  async chiefOf(incidentId: string): Promise<string | null> {
    return this.incidents.chiefOf(incidentId);
  }
}

/** What the audit trail keeps of an engagement. */
function snapshot(e: AuditEngagementEntity) {
  return {
    incidentId: e.incidentId,
    title: e.title,
    firm: e.firm,
    leadAuditorId: e.leadAuditorId,
    status: e.status,
    startsOn: e.startsOn,
    endsOn: e.endsOn,
    conclusion: e.conclusion,
    version: e.version,
  };
}
