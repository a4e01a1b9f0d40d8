import { Transactional } from '@nestjs-cls/transactional';
import { type Actor } from '@app/common';
import { assertMayEditIncident, assertMayRecordEvent } from './domain/incident-access';
import { IncidentError, IncidentErrorCode } from './domain/incident.errors';
import { assertSystemUnused, changedFields } from './domain/incident-entries';
import { assertCalendarDay, INCIDENT_LIMITS, optionalText, requiredText, sameName } from './domain/incident-fields';
import {
  INCIDENT_EVENT_KINDS,
  IncidentDataCategoryEntity,
  IncidentEventEntity,
  IncidentPartyEntity,
  IncidentSystemEntity,
  PARTY_KINDS,
} from './incident.entities';

import type {
  AddDataCategoryCommand,
  AddEventCommand,
  AddPartyCommand,
  AddSystemCommand,
  EntryChange,
  UpdateDataCategoryCommand,
  UpdateEventCommand,
  UpdatePartyCommand,
  UpdateSystemCommand,
} from './incident-change.commands';
import { IncidentChangeBase } from './incident-change-base';
import { dataCategorySnapshot, eventSnapshot, oneOf, partySnapshot, systemSnapshot } from './domain/incident-snapshots';

/**
 * The timeline and the inventory of an incident (events, systems, data
 * categories, parties): additions, corrections and removals. Part of
 * IncidentChangesService (which extends this).
 */
export abstract class IncidentEntryChanges extends IncidentChangeBase {
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
      repo.create({
        incidentId: cmd.incidentId,
        name,
        description,
        leakSource: cmd.leakSource ?? false,
        holdsCustomerData: cmd.holdsCustomerData ?? true,
      }),
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
      throw new IncidentError(IncidentErrorCode.INVALID_FIELD, 'leaked must be true (leaked) or false (confirmed not leaked)', {
        field: 'leaked',
        value: cmd.leaked,
      });
    }
    this.assertNotListed('dataCategories', await this.incidents.dataCategories([cmd.incidentId]), (c) => sameName(c.name, name), name);
    const repo = this.em.getRepository(IncidentDataCategoryEntity);
    const category = await repo.save(repo.create({ incidentId: cmd.incidentId, name, leaked: cmd.leaked }));
    await this.record(actor, 'incident.data_category_added', cmd.incidentId, null, {
      dataCategory: { id: category.id, name, leaked: cmd.leaked },
    });
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
    await this.recordCorrection(
      actor,
      'incident.event_updated',
      incident.id,
      'event',
      eventSnapshot(entry),
      eventSnapshot(updated),
      reason,
      cmd.expectedVersion,
    );
    return updated;
  }

  @Transactional()
  async updateSystem(actor: Actor, cmd: UpdateSystemCommand): Promise<IncidentSystemEntity> {
    const { incident, entry, reason } = await this.openEntry(
      actor,
      IncidentSystemEntity,
      'systems',
      cmd,
      'correct a system of the inventory',
    );
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
    await this.recordCorrection(
      actor,
      'incident.system_updated',
      incident.id,
      'system',
      systemSnapshot(entry),
      systemSnapshot(updated),
      reason,
      cmd.expectedVersion,
    );
    return updated;
  }

  @Transactional()
  async updateDataCategory(actor: Actor, cmd: UpdateDataCategoryCommand): Promise<IncidentDataCategoryEntity> {
    const { incident, entry, reason } = await this.openEntry(
      actor,
      IncidentDataCategoryEntity,
      'dataCategories',
      cmd,
      'correct a data category',
    );
    if (cmd.leaked != null && typeof cmd.leaked !== 'boolean') {
      throw new IncidentError(IncidentErrorCode.INVALID_FIELD, 'leaked must be true (leaked) or false (confirmed not leaked)', {
        field: 'leaked',
        value: cmd.leaked,
      });
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
    await this.recordCorrection(
      actor,
      'incident.party_updated',
      incident.id,
      'party',
      partySnapshot(entry),
      partySnapshot(updated),
      reason,
      cmd.expectedVersion,
    );
    return updated;
  }

  @Transactional()
  async removeEvent(actor: Actor, cmd: EntryChange): Promise<IncidentEventEntity> {
    const { incident, entry, reason } = await this.openEntry(
      actor,
      IncidentEventEntity,
      'timeline',
      cmd,
      'remove an event from the timeline',
    );
    return this.softRemove(
      actor,
      IncidentEventEntity,
      'incident.event_removed',
      'event',
      eventSnapshot,
      incident,
      entry,
      cmd.expectedVersion,
      reason,
    );
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
    const { incident, entry, reason } = await this.openEntry(
      actor,
      IncidentSystemEntity,
      'systems',
      cmd,
      'remove a system from the inventory',
    );
    assertSystemUnused(entry.id, await this.countermeasures.targetingSystem(entry.id));
    return this.softRemove(
      actor,
      IncidentSystemEntity,
      'incident.system_removed',
      'system',
      systemSnapshot,
      incident,
      entry,
      cmd.expectedVersion,
      reason,
    );
  }

  @Transactional()
  async removeDataCategory(actor: Actor, cmd: EntryChange): Promise<IncidentDataCategoryEntity> {
    const { incident, entry, reason } = await this.openEntry(
      actor,
      IncidentDataCategoryEntity,
      'dataCategories',
      cmd,
      'remove a data category',
    );
    return this.softRemove(
      actor,
      IncidentDataCategoryEntity,
      'incident.data_category_removed',
      'dataCategory',
      dataCategorySnapshot,
      incident,
      entry,
      cmd.expectedVersion,
      reason,
    );
  }

  @Transactional()
  async removeParty(actor: Actor, cmd: EntryChange): Promise<IncidentPartyEntity> {
    const { incident, entry, reason } = await this.openEntry(actor, IncidentPartyEntity, 'parties', cmd, 'remove a party');
    return this.softRemove(
      actor,
      IncidentPartyEntity,
      'incident.party_removed',
      'party',
      partySnapshot,
      incident,
      entry,
      cmd.expectedVersion,
      reason,
    );
  }
}
