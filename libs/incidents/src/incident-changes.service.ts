import { Inject, Injectable } from '@nestjs/common';
import { TransactionHost, Transactional } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { AuditTrailService } from '@app/audit-trail';
import { Clock, staleVersion, type Actor } from '@app/common';
import { updateIfVersion } from '@app/database';
import { UserEntity } from '@app/identity';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import {
  assertMayCreateIncident,
  assertMayDesignateChief,
  assertMayEditIncident,
  assertMayManageTaskForce,
  assertMayRecordEvent,
  type IncidentParties,
} from './domain/incident-access';
import { IncidentError, IncidentErrorCode } from './domain/incident.errors';
import {
  assertCalendarDay,
  assertDayNotAfter,
  INCIDENT_DATE_FIELDS,
  INCIDENT_LIMITS,
  INCIDENT_TIME_ZONE,
  optionalText,
  requiredText,
  sameName,
  todayIn,
} from './domain/incident-fields';
import {
  assertEligibleUser,
  assertMayBecomeChief,
  assertMayLeave,
  assertNotAlreadyMember,
  assertRoleChange,
  OPEN_COUNTERMEASURE_STATUSES,
} from './domain/task-force-rules';
import {
  INCIDENT_EVENT_KINDS,
  IncidentDataCategoryEntity,
  IncidentEntity,
  IncidentEventEntity,
  IncidentPartyEntity,
  IncidentSystemEntity,
  PARTY_KINDS,
  TaskForceMemberEntity,
  type IncidentEventKind,
  type PartyKind,
} from './incident.entities';
import { IncidentsService } from './incidents.service';

export interface IncidentDates {
  detectedOn?: string | null;
  policeReportedOn?: string | null;
  regulatorReportedOn?: string | null;
  disclosedOn?: string | null;
}

export interface JoinCommand {
  userId: string;
  roleTitle: string;
  /** Defaults to today (Asia/Tokyo); never in the future. */
  joinedOn?: string | null;
}

export interface CreateIncidentCommand extends IncidentDates {
  title: string;
  summary?: string | null;
  /** Seats the chief at creation (otherwise only an admin can add the first members). */
  chief?: (Omit<JoinCommand, 'roleTitle'> & { roleTitle?: string | null }) | null;
}

/**
 * `undefined` keeps a field. For the four dates `null` clears the date (a date
 * entered by mistake). `null` keeps the title and the summary; the title cannot
 * be blank, while an empty summary clears it (it is optional, as at creation).
 */
export interface UpdateIncidentCommand extends IncidentDates {
  title?: string | null;
  summary?: string | null;
}

export interface AddEventCommand {
  incidentId: string;
  occurredOn: string;
  kind: IncidentEventKind;
  description: string;
}

export interface AddSystemCommand {
  incidentId: string;
  name: string;
  description?: string | null;
  leakSource?: boolean | null;
  holdsCustomerData?: boolean | null;
}

export interface AddDataCategoryCommand {
  incidentId: string;
  name: string;
  leaked: boolean;
}

export interface AddPartyCommand {
  incidentId: string;
  kind: PartyKind;
  name: string;
  role?: string | null;
}

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
 *   (CONFLICT with the current version otherwise);
 * - every change to the task force and every addition takes `SELECT ... FOR
 *   UPDATE` on the incident row first (IncidentsService.lock), so they
 *   serialize and each sees the membership the previous one left; the changes
 *   that replace a value someone else may just have set (a member's role, the
 *   chief) also need the incident's `expectedVersion` and move it on;
 * - removing a member also locks the member row before counting their open
 *   countermeasures; IncidentsService.currentMemberIds (used by the
 *   countermeasures context to accept an owner) reads member rows FOR SHARE, so
 *   an owner assignment and a removal of that owner cannot both commit.
 */
@Injectable()
export class IncidentChangesService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(IncidentsService) private readonly incidents: IncidentsService,
    @Inject(AuditTrailService) private readonly trail: AuditTrailService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  private get em() {
    return this.txHost.tx;
  }

  today(): string {
    return todayIn(INCIDENT_TIME_ZONE, this.clock.now());
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
    await this.trail.append({ actor, action: 'incident.created', entityType: 'Incident', entityId: incident.id, after: incidentSnapshot(incident) });
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
      throw new IncidentError(IncidentErrorCode.INVALID_FIELD, 'Nothing to change: give at least one field with a new value', { field: null, value: null });
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

  // ---- timeline and inventory -------------------------------------------------------------

  @Transactional()
  async addEvent(actor: Actor, cmd: AddEventCommand): Promise<IncidentEventEntity> {
    await this.incidents.lock(cmd.incidentId);
    assertMayRecordEvent(actor, await this.partiesOf(cmd.incidentId, actor));
    const occurredOn = assertCalendarDay(cmd.occurredOn, 'occurredOn');
    const kind = oneOf(INCIDENT_EVENT_KINDS, cmd.kind, 'kind');
    const description = requiredText(cmd.description, 'description', INCIDENT_LIMITS.eventDescription);
    const repo = this.em.getRepository(IncidentEventEntity);
    const event = await repo.save(repo.create({ incidentId: cmd.incidentId, occurredOn, kind, description }));
    await this.record(actor, 'incident.event_added', cmd.incidentId, null, { event: { id: event.id, occurredOn, kind, description } });
    return event;
  }

  @Transactional()
  async addSystem(actor: Actor, cmd: AddSystemCommand): Promise<IncidentSystemEntity> {
    await this.incidents.lock(cmd.incidentId);
    assertMayEditIncident(actor, await this.partiesOf(cmd.incidentId, actor), 'add a system to the inventory');
    const name = requiredText(cmd.name, 'name', INCIDENT_LIMITS.systemName);
    const description = optionalText(cmd.description, 'description', INCIDENT_LIMITS.systemDescription);
    this.assertNotListed('systems', await this.incidents.systems([cmd.incidentId]), (s) => sameName(s.name, name), name);
    const repo = this.em.getRepository(IncidentSystemEntity);
    const system = await repo.save(
      repo.create({ incidentId: cmd.incidentId, name, description, leakSource: cmd.leakSource ?? false, holdsCustomerData: cmd.holdsCustomerData ?? true }),
    );
    await this.record(actor, 'incident.system_added', cmd.incidentId, null, {
      system: { id: system.id, name, description, leakSource: system.leakSource, holdsCustomerData: system.holdsCustomerData },
    });
    return system;
  }

  @Transactional()
  async addDataCategory(actor: Actor, cmd: AddDataCategoryCommand): Promise<IncidentDataCategoryEntity> {
    await this.incidents.lock(cmd.incidentId);
    assertMayEditIncident(actor, await this.partiesOf(cmd.incidentId, actor), 'add a data category');
    const name = requiredText(cmd.name, 'name', INCIDENT_LIMITS.dataCategoryName);
    if (typeof cmd.leaked !== 'boolean') {
      throw new IncidentError(IncidentErrorCode.INVALID_FIELD, 'leaked must be true (leaked) or false (confirmed not leaked)', { field: 'leaked', value: cmd.leaked });
    }
    this.assertNotListed('dataCategories', await this.incidents.dataCategories([cmd.incidentId]), (c) => sameName(c.name, name), name);
    const repo = this.em.getRepository(IncidentDataCategoryEntity);
    const category = await repo.save(repo.create({ incidentId: cmd.incidentId, name, leaked: cmd.leaked }));
    await this.record(actor, 'incident.data_category_added', cmd.incidentId, null, { dataCategory: { id: category.id, name, leaked: cmd.leaked } });
    return category;
  }

  @Transactional()
  async addParty(actor: Actor, cmd: AddPartyCommand): Promise<IncidentPartyEntity> {
    await this.incidents.lock(cmd.incidentId);
    assertMayEditIncident(actor, await this.partiesOf(cmd.incidentId, actor), 'add a party');
    const kind = oneOf(PARTY_KINDS, cmd.kind, 'kind');
    const name = requiredText(cmd.name, 'name', INCIDENT_LIMITS.partyName);
    const role = optionalText(cmd.role, 'role', INCIDENT_LIMITS.partyRole);
    this.assertNotListed('parties', await this.incidents.parties([cmd.incidentId]), (p) => p.kind === kind && sameName(p.name, name), name);
    const repo = this.em.getRepository(IncidentPartyEntity);
    const party = await repo.save(repo.create({ incidentId: cmd.incidentId, kind, name, role }));
    await this.record(actor, 'incident.party_added', cmd.incidentId, null, { party: { id: party.id, kind, name, role } });
    return party;
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
    assertMayLeave(member, day, await this.openCountermeasureSeqs(incident.id, member.userId));
    await this.em.getRepository(TaskForceMemberEntity).update({ id: member.id }, { leftOn: day });
    const updated = { ...member, leftOn: day };
    await this.record(actor, 'task_force.member_removed', incident.id, { member: memberSnapshot(member) }, { member: memberSnapshot(updated) });
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

  // ---- helpers --------------------------------------------------------------------------------

  /** Adds a membership; the caller has locked the incident and checked who may. */
  private async join(actor: Actor, incidentId: string, cmd: JoinCommand, isChief: boolean): Promise<TaskForceMemberEntity> {
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

  /** Locks the member's incident, then the member row (in that order, like every task-force change). */
  private async lockMember(memberId: string): Promise<{ incident: IncidentEntity; member: TaskForceMemberEntity }> {
    const repo = this.em.getRepository(TaskForceMemberEntity);
    const found = await repo.findOneBy({ id: memberId });
    if (!found) throw new IncidentError(IncidentErrorCode.MEMBER_NOT_FOUND, `Task-force member ${memberId} does not exist`, { id: memberId });
    const incident = await this.incidents.lock(found.incidentId);
    const member = await repo.createQueryBuilder('m').setLock('pessimistic_write').where('m.id = :memberId', { memberId }).getOne();
    return { incident, member: member! };
  }

  /** FOR SHARE: an admin cannot deactivate the user or take their role away while they are being seated. */
  private async lockUser(userId: string): Promise<UserEntity> {
    const user = await this.em.getRepository(UserEntity).createQueryBuilder('u').setLock('pessimistic_read').where('u.id = :userId', { userId }).getOne();
    if (!user) throw new IncidentError(IncidentErrorCode.USER_NOT_FOUND, `User ${userId} does not exist`, { id: userId });
    return user;
  }

  private async currentChief(incidentId: string): Promise<TaskForceMemberEntity | null> {
    const members = await this.incidents.taskForce([incidentId]);
    return members.find((m) => m.isChief && m.leftOn === null) ?? null;
  }

  private async partiesOf(incidentId: string, actor: Actor): Promise<IncidentParties> {
    const current = (await this.incidents.taskForce([incidentId])).filter((m) => m.leftOn === null);
    return {
      chiefId: current.find((m) => m.isChief)?.userId ?? null,
      actorIsMember: actor.id !== null && current.some((m) => m.userId === actor.id),
    };
  }

  /**
   * Seqs of the open countermeasures `userId` owns in the incident. Raw SQL on
   * the countermeasures table: libs/countermeasures depends on this lib, so it
   * cannot be imported here.
   */
  private async openCountermeasureSeqs(incidentId: string, userId: string): Promise<number[]> {
    const rows: { seq: number }[] = await this.em.query(
      'SELECT seq FROM countermeasures WHERE incident_id = $1 AND owner_id = $2 AND status = ANY($3::text[]) ORDER BY seq',
      [incidentId, userId, [...OPEN_COUNTERMEASURE_STATUSES]],
    );
    return rows.map((r) => Number(r.seq));
  }

  private async bumpVersion(incident: IncidentEntity, expectedVersion: number, set: QueryDeepPartialEntity<IncidentEntity>): Promise<void> {
    if (!(await updateIfVersion(this.em, IncidentEntity, incident.id, expectedVersion, set))) {
      const current = await this.incidents.getById(incident.id);
      throw staleVersion('Incident', incident.id, expectedVersion, current.version);
    }
  }

  private assertNotListed<T extends { id: string }>(list: string, rows: readonly T[], same: (row: T) => boolean, name: string): void {
    const existing = rows.find(same);
    if (existing) {
      throw new IncidentError(IncidentErrorCode.ALREADY_LISTED, `${name} is already listed for this incident`, { list, name, id: existing.id });
    }
  }

  /** A trail entry on the incident (the aggregate): `before` is null for an addition. */
  private record(actor: Actor, action: string, incidentId: string, before: object | null, after: object) {
    return this.trail.append({ actor, action, entityType: 'Incident', entityId: incidentId, before, after });
  }
}

function oneOf<T extends string>(allowed: readonly T[], value: string, field: string): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new IncidentError(IncidentErrorCode.INVALID_FIELD, `${field} must be one of ${allowed.join(', ')}`, { field, value });
  }
  return value as T;
}

/** What the audit trail keeps of an incident. */
export function incidentSnapshot(i: IncidentEntity) {
  return {
    title: i.title,
    summary: i.summary,
    detectedOn: i.detectedOn,
    policeReportedOn: i.policeReportedOn,
    regulatorReportedOn: i.regulatorReportedOn,
    disclosedOn: i.disclosedOn,
    version: i.version,
  };
}

/** What the audit trail keeps of a membership. */
export function memberSnapshot(m: Pick<TaskForceMemberEntity, 'id' | 'userId' | 'roleTitle' | 'isChief' | 'joinedOn' | 'leftOn'>) {
  return { memberId: m.id, userId: m.userId, roleTitle: m.roleTitle, isChief: m.isChief, joinedOn: m.joinedOn, leftOn: m.leftOn };
}
