import { Inject, Injectable } from '@nestjs/common';
import { TransactionHost, Transactional } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { AuditTrailService } from '@app/audit-trail';
import { Clock, isSystem, staleVersion, type Actor } from '@app/common';
import { updateIfVersion } from '@app/database';
import { UsersService, type UserEntity } from '@app/identity';
import type { FindOptionsWhere } from 'typeorm';
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
import { assertEntryOf, assertNotRemoved, assertSystemUnused, changedFields, type IncidentEntryList } from './domain/incident-entries';
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
} from './domain/task-force-rules';
import { INCIDENT_COUNTERMEASURE_USAGE, type IncidentCountermeasureUsage } from './countermeasure-usage.port';
import {
  INCIDENT_EVENT_KINDS,
  IncidentDataCategoryEntity,
  IncidentEntity,
  IncidentEventEntity,
  IncidentPartyEntity,
  IncidentSystemEntity,
  PARTY_KINDS,
  TaskForceMemberEntity,
  type RemovableEntry,
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

/**
 * Names one entry of the timeline or inventory to correct or remove: the entry,
 * the incident it belongs to with the incident's version the caller saw, and why.
 */
export interface EntryChange {
  incidentId: string;
  /** The entry's id (event, system, data category or party). */
  id: string;
  /** The incident's version; the change moves it on. */
  expectedVersion: number;
  reason: string;
}

// Corrections: `undefined` or `null` keeps a field; an empty description or role clears it.
export interface UpdateEventCommand extends EntryChange {
  occurredOn?: string | null;
  kind?: IncidentEventKind | null;
  description?: string | null;
}

export interface UpdateSystemCommand extends EntryChange {
  name?: string | null;
  description?: string | null;
  leakSource?: boolean | null;
  holdsCustomerData?: boolean | null;
}

export interface UpdateDataCategoryCommand extends EntryChange {
  name?: string | null;
  leaked?: boolean | null;
}

export interface UpdatePartyCommand extends EntryChange {
  kind?: PartyKind | null;
  name?: string | null;
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
 */
@Injectable()
export class IncidentChangesService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(IncidentsService) private readonly incidents: IncidentsService,
    @Inject(AuditTrailService) private readonly trail: AuditTrailService,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(INCIDENT_COUNTERMEASURE_USAGE) private readonly countermeasures: IncidentCountermeasureUsage,
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

  // ---- corrections and removals of timeline and inventory entries ----------------------------
  //
  // Each: lock the incident, then the entry (FOR UPDATE); the entry must be of that incident and
  // not removed; the same people who may add such an entry may correct or remove it; a reason is
  // required; the incident's version moves on (CONFLICT when stale); one trail entry keeps the
  // entry before and after, the reason and the new incident version. Nothing is deleted.

  @Transactional()
  async updateEvent(actor: Actor, cmd: UpdateEventCommand): Promise<IncidentEventEntity> {
    const { incident, entry, reason } = await this.openEntry(actor, IncidentEventEntity, 'timeline', cmd, 'correct the timeline');
    const changed = changedFields(eventSnapshot(entry), {
      occurredOn: cmd.occurredOn == null ? undefined : assertCalendarDay(cmd.occurredOn, 'occurredOn'),
      kind: cmd.kind == null ? undefined : oneOf(INCIDENT_EVENT_KINDS, cmd.kind, 'kind'),
      description: cmd.description == null ? undefined : requiredText(cmd.description, 'description', INCIDENT_LIMITS.eventDescription),
    });
    const updated = await this.saveCorrection(IncidentEventEntity, incident, entry, cmd.expectedVersion, changed);
    await this.recordCorrection(actor, 'incident.event_updated', incident.id, 'event', eventSnapshot(entry), eventSnapshot(updated), reason, cmd.expectedVersion);
    return updated;
  }

  @Transactional()
  async updateSystem(actor: Actor, cmd: UpdateSystemCommand): Promise<IncidentSystemEntity> {
    const { incident, entry, reason } = await this.openEntry(actor, IncidentSystemEntity, 'systems', cmd, 'correct a system of the inventory');
    const changed = changedFields(systemSnapshot(entry), {
      name: cmd.name == null ? undefined : requiredText(cmd.name, 'name', INCIDENT_LIMITS.systemName),
      description: cmd.description == null ? undefined : optionalText(cmd.description, 'description', INCIDENT_LIMITS.systemDescription),
      leakSource: cmd.leakSource ?? undefined,
      holdsCustomerData: cmd.holdsCustomerData ?? undefined,
    });
    if (changed.name !== undefined) {
      const others = (await this.incidents.systems([incident.id])).filter((s) => s.id !== entry.id);
      this.assertNotListed('systems', others, (s) => sameName(s.name, changed.name!), changed.name);
    }
    const updated = await this.saveCorrection(IncidentSystemEntity, incident, entry, cmd.expectedVersion, changed);
    await this.recordCorrection(actor, 'incident.system_updated', incident.id, 'system', systemSnapshot(entry), systemSnapshot(updated), reason, cmd.expectedVersion);
    return updated;
  }

  @Transactional()
  async updateDataCategory(actor: Actor, cmd: UpdateDataCategoryCommand): Promise<IncidentDataCategoryEntity> {
    const { incident, entry, reason } = await this.openEntry(actor, IncidentDataCategoryEntity, 'dataCategories', cmd, 'correct a data category');
    if (cmd.leaked != null && typeof cmd.leaked !== 'boolean') {
      throw new IncidentError(IncidentErrorCode.INVALID_FIELD, 'leaked must be true (leaked) or false (confirmed not leaked)', { field: 'leaked', value: cmd.leaked });
    }
    const changed = changedFields(dataCategorySnapshot(entry), {
      name: cmd.name == null ? undefined : requiredText(cmd.name, 'name', INCIDENT_LIMITS.dataCategoryName),
      leaked: cmd.leaked ?? undefined,
    });
    if (changed.name !== undefined) {
      const others = (await this.incidents.dataCategories([incident.id])).filter((c) => c.id !== entry.id);
      this.assertNotListed('dataCategories', others, (c) => sameName(c.name, changed.name!), changed.name);
    }
    const updated = await this.saveCorrection(IncidentDataCategoryEntity, incident, entry, cmd.expectedVersion, changed);
    await this.recordCorrection(
      actor,
      'incident.data_category_updated',
      incident.id,
      'dataCategory',
      dataCategorySnapshot(entry),
      dataCategorySnapshot(updated),
      reason,
      cmd.expectedVersion,
    );
    return updated;
  }

  @Transactional()
  async updateParty(actor: Actor, cmd: UpdatePartyCommand): Promise<IncidentPartyEntity> {
    const { incident, entry, reason } = await this.openEntry(actor, IncidentPartyEntity, 'parties', cmd, 'correct a party');
    const changed = changedFields(partySnapshot(entry), {
      kind: cmd.kind == null ? undefined : oneOf(PARTY_KINDS, cmd.kind, 'kind'),
      name: cmd.name == null ? undefined : requiredText(cmd.name, 'name', INCIDENT_LIMITS.partyName),
      role: cmd.role == null ? undefined : optionalText(cmd.role, 'role', INCIDENT_LIMITS.partyRole),
    });
    if (changed.kind !== undefined || changed.name !== undefined) {
      const kind = changed.kind ?? entry.kind;
      const name = changed.name ?? entry.name;
      const others = (await this.incidents.parties([incident.id])).filter((p) => p.id !== entry.id);
      this.assertNotListed('parties', others, (p) => p.kind === kind && sameName(p.name, name), name);
    }
    const updated = await this.saveCorrection(IncidentPartyEntity, incident, entry, cmd.expectedVersion, changed);
    await this.recordCorrection(actor, 'incident.party_updated', incident.id, 'party', partySnapshot(entry), partySnapshot(updated), reason, cmd.expectedVersion);
    return updated;
  }

  @Transactional()
  async removeEvent(actor: Actor, cmd: EntryChange): Promise<IncidentEventEntity> {
    const { incident, entry, reason } = await this.openEntry(actor, IncidentEventEntity, 'timeline', cmd, 'remove an event from the timeline');
    return this.softRemove(actor, IncidentEventEntity, 'incident.event_removed', 'event', eventSnapshot, incident, entry, cmd.expectedVersion, reason);
  }

  /**
   * Refused while countermeasures target the system (SYSTEM_IN_USE, with their keys; any target,
   * whatever the countermeasure's status: its progress counts that system). Why refuse at all when
   * the removal is soft and the foreign key would still hold: a countermeasure's progress ("4 of 4
   * customer databases") must not count a system the incident no longer lists, so the planner
   * takes it out of the targets first, which is a recorded decision of its own.
   *
   * The system row is locked FOR UPDATE (openEntry) before the targets are counted: a target
   * inserted at the same moment holds FOR KEY SHARE on it through its foreign key, so the removal
   * waits for it and then counts it. The other order (a target added to a system already removed)
   * is for libs/countermeasures to refuse when it picks the systems of a target list.
   */
  @Transactional()
  async removeSystem(actor: Actor, cmd: EntryChange): Promise<IncidentSystemEntity> {
    const { incident, entry, reason } = await this.openEntry(actor, IncidentSystemEntity, 'systems', cmd, 'remove a system from the inventory');
    assertSystemUnused(entry.id, await this.countermeasures.targetingSystem(entry.id));
    return this.softRemove(actor, IncidentSystemEntity, 'incident.system_removed', 'system', systemSnapshot, incident, entry, cmd.expectedVersion, reason);
  }

  @Transactional()
  async removeDataCategory(actor: Actor, cmd: EntryChange): Promise<IncidentDataCategoryEntity> {
    const { incident, entry, reason } = await this.openEntry(actor, IncidentDataCategoryEntity, 'dataCategories', cmd, 'remove a data category');
    return this.softRemove(actor, IncidentDataCategoryEntity, 'incident.data_category_removed', 'dataCategory', dataCategorySnapshot, incident, entry, cmd.expectedVersion, reason);
  }

  @Transactional()
  async removeParty(actor: Actor, cmd: EntryChange): Promise<IncidentPartyEntity> {
    const { incident, entry, reason } = await this.openEntry(actor, IncidentPartyEntity, 'parties', cmd, 'remove a party');
    return this.softRemove(actor, IncidentPartyEntity, 'incident.party_removed', 'party', partySnapshot, incident, entry, cmd.expectedVersion, reason);
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

  /**
   * The common start of a correction or removal: locks the incident, then the entry; checks that
   * the entry is the incident's, that the actor may change that list (the same people who may add
   * to it: domain/incident-access), that it was not removed, and that a reason is given.
   */
  private async openEntry<E extends Entry>(
    actor: Actor,
    entity: new () => E,
    list: IncidentEntryList,
    cmd: EntryChange,
    what: string,
  ): Promise<{ incident: IncidentEntity; entry: E; reason: string }> {
    const incident = await this.incidents.lock(cmd.incidentId);
    const found = await this.em.getRepository(entity).createQueryBuilder('x').setLock('pessimistic_write').where('x.id = :id', { id: cmd.id }).getOne();
    const entry = assertEntryOf(list, cmd.id, incident.id, found);
    const parties = await this.partiesOf(incident.id, actor);
    if (list === 'timeline') assertMayRecordEvent(actor, parties, what);
    else assertMayEditIncident(actor, parties, what);
    assertNotRemoved(list, entry);
    const reason = requiredText(cmd.reason ?? '', 'reason', INCIDENT_LIMITS.reason);
    return { incident, entry, reason };
  }

  /** Moves the incident's version on (CONFLICT when stale), then writes the changed fields. */
  private async saveCorrection<E extends Entry>(entity: new () => E, incident: IncidentEntity, entry: E, expectedVersion: number, changed: object): Promise<E> {
    await this.bumpVersion(incident, expectedVersion, {});
    const repo = this.em.getRepository(entity);
    await repo.update(entry.id, changed as QueryDeepPartialEntity<E>);
    return (await repo.findOneBy({ id: entry.id } as FindOptionsWhere<E>))!;
  }

  private async softRemove<E extends Entry, S extends object>(
    actor: Actor,
    entity: new () => E,
    action: string,
    key: string,
    snapshot: (e: E) => S,
    incident: IncidentEntity,
    entry: E,
    expectedVersion: number,
    reason: string,
  ): Promise<E> {
    await this.bumpVersion(incident, expectedVersion, {});
    const removal: Pick<RemovableEntry, 'removedAt' | 'removedByLabel' | 'removalReason'> = {
      removedAt: this.clock.now(),
      removedByLabel: actor.label,
      removalReason: reason,
    };
    const repo = this.em.getRepository(entity);
    await repo.update(entry.id, removal as unknown as QueryDeepPartialEntity<E>);
    const removed = (await repo.findOneBy({ id: entry.id } as FindOptionsWhere<E>))!;
    await this.record(
      actor,
      action,
      incident.id,
      { [key]: snapshot(entry) },
      {
        [key]: { ...snapshot(removed), removedAt: removed.removedAt!.toISOString(), removedByLabel: removed.removedByLabel, removalReason: removed.removalReason },
        reason,
        incidentVersion: expectedVersion + 1,
      },
    );
    return removed;
  }

  private recordCorrection(actor: Actor, action: string, incidentId: string, key: string, before: object, after: object, reason: string, expectedVersion: number) {
    return this.record(actor, action, incidentId, { [key]: before }, { [key]: after, reason, incidentVersion: expectedVersion + 1 });
  }

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
    const user = await this.users.lockForShare(userId);
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
      actorIsMember: !isSystem(actor) && current.some((m) => m.userId === actor.id),
    };
  }

  private async bumpVersion(incident: IncidentEntity, expectedVersion: number, set: QueryDeepPartialEntity<IncidentEntity>): Promise<void> {
    if (!(await updateIfVersion(this.em, IncidentEntity, incident.id, expectedVersion, set, this.clock.now()))) {
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

/** An entry of the timeline or inventory. */
type Entry = RemovableEntry & { id: string; incidentId: string };

// What the audit trail keeps of each kind of entry (the same shapes as their `..._added` entries).
function eventSnapshot(e: IncidentEventEntity) {
  return { id: e.id, occurredOn: e.occurredOn, kind: e.kind, description: e.description };
}
function systemSnapshot(s: IncidentSystemEntity) {
  return { id: s.id, name: s.name, description: s.description, leakSource: s.leakSource, holdsCustomerData: s.holdsCustomerData };
}
function dataCategorySnapshot(c: IncidentDataCategoryEntity) {
  return { id: c.id, name: c.name, leaked: c.leaked };
}
function partySnapshot(p: IncidentPartyEntity) {
  return { id: p.id, kind: p.kind, name: p.name, role: p.role };
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
