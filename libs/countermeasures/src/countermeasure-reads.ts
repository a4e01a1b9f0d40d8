import { readPlainRows } from '@app/database';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import {
  CASE_TIME_ZONE,
  Clock,
  CommonError,
  CommonErrorCode,
  decodeCursor,
  isCalendarDay,
  isUuid,
  pageSize,
  todayIn,
  type Page,
  type PageRequest,
  pageOf,
} from '@app/common';
import {
  CountermeasureContributorEntity,
  CountermeasureEntity,
  CountermeasurePartyEntity,
  DueDateChangeEntity,
  RequirementEntity,
  TransitionEntity,
} from './countermeasure.entities';
import { CountermeasureError, CountermeasureErrorCode } from './domain/countermeasure.errors';
import { notFound } from './domain/countermeasure-checks';
import { assertCalendarDay, PRIORITIES_BY_URGENCY as PRIORITIES, type CountermeasureCategory } from './domain/countermeasure-fields';
import { ALL_COUNTERMEASURE_STATUSES, isOpen, type CountermeasureStatus } from './domain/countermeasure-workflow';
import { partiesOf } from './party-history';

export interface CountermeasureFilter {
  incidentId?: string | null;
  statuses?: readonly CountermeasureStatus[] | null;
  categories?: readonly CountermeasureCategory[] | null;
  ownerId?: string | null;
  overdue?: boolean | null;
  dueBefore?: string | null;
  requiredForGate?: boolean | null;
  /** At risk: see AT_RISK_SQL. */
  atRisk?: boolean | null;
  /** Substring of the key, title or description; works for Japanese (no word splitting needed). */
  search?: string | null;
}

export type CountermeasureOrder = 'KEY' | 'DUE_DATE' | 'PRIORITY';

/** 1 for CRITICAL ... 4 for LOW, the order of PRIORITIES_BY_URGENCY. */
const PRIORITY_RANK = `array_position(ARRAY[${PRIORITIES.map((p) => `'${p}'`).join(',')}]::text[], c.priority)`;

/**
 * At risk: a verified ongoing measure (VERIFIED, OPERATING or DEGRADED) with a
 * recurring requirement whose latest accepted evidence is older than its period
 * today (or that has none). Computed from the requirement's current evidence
 * state, never stored; the partial index IDX_countermeasure_requirements_recurring serves it.
 */
const AT_RISK_SQL = `(c.ongoing AND c.status IN ('VERIFIED', 'OPERATING', 'DEGRADED') AND EXISTS (
  SELECT 1 FROM countermeasure_requirements r WHERE r.countermeasure_id = c.id AND r.recurrence_days IS NOT NULL
  AND (r.latest_accepted_effective_on IS NULL OR r.latest_accepted_effective_on + r.recurrence_days < :today)))`;

/** The statuses the workflow calls open (still needing work): what `overdue` counts. */
const OPEN_STATUSES = ALL_COUNTERMEASURE_STATUSES.filter(isOpen);

/**
 * The reading side of CountermeasuresService (which extends it): single items,
 * the filtered list, and the batch readers behind the DataLoaders and other contexts.
 */
export abstract class CountermeasureReads {
  constructor(
    protected readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    protected readonly clock: Clock,
  ) {}

  protected get em() {
    return this.txHost.tx;
  }

  today(): string {
    return todayIn(CASE_TIME_ZONE, this.clock.now());
  }

  async getById(id: string): Promise<CountermeasureEntity> {
    const cm = await this.em.getRepository(CountermeasureEntity).findOneBy({ id });
    if (!cm) throw notFound(id);
    return cm;
  }

  async getByKey(key: string, incidentId?: string | null): Promise<CountermeasureEntity> {
    const m = /^CM-(\d{1,9})$/.exec(key.trim().toUpperCase());
    if (!m) throw notFound(key);
    const qb = this.em
      .getRepository(CountermeasureEntity)
      .createQueryBuilder('c')
      .where('c.seq = :seq', { seq: Number(m[1]) });
    if (incidentId) qb.andWhere('c.incidentId = :incidentId', { incidentId });
    const rows = await qb.limit(2).getMany();
    if (rows.length === 0) throw notFound(key);
    if (rows.length > 1) {
      throw new CountermeasureError(CountermeasureErrorCode.INVALID_FIELD, `${key} exists in several incidents; give incidentId too`, {
        field: 'incidentId',
      });
    }
    return rows[0]!;
  }

  async findByIds(ids: readonly string[]): Promise<CountermeasureEntity[]> {
    if (ids.length === 0) return [];
    return this.em
      .getRepository(CountermeasureEntity)
      .createQueryBuilder('c')
      .where('c.id = ANY(:ids)', { ids: [...ids] })
      .getMany();
  }

  async list(filter: CountermeasureFilter, order: CountermeasureOrder, page: PageRequest): Promise<Page<CountermeasureEntity>> {
    const size = pageSize(page.first);
    const qb = this.em.getRepository(CountermeasureEntity).createQueryBuilder('c');
    if (filter.incidentId) qb.andWhere('c.incidentId = :incidentId', { incidentId: filter.incidentId });
    if (filter.statuses?.length) qb.andWhere('c.status = ANY(:statuses)', { statuses: [...filter.statuses] });
    if (filter.categories?.length) qb.andWhere('c.category = ANY(:categories)', { categories: [...filter.categories] });
    if (filter.ownerId) qb.andWhere('c.ownerId = :ownerId', { ownerId: filter.ownerId });
    if (filter.requiredForGate != null) qb.andWhere('c.requiredForGate = :rfg', { rfg: filter.requiredForGate });
    if (filter.dueBefore) qb.andWhere('c.dueDate < :dueBefore', { dueBefore: assertCalendarDay(filter.dueBefore, 'dueBefore') });
    if (filter.overdue != null) {
      const overdue = '(c.status = ANY(:open) AND c.dueDate < :today)';
      qb.andWhere(filter.overdue ? overdue : `NOT ${overdue}`, { open: OPEN_STATUSES, today: this.today() });
    }
    if (filter.atRisk != null) qb.andWhere(filter.atRisk ? AT_RISK_SQL : `NOT ${AT_RISK_SQL}`, { today: this.today() });
    if (filter.search?.trim()) {
      const like = `%${filter.search.trim().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
      qb.andWhere(
        `(c.title ILIKE :like OR c.description ILIKE :like OR ('CM-' || CASE WHEN c.seq < 1000 THEN lpad(c.seq::text, 3, '0') ELSE c.seq::text END) ILIKE :like)`,
        { like },
      );
    }
    const totalCount = await qb.clone().getCount();
    // Keyset pagination. `seq` is unique only within an incident, so the id breaks
    // ties: (sort key..., id) is unique across incidents and no row is skipped or repeated.
    const after = page.after ? decodeCursor(page.after, order === 'KEY' ? 2 : 3) : null;
    const badCursor = () =>
      new CommonError(CommonErrorCode.INVALID_CURSOR, 'The cursor `after` is not one this list issued (or was issued for another order)', {
        after: page.after,
      });
    const int = (v: unknown) =>
      Number.isInteger(v)
        ? (v as number)
        : (() => {
            throw badCursor();
          })();
    const uuid = (v: unknown) =>
      typeof v === 'string' && /^[0-9a-f-]{36}$/i.test(v)
        ? v
        : (() => {
            throw badCursor();
          })();
    if (order === 'DUE_DATE') {
      if (after) {
        const due =
          typeof after[0] === 'string' && isCalendarDay(after[0])
            ? after[0]
            : (() => {
                throw badCursor();
              })();
        qb.andWhere('(c.dueDate, c.seq, c.id) > (:due, :seq, :id)', { due, seq: int(after[1]), id: uuid(after[2]) });
      }
      qb.orderBy('c.dueDate', 'ASC').addOrderBy('c.seq', 'ASC').addOrderBy('c.id', 'ASC');
    } else if (order === 'PRIORITY') {
      if (after) {
        qb.andWhere(`(${PRIORITY_RANK}, c.seq, c.id) > (:rank, :seq, :id)`, {
          rank: int(after[0]),
          seq: int(after[1]),
          id: uuid(after[2]),
        });
      }
      qb.orderBy(PRIORITY_RANK, 'ASC').addOrderBy('c.seq', 'ASC').addOrderBy('c.id', 'ASC');
    } else {
      if (after) qb.andWhere('(c.seq, c.id) > (:seq, :id)', { seq: int(after[0]), id: uuid(after[1]) });
      qb.orderBy('c.seq', 'ASC').addOrderBy('c.id', 'ASC');
    }
    const rows = await qb.limit(size + 1).getMany();
    return pageOf(rows, size, totalCount, (c) =>
      order === 'DUE_DATE'
        ? [c.dueDate, c.seq, c.id]
        : order === 'PRIORITY'
          ? [PRIORITIES.indexOf(c.priority) + 1, c.seq, c.id]
          : [c.seq, c.id],
    );
  }

  // ---- batch readers for DataLoaders -------------------------------------------------------

  /** `only`: just these properties (and the id), for a page that asks no more (readPlainRows). */
  requirementsOf(ids: readonly string[], only?: ReadonlySet<string>) {
    return this.byCountermeasure(RequirementEntity, ids, 'position', only);
  }
  transitionsOf(ids: readonly string[]) {
    return this.byCountermeasure(TransitionEntity, ids, 'at');
  }
  dueDateChangesOf(ids: readonly string[]) {
    return this.byCountermeasure(DueDateChangeEntity, ids, 'at');
  }
  contributorsOf(ids: readonly string[]) {
    return this.byCountermeasure(CountermeasureContributorEntity, ids, 'userId');
  }

  /** The rows of these countermeasures, in `orderBy` (a property) order: one statement, without TypeORM's hydration (readPlainRows). */
  private byCountermeasure<T extends { countermeasureId: string }>(
    entity: new () => T,
    ids: readonly string[],
    orderBy: string,
    only?: ReadonlySet<string>,
  ) {
    if (ids.length === 0) return Promise.resolve([] as T[]);
    const column = this.em.connection.getMetadata(entity).findColumnWithPropertyName(orderBy)!.databaseName;
    return readPlainRows(this.em, entity, 't.countermeasure_id = ANY($1)', [[...ids]], `t."${column}"`, only);
  }

  /** The incident's countermeasures the promotion gate depends on, in key order. */
  requiredForGate(incidentId: string): Promise<CountermeasureEntity[]> {
    return this.em
      .getRepository(CountermeasureEntity)
      .createQueryBuilder('c')
      .where('c.incidentId = :incidentId AND c.requiredForGate', { incidentId })
      .orderBy('c.seq')
      .getMany();
  }

  /** One requirement, or null when there is none with this id. */
  async requirementById(id: string): Promise<RequirementEntity | null> {
    if (!isUuid(id)) return null;
    return this.em.getRepository(RequirementEntity).findOneBy({ id });
  }

  /** The party history of these countermeasures: who owned or contributed, from when until when. */
  partyHistoryOf(ids: readonly string[]): Promise<CountermeasurePartyEntity[]> {
    return partiesOf(this.em, ids);
  }

  /**
   * Everyone who ever owned or contributed to the countermeasure, today's owner
   * and contributors included: segregation of duties does not lapse by
   * reassignment. Read from the party history, never from the audit trail.
   */
  async everyParty(countermeasureId: string): Promise<string[]> {
    const [cm] = await this.findByIds([countermeasureId]);
    const current = (await this.contributorsOf([countermeasureId])).map((c) => c.userId);
    const history = (await partiesOf(this.em, [countermeasureId])).map((p) => p.userId);
    return [...new Set([...(cm ? [cm.ownerId] : []), ...current, ...history])];
  }
}
