import { Inject, Injectable } from '@nestjs/common';
import { TransactionHost, Transactional } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { AuditTrailService } from '@app/audit-trail';
import { Clock, type Actor } from '@app/common';
import { UsersService } from '@app/identity';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import {
  assertMayCreateIncident,
  assertMayDesignateChief,
  assertMayEditIncident,
  assertMayManageTaskForce,
} from './domain/incident-access';
import { IncidentError, IncidentErrorCode } from './domain/incident.errors';
import {
  assertCalendarDay,
  assertDayNotAfter,
  INCIDENT_DATE_FIELDS,
  INCIDENT_LIMITS,
  optionalText,
  requiredText,
} from './domain/incident-fields';
import {
  assertEligibleUser,
  assertMayBecomeChief,
  assertMayLeave,
  assertNotAlreadyMember,
  assertRoleChange,
} from './domain/task-force-rules';
import { INCIDENT_COUNTERMEASURE_USAGE, type IncidentCountermeasureUsage } from './countermeasure-usage.port';
import { IncidentEntity, TaskForceMemberEntity } from './incident.entities';
import { IncidentsService } from './incidents.service';

import { IncidentEntryChanges } from './incident-entry-changes';
import type { CreateIncidentCommand, IncidentDates, JoinCommand, UpdateIncidentCommand } from './incident-change.commands';
import { incidentSnapshot, memberSnapshot } from './domain/incident-snapshots';

export * from './incident-change.commands';
export { incidentSnapshot, memberSnapshot } from './domain/incident-snapshots';

export const DEFAULT_CHIEF_ROLE_TITLE = '最高責任者';

/**
 * Every change to an incident, its timeline and inventory, and its task force.
 * Each method is one transaction: load → record-level rule (domain/incident-access)
 * → domain rule → write → audit-trail entry. Trail entries name the incident
 * (entityType `Incident`, entityId its id) so `auditTrail(filter: { entityId })`
 * gives the incident's whole history; before/after hold the changed row.
 *
 * Concurrency:
 * - the incident's own fields are versioned: `update` needs `expectedVersion`
 *   (CONFLICT with the current version otherwise); so do corrections and
 *   removals of timeline and inventory entries, which move it on (additions
 *   do not: they replace nothing someone else may just have set);
 * - every change to the task force and every addition takes `SELECT ... FOR
 *   UPDATE` on the incident row first (IncidentsService.lock), so they
 *   serialize and each sees the membership the previous one left; the changes
 *   that replace a value someone else may just have set (a member's role, the
 *   chief) also need the incident's `expectedVersion` and move it on;
 * - removing a member also locks the member row before counting their open
 *   countermeasures; IncidentsService.currentMemberIds (used by the
 *   countermeasures context to accept an owner) reads member rows FOR SHARE, so
 *   an owner assignment and a removal of that owner cannot both commit.
 *
 * Three files along the seams: the shared helpers (incident-change-base.ts),
 * the timeline and inventory (incident-entry-changes.ts), and here the
 * incident itself and its task force.
 */
@Injectable()
export class IncidentChangesService extends IncidentEntryChanges {
  constructor(
    @Inject(TransactionHost) txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(IncidentsService) incidents: IncidentsService,
    @Inject(AuditTrailService) trail: AuditTrailService,
    @Inject(Clock) clock: Clock,
    @Inject(UsersService) users: UsersService,
    @Inject(INCIDENT_COUNTERMEASURE_USAGE) countermeasures: IncidentCountermeasureUsage,
  ) {
    super(txHost, incidents, trail, clock, users, countermeasures);
  }

  // ---- the incident ---------------------------------------------------------------------------

  @Transactional()
  async create(actor: Actor, cmd: CreateIncidentCommand): Promise<IncidentEntity> {
    assertMayCreateIncident(actor);
    const title = requiredText(cmd.title, 'title', INCIDENT_LIMITS.title);
    const summary = optionalText(cmd.summary, 'summary', INCIDENT_LIMITS.summary);
    const dates: IncidentDates = {};
    for (const f of INCIDENT_DATE_FIELDS) {
      const v = cmd[f];
      dates[f] = v == null ? null : assertCalendarDay(v, f);
    }
    const chief = cmd.chief ? { ...cmd.chief, roleTitle: cmd.chief.roleTitle ?? DEFAULT_CHIEF_ROLE_TITLE } : null;

    const repo = this.em.getRepository(IncidentEntity);
    const incident = await repo.save(repo.create({ title, summary, ...dates }));
    await this.trail.append({
      actor,
      action: 'incident.created',
      entityType: 'Incident',
      entityId: incident.id,
      after: incidentSnapshot(incident),
    });
    if (chief) await this.join(actor, incident.id, chief, true);
    return incident;
  }

  @Transactional()
  async update(actor: Actor, id: string, expectedVersion: number, changes: UpdateIncidentCommand): Promise<IncidentEntity> {
    const incident = await this.incidents.getById(id);
    assertMayEditIncident(actor, await this.partiesOf(id, actor), 'edit the incident');
    const set: QueryDeepPartialEntity<IncidentEntity> = {};
    if (changes.title != null) set.title = requiredText(changes.title, 'title', INCIDENT_LIMITS.title);
    if (changes.summary != null) set.summary = optionalText(changes.summary, 'summary', INCIDENT_LIMITS.summary);
    for (const f of INCIDENT_DATE_FIELDS) {
      const v = changes[f];
      if (v !== undefined) set[f] = v === null ? null : assertCalendarDay(v, f);
    }
    // A value equal to the current one is no change: it neither moves the version nor enters the trail.
    for (const key of Object.keys(set) as (keyof typeof set)[]) {
      if (set[key] === (incident as unknown as Record<string, unknown>)[key as string]) delete set[key];
    }
    if (Object.keys(set).length === 0) {
      throw new IncidentError(IncidentErrorCode.INVALID_FIELD, 'Nothing to change: give at least one field with a new value', {
        field: null,
        value: null,
      });
    }
    await this.bumpVersion(incident, expectedVersion, set);
    const updated = await this.incidents.getById(id);
    await this.trail.append({
      actor,
      action: 'incident.updated',
      entityType: 'Incident',
      entityId: id,
      before: incidentSnapshot(incident),
      after: incidentSnapshot(updated),
    });
    return updated;
  }

  // ---- the task force -----------------------------------------------------------------------

  @Transactional()
  async addMember(actor: Actor, incidentId: string, cmd: JoinCommand): Promise<TaskForceMemberEntity> {
    await this.incidents.lock(incidentId);
    assertMayManageTaskForce(actor, await this.partiesOf(incidentId, actor), 'add a task-force member');
    return this.join(actor, incidentId, cmd, false);
  }

  @Transactional()
  async changeRole(actor: Actor, memberId: string, expectedVersion: number, roleTitle: string): Promise<TaskForceMemberEntity> {
    const { incident, member } = await this.lockMember(memberId);
    assertMayManageTaskForce(actor, await this.partiesOf(incident.id, actor), "change a member's role");
    const title = requiredText(roleTitle, 'roleTitle', INCIDENT_LIMITS.roleTitle);
    assertRoleChange(member, member.roleTitle, title);
    await this.bumpVersion(incident, expectedVersion, {});
    await this.em.getRepository(TaskForceMemberEntity).update({ id: member.id }, { roleTitle: title });
    const updated = { ...member, roleTitle: title };
    await this.record(
      actor,
      'task_force.role_changed',
      incident.id,
      { member: memberSnapshot(member) },
      { member: memberSnapshot(updated), incidentVersion: expectedVersion + 1 },
    );
    return updated;
  }

  @Transactional()
  async removeMember(actor: Actor, memberId: string, leftOn?: string | null): Promise<TaskForceMemberEntity> {
    const { incident, member } = await this.lockMember(memberId);
    assertMayManageTaskForce(actor, await this.partiesOf(incident.id, actor), 'remove a task-force member');
    const today = this.today();
    const day = leftOn == null ? today : assertDayNotAfter(leftOn, today, 'leftOn');
    assertMayLeave(member, day, await this.countermeasures.openOwnedBy(incident.id, member.userId));
    await this.em.getRepository(TaskForceMemberEntity).update({ id: member.id }, { leftOn: day });
    const updated = { ...member, leftOn: day };
    await this.record(
      actor,
      'task_force.member_removed',
      incident.id,
      { member: memberSnapshot(member) },
      { member: memberSnapshot(updated) },
    );
    return updated;
  }

  /**
   * Grants or withdraws the legal lead's standing (the PPC reports of this incident) to a current member: those who
   * manage the task force may (executives, admins, the chief). Needs the incident's version.
   */
  @Transactional()
  async setLegalLead(actor: Actor, memberId: string, expectedVersion: number, legalLead: boolean): Promise<TaskForceMemberEntity> {
    const { incident, member } = await this.lockMember(memberId);
    assertMayManageTaskForce(actor, await this.partiesOf(incident.id, actor), 'designate the legal lead');
    if (member.leftOn !== null) {
      throw new IncidentError(IncidentErrorCode.MEMBER_HAS_LEFT, 'A member who left cannot be made legal lead', { memberId });
    }
    if (member.legalLead === legalLead) {
      throw new IncidentError(IncidentErrorCode.INVALID_FIELD, legalLead ? 'Already the legal lead' : 'Not the legal lead', {
        field: 'legalLead',
      });
    }
    await this.bumpVersion(incident, expectedVersion, {});
    await this.em.getRepository(TaskForceMemberEntity).update({ id: member.id }, { legalLead });
    const updated = { ...member, legalLead };
    await this.record(
      actor,
      legalLead ? 'task_force.legal_lead_granted' : 'task_force.legal_lead_withdrawn',
      incident.id,
      { member: memberSnapshot(member) },
      { member: memberSnapshot(updated), incidentVersion: expectedVersion + 1 },
    );
    return updated;
  }

  /** The previous chief stays on the task force as a member (same role title; change it separately). */
  @Transactional()
  async designateChief(actor: Actor, memberId: string, expectedVersion: number): Promise<TaskForceMemberEntity> {
    assertMayDesignateChief(actor);
    const { incident, member } = await this.lockMember(memberId);
    assertMayBecomeChief(member);
    assertEligibleUser(await this.lockUser(member.userId)); // a deactivated user cannot take the chair
    const repo = this.em.getRepository(TaskForceMemberEntity);
    const previousChief = await this.currentChief(incident.id);
    await this.bumpVersion(incident, expectedVersion, {});
    // Unset first: the partial unique index allows one current chief per incident.
    if (previousChief) await repo.update({ id: previousChief.id }, { isChief: false });
    await repo.update({ id: member.id }, { isChief: true });
    const updated = { ...member, isChief: true };
    await this.record(
      actor,
      'task_force.chief_designated',
      incident.id,
      { chief: previousChief ? memberSnapshot(previousChief) : null, member: memberSnapshot(member) },
      {
        chief: memberSnapshot(updated),
        previousChief: previousChief ? memberSnapshot({ ...previousChief, isChief: false }) : null,
        incidentVersion: expectedVersion + 1,
      },
    );
    return updated;
  }

  /** Adds a membership; the caller has locked the incident and checked who may. */
  protected async join(actor: Actor, incidentId: string, cmd: JoinCommand, isChief: boolean): Promise<TaskForceMemberEntity> {
    const roleTitle = requiredText(cmd.roleTitle, 'roleTitle', INCIDENT_LIMITS.roleTitle);
    const today = this.today();
    const joinedOn = cmd.joinedOn == null ? today : assertDayNotAfter(cmd.joinedOn, today, 'joinedOn');
    const user = await this.lockUser(cmd.userId);
    assertEligibleUser(user);
    assertNotAlreadyMember(user.id, await this.incidents.currentMember(incidentId, user.id));
    const repo = this.em.getRepository(TaskForceMemberEntity);
    const member = await repo.save(repo.create({ incidentId, userId: user.id, roleTitle, isChief, joinedOn, leftOn: null }));
    await this.record(actor, 'task_force.member_added', incidentId, null, { member: memberSnapshot(member) });
    return member;
  }
}
