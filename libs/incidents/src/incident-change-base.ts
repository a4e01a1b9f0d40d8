import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { AuditTrailService } from '@app/audit-trail';
import { Clock, isSystem, staleVersion, type Actor } from '@app/common';
import { updateIfVersion } from '@app/database';
import { UsersService, type UserEntity } from '@app/identity';
import type { FindOptionsWhere } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { assertMayEditIncident, assertMayRecordEvent, type IncidentParties } from './domain/incident-access';
import { IncidentError, IncidentErrorCode } from './domain/incident.errors';
import { assertEntryOf, assertNotRemoved, type IncidentEntryList } from './domain/incident-entries';
import { INCIDENT_LIMITS, INCIDENT_TIME_ZONE, requiredText, todayIn } from './domain/incident-fields';
import { type IncidentCountermeasureUsage } from './countermeasure-usage.port';
import { IncidentEntity, TaskForceMemberEntity, type RemovableEntry } from './incident.entities';
import { IncidentsService } from './incidents.service';

import type { EntryChange, JoinCommand } from './incident-change.commands';
import { type Entry } from './domain/incident-snapshots';

/**
 * What every change of IncidentChangesService shares (it extends this, through
 * IncidentEntryChanges): the transaction's manager, opening an entry under the
 * incident's lock, the versioned write, soft removal, the trail entry, and who
 * the incident's parties are.
 */
export abstract class IncidentChangeBase {
  constructor(
    protected readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    protected readonly incidents: IncidentsService,
    protected readonly trail: AuditTrailService,
    protected readonly clock: Clock,
    protected readonly users: UsersService,
    protected readonly countermeasures: IncidentCountermeasureUsage,
  ) {}

  protected get em() {
    return this.txHost.tx;
  }

  today(): string {
    return todayIn(INCIDENT_TIME_ZONE, this.clock.now());
  }

  // ---- helpers --------------------------------------------------------------------------------

  /**
   * The common start of a correction or removal: locks the incident, then the entry; checks that
   * the entry is the incident's, that the actor may change that list (the same people who may add
   * to it: domain/incident-access), that it was not removed, and that a reason is given.
   */
  protected async openEntry<E extends Entry>(
    actor: Actor,
    entity: new () => E,
    list: IncidentEntryList,
    cmd: EntryChange,
    what: string,
  ): Promise<{ incident: IncidentEntity; entry: E; reason: string }> {
    const incident = await this.incidents.lock(cmd.incidentId);
    const found = await this.em
      .getRepository(entity)
      .createQueryBuilder('x')
      .setLock('pessimistic_write')
      .where('x.id = :id', { id: cmd.id })
      .getOne();
    const entry = assertEntryOf(list, cmd.id, incident.id, found);
    const parties = await this.partiesOf(incident.id, actor);
    if (list === 'timeline') assertMayRecordEvent(actor, parties, what);
    else assertMayEditIncident(actor, parties, what);
    assertNotRemoved(list, entry);
    const reason = requiredText(cmd.reason ?? '', 'reason', INCIDENT_LIMITS.reason);
    return { incident, entry, reason };
  }

  /** Moves the incident's version on (CONFLICT when stale), then writes the changed fields. */
  protected async saveCorrection<E extends Entry>(
    entity: new () => E,
    incident: IncidentEntity,
    entry: E,
    expectedVersion: number,
    changed: object,
  ): Promise<E> {
    await this.bumpVersion(incident, expectedVersion, {});
    const repo = this.em.getRepository(entity);
    await repo.update(entry.id, changed as QueryDeepPartialEntity<E>);
    return (await repo.findOneBy({ id: entry.id } as FindOptionsWhere<E>))!;
  }

  protected async softRemove<E extends Entry, S extends object>(
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
        [key]: {
          ...snapshot(removed),
          removedAt: removed.removedAt!.toISOString(),
          removedByLabel: removed.removedByLabel,
          removalReason: removed.removalReason,
        },
        reason,
        incidentVersion: expectedVersion + 1,
      },
    );
    return removed;
  }

  protected recordCorrection(
    actor: Actor,
    action: string,
    incidentId: string,
    key: string,
    before: object,
    after: object,
    reason: string,
    expectedVersion: number,
  ) {
    return this.record(actor, action, incidentId, { [key]: before }, { [key]: after, reason, incidentVersion: expectedVersion + 1 });
  }

  /** Locks the member's incident, then the member row (in that order, like every task-force change). */
  protected async lockMember(memberId: string): Promise<{ incident: IncidentEntity; member: TaskForceMemberEntity }> {
    const repo = this.em.getRepository(TaskForceMemberEntity);
    const found = await repo.findOneBy({ id: memberId });
    if (!found)
      throw new IncidentError(IncidentErrorCode.MEMBER_NOT_FOUND, `Task-force member ${memberId} does not exist`, { id: memberId });
    const incident = await this.incidents.lock(found.incidentId);
    const member = await repo.createQueryBuilder('m').setLock('pessimistic_write').where('m.id = :memberId', { memberId }).getOne();
    return { incident, member: member! };
  }

  /** FOR SHARE: an admin cannot deactivate the user or take their role away while they are being seated. */
  protected async lockUser(userId: string): Promise<UserEntity> {
    const user = await this.users.lockForShare(userId);
    if (!user) throw new IncidentError(IncidentErrorCode.USER_NOT_FOUND, `User ${userId} does not exist`, { id: userId });
    return user;
  }

  protected async currentChief(incidentId: string): Promise<TaskForceMemberEntity | null> {
    const members = await this.incidents.taskForce([incidentId]);
    return members.find((m) => m.isChief && m.leftOn === null) ?? null;
  }

  protected async partiesOf(incidentId: string, actor: Actor): Promise<IncidentParties> {
    const current = (await this.incidents.taskForce([incidentId])).filter((m) => m.leftOn === null);
    return {
      chiefId: current.find((m) => m.isChief)?.userId ?? null,
      actorIsMember: !isSystem(actor) && current.some((m) => m.userId === actor.id),
    };
  }

  protected async bumpVersion(
    incident: IncidentEntity,
    expectedVersion: number,
    set: QueryDeepPartialEntity<IncidentEntity>,
  ): Promise<void> {
    if (!(await updateIfVersion(this.em, IncidentEntity, incident.id, expectedVersion, set, this.clock.now()))) {
      const current = await this.incidents.getById(incident.id);
      throw staleVersion('Incident', incident.id, expectedVersion, current.version);
    }
  }

  protected assertNotListed<T extends { id: string }>(list: string, rows: readonly T[], same: (row: T) => boolean, name: string): void {
    const existing = rows.find(same);
    if (existing) {
      throw new IncidentError(IncidentErrorCode.ALREADY_LISTED, `${name} is already listed for this incident`, {
        list,
        name,
        id: existing.id,
      });
    }
  }

  /** A trail entry on the incident (the aggregate): `before` is null for an addition. */
  protected record(actor: Actor, action: string, incidentId: string, before: object | null, after: object) {
    return this.trail.append({ actor, action, entityType: 'Incident', entityId: incidentId, before, after });
  }
  /** Adds a membership; the caller has locked the incident and checked who may. */
  protected abstract join(actor: Actor, incidentId: string, cmd: JoinCommand, isChief: boolean): Promise<TaskForceMemberEntity>;
}
