import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import type { DataSource } from 'typeorm';
import { decodeTimeIdCursor, pageSize, type Page, type PageRequest, pageOf } from '@app/common';
import { TransactionMemo } from '@app/database';
import { IncidentError, IncidentErrorCode } from './domain/incident.errors';
import {
  IncidentDataCategoryEntity,
  IncidentEntity,
  IncidentEventEntity,
  IncidentPartyEntity,
  IncidentSystemEntity,
  TaskForceMemberEntity,
} from './incident.entities';

export interface ListOptions {
  /** Also the entries removed from the timeline or inventory (default: only the current ones). */
  includeRemoved?: boolean;
}

/** An incident's title and who answers for its PPC reports now (IncidentsService.dutyHolders). */
export interface IncidentDutyHolders {
  incidentId: string;
  title: string;
  chiefId: string | null;
  legalLeadIds: string[];
}

/** Reading incidents, their inventory and their task force. Batch readers take many incident ids at once. */
@Injectable()
export class IncidentsService {
  /**
   * The incidents whose lock the open transaction holds (taken by `lock` or
   * `lockIncidentOf`): a row lock lasts to the transaction's end, so `holdLock`
   * needs no statement for them. Forgotten whenever a transaction or a
   * savepoint starts or ends (TransactionMemo, as the trail's chain head).
   */
  private readonly locked: TransactionMemo<Set<string>>;

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @InjectDataSource() dataSource: DataSource,
  ) {
    this.locked = new TransactionMemo(dataSource);
  }

  private get em() {
    return this.txHost.tx;
  }

  async getById(id: string): Promise<IncidentEntity> {
    const incident = await this.em.getRepository(IncidentEntity).findOneBy({ id });
    if (!incident) throw new IncidentError(IncidentErrorCode.INCIDENT_NOT_FOUND, `Incident ${id} does not exist`, { id });
    return incident;
  }

  /** Newest first (by creation), keyset-paginated. */
  async list(page: PageRequest): Promise<Page<IncidentEntity>> {
    const size = pageSize(page.first);
    const qb = this.em.getRepository(IncidentEntity).createQueryBuilder('i');
    const totalCount = await qb.clone().getCount();
    // created_at has microseconds, a JS Date (the cursor) only milliseconds: sort and compare on
    // the millisecond, with the id breaking ties, so that no row is skipped or repeated.
    const createdMs = `date_trunc('milliseconds', i.created_at)`;
    if (page.after) {
      const { at, id } = decodeTimeIdCursor(page.after);
      qb.andWhere(`(${createdMs}, i.id) < (:at, :id)`, { at, id });
    }
    const rows = await qb
      .orderBy(createdMs, 'DESC')
      .addOrderBy('i.id', 'DESC')
      .limit(size + 1)
      .getMany();
    return pageOf(rows, size, totalCount, (i) => [i.createdAt.toISOString(), i.id]);
  }

  private byIncident<T extends { incidentId: string }>(
    entity: new () => T,
    ids: readonly string[],
    order: Record<string, 'ASC' | 'DESC'>,
    hideRemoved = false,
  ) {
    const qb = this.em
      .getRepository(entity)
      .createQueryBuilder('x')
      .where('x.incidentId = ANY(:ids)', { ids: [...ids] });
    if (hideRemoved) qb.andWhere('x.removedAt IS NULL');
    return qb.orderBy(Object.fromEntries(Object.entries(order).map(([k, v]) => [`x.${k}`, v]))).getMany();
  }

  // The timeline and the inventory: removed entries (kept as history) only when asked for.
  events(ids: readonly string[], opts: ListOptions = {}) {
    return this.byIncident(IncidentEventEntity, ids, { occurredOn: 'ASC', id: 'ASC' }, opts.includeRemoved !== true);
  }
  systems(ids: readonly string[], opts: ListOptions = {}) {
    return this.byIncident(IncidentSystemEntity, ids, { name: 'ASC', id: 'ASC' }, opts.includeRemoved !== true);
  }
  dataCategories(ids: readonly string[], opts: ListOptions = {}) {
    return this.byIncident(IncidentDataCategoryEntity, ids, { leaked: 'DESC', name: 'ASC', id: 'ASC' }, opts.includeRemoved !== true);
  }
  parties(ids: readonly string[], opts: ListOptions = {}) {
    return this.byIncident(IncidentPartyEntity, ids, { kind: 'ASC', name: 'ASC', id: 'ASC' }, opts.includeRemoved !== true);
  }
  /** Current and past members; the chief first, then by joining date. */
  taskForce(ids: readonly string[]) {
    return this.byIncident(TaskForceMemberEntity, ids, { isChief: 'DESC', joinedOn: 'ASC', id: 'ASC' });
  }

  /** The user id of the incident's current task-force chief, or null: what every context's "the chief may" rule asks. */
  async chiefOf(incidentId: string): Promise<string | null> {
    const members = await this.taskForce([incidentId]);
    return members.find((m) => m.isChief && m.leftOn === null)?.userId ?? null;
  }

  /**
   * What a user is on an incident's task force, for other contexts' record-level rules (the duties: the chief and the
   * legal lead prepare the PPC reports). Not a member: both false.
   */
  async standingOf(incidentId: string, userId: string): Promise<{ member: boolean; chief: boolean; legalLead: boolean }> {
    const m = await this.currentMember(incidentId, userId);
    return { member: m !== null, chief: m?.isChief ?? false, legalLead: m?.legalLead ?? false };
  }

  /**
   * Per incident, in one statement: its title, its current chief and its current legal leads (user ids, by joining
   * date) — who is reminded of the incident's PPC report deadlines (libs/duties, over every incident at once).
   */
  async dutyHolders(ids: readonly string[]): Promise<IncidentDutyHolders[]> {
    if (ids.length === 0) return [];
    return this.em.query<IncidentDutyHolders[]>(
      `SELECT i.id AS "incidentId", i.title,
              (SELECT m.user_id::text FROM task_force_members m
                WHERE m.incident_id = i.id AND m.is_chief AND m.left_on IS NULL LIMIT 1) AS "chiefId",
              COALESCE((SELECT array_agg(m.user_id::text ORDER BY m.joined_on, m.id) FROM task_force_members m
                WHERE m.incident_id = i.id AND m.legal_lead AND m.left_on IS NULL), '{}'::text[]) AS "legalLeadIds"
       FROM incidents i WHERE i.id = ANY($1::uuid[]) ORDER BY i.id`,
      [[...ids]],
    );
  }

  async currentMember(incidentId: string, userId: string): Promise<TaskForceMemberEntity | null> {
    return this.em
      .getRepository(TaskForceMemberEntity)
      .createQueryBuilder('m')
      .where('m.incidentId = :incidentId AND m.userId = :userId AND m.leftOn IS NULL', { incidentId, userId })
      .getOne();
  }

  /**
   * Current members among `userIds` (for validating owners and contributors).
   * Inside a transaction the membership rows are read FOR SHARE and stay locked
   * until it commits: a concurrent removal of that member (which locks the row
   * FOR UPDATE before counting what they own) waits and then sees the new owner,
   * or, if it went first, this read no longer finds them. So "only current members
   * own countermeasures" holds even when both happen at once.
   */
  async currentMemberIds(incidentId: string, userIds: readonly string[]): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    const qb = this.em
      .getRepository(TaskForceMemberEntity)
      .createQueryBuilder('m')
      .select('m.userId', 'userId')
      .where('m.incidentId = :incidentId AND m.userId = ANY(:userIds) AND m.leftOn IS NULL', { incidentId, userIds: [...userIds] });
    if (this.txHost.isTransactionActive()) qb.setLock('pessimistic_read');
    const rows = await qb.getRawMany<{ userId: string }>();
    return new Set(rows.map((r) => r.userId));
  }

  /** Systems of the inventory by id (removed ones included), ordered by name: for contexts whose rows point at them. */
  async systemsById(ids: readonly string[]): Promise<IncidentSystemEntity[]> {
    if (ids.length === 0) return [];
    return this.em
      .getRepository(IncidentSystemEntity)
      .createQueryBuilder('s')
      .where('s.id = ANY(:ids)', { ids: [...ids] })
      .orderBy('s.name', 'ASC')
      .addOrderBy('s.id', 'ASC')
      .getMany();
  }

  /** Locks every incident row, in id order: a rebuild no change may interleave with (every change takes its incident's lock first). */
  async lockAll(): Promise<void> {
    await this.em
      .getRepository(IncidentEntity)
      .createQueryBuilder('i')
      .select('i.id')
      .setLock('pessimistic_write')
      .orderBy('i.id')
      .getMany();
  }

  /**
   * Locks the incident row: serializes changes that must see each other (e.g.
   * numbering CM-001, CM-002...). Always reads the row (as it stands now, for
   * callers that decide on it); `holdLock` when only the lock is wanted.
   */
  async lock(incidentId: string): Promise<IncidentEntity> {
    const incident = await this.em
      .getRepository(IncidentEntity)
      .createQueryBuilder('i')
      .setLock('pessimistic_write')
      .where('i.id = :incidentId', { incidentId })
      .getOne();
    if (!incident)
      throw new IncidentError(IncidentErrorCode.INCIDENT_NOT_FOUND, `Incident ${incidentId} does not exist`, { id: incidentId });
    return this.held(incident);
  }

  /**
   * `lock` of the incident that another context's row belongs to, found in the
   * same statement: `idQuery` is the owner's own SELECT giving that incident id
   * (e.g. `SELECT c.incident_id FROM countermeasures c WHERE c.id = :id`), so
   * the caller needs no read of its row before the lock (it reads it after,
   * under the lock, as ever). Only the incident row is locked (FOR UPDATE OF).
   * Null when the query finds no incident (the caller's row does not exist).
   */
  async lockIncidentOf(idQuery: string, params: Record<string, unknown>): Promise<IncidentEntity | null> {
    const incident = await this.em
      .getRepository(IncidentEntity)
      .createQueryBuilder('i')
      .setLock('pessimistic_write', undefined, ['i'])
      .where(`i.id = (${idQuery})`, params)
      .getOne();
    return incident ? this.held(incident) : null;
  }

  /**
   * Makes sure the open transaction holds the incident lock: no statement when
   * it took it already (by `lock` or `lockIncidentOf`), else `lock`. For a rule
   * that must never run without the lock (the cross-row rules before commit).
   */
  async holdLock(incidentId: string): Promise<void> {
    if (this.locked.get(this.em.queryRunner)?.has(incidentId)) return;
    await this.lock(incidentId);
  }

  private held(incident: IncidentEntity): IncidentEntity {
    const runner = this.em.queryRunner;
    const ids = this.locked.get(runner) ?? new Set<string>();
    ids.add(incident.id);
    this.locked.set(runner, ids);
    return incident;
  }
}
