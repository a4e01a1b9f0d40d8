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
  /** At risk: see atRiskSql. */
  atRisk?: boolean | null;
  /** Substring of the key, title or description; works for Japanese (no word splitting needed). */
  search?: string | null;
}

export type CountermeasureOrder = 'KEY' | 'DUE_DATE' | 'PRIORITY';

/** 1 for CRITICAL ... 4 for LOW, the order of PRIORITIES_BY_URGENCY. */
const PRIORITY_RANK = `array_position(ARRAY[${PRIORITIES.map((p) => `'${p}'`).join(',')}]::text[], t.priority)`;

/**
 * At risk: a verified ongoing measure (VERIFIED, OPERATING or DEGRADED) with a
 * recurring requirement whose latest accepted evidence is older than its period
 * today (or that has none). Computed from the requirement's current evidence
 * state, never stored; the partial index IDX_countermeasure_requirements_recurring serves it.
 */
const atRiskSql = (today: string) => `(t.ongoing AND t.status IN ('VERIFIED', 'OPERATING', 'DEGRADED') AND EXISTS (
  SELECT 1 FROM countermeasure_requirements r WHERE r.countermeasure_id = t.id AND r.recurrence_days IS NOT NULL
  AND (r.latest_accepted_effective_on IS NULL OR r.latest_accepted_effective_on + r.recurrence_days < ${today})))`;

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

  /**
   * One page of the filtered list and the filter's total. Plain SQL through readPlainRows (issue 14):
   * TypeORM's query builder spent more on building the two statements and hydrating the page's rows
   * than the rows' own decoding. Values go as parameters only; every condition names columns of `t`.
   */
  async list(filter: CountermeasureFilter, order: CountermeasureOrder, page: PageRequest): Promise<Page<CountermeasureEntity>> {
    const size = pageSize(page.first);
    const params: unknown[] = [];
    const param = (v: unknown) => `$${params.push(v)}`;
    const where: string[] = [];
    if (filter.incidentId) where.push(`t.incident_id = ${param(filter.incidentId)}`);
    if (filter.statuses?.length) where.push(`t.status = ANY(${param([...filter.statuses])})`);
    if (filter.categories?.length) where.push(`t.category = ANY(${param([...filter.categories])})`);
    if (filter.ownerId) where.push(`t.owner_id = ${param(filter.ownerId)}`);
    if (filter.requiredForGate != null) where.push(`t.required_for_gate = ${param(filter.requiredForGate)}`);
    if (filter.dueBefore) where.push(`t.due_date < ${param(assertCalendarDay(filter.dueBefore, 'dueBefore'))}`);
    if (filter.overdue != null) {
      const overdue = `(t.status = ANY(${param(OPEN_STATUSES)}) AND t.due_date < ${param(this.today())})`;
      where.push(filter.overdue ? overdue : `NOT ${overdue}`);
    }
    if (filter.atRisk != null) {
      const atRisk = atRiskSql(param(this.today()));
      where.push(filter.atRisk ? atRisk : `NOT ${atRisk}`);
    }
    if (filter.search?.trim()) {
      const like = param(`%${filter.search.trim().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`);
      where.push(
        `(t.title ILIKE ${like} OR t.description ILIKE ${like} OR ('CM-' || CASE WHEN t.seq < 1000 THEN lpad(t.seq::text, 3, '0') ELSE t.seq::text END) ILIKE ${like})`,
      );
    }
    /** The conditions as one: the filter's for the count, then with the cursor's for the page. */
    const allOf = () => (where.length > 0 ? where.join(' AND ') : 'true');
    const [counted] = (await this.em.query(`SELECT count(*)::int AS n FROM countermeasures t WHERE ${allOf()}`, params)) as {
      n: number;
    }[];
    const totalCount = counted!.n;
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
    let orderBy: string;
    if (order === 'DUE_DATE') {
      if (after) {
        const due =
          typeof after[0] === 'string' && isCalendarDay(after[0])
            ? after[0]
            : (() => {
                throw badCursor();
              })();
        where.push(`(t.due_date, t.seq, t.id) > (${param(due)}, ${param(int(after[1]))}, ${param(uuid(after[2]))})`);
      }
      orderBy = 't.due_date, t.seq, t.id';
    } else if (order === 'PRIORITY') {
      if (after)
        where.push(`(${PRIORITY_RANK}, t.seq, t.id) > (${param(int(after[0]))}, ${param(int(after[1]))}, ${param(uuid(after[2]))})`);
      orderBy = `${PRIORITY_RANK}, t.seq, t.id`;
    } else {
      if (after) where.push(`(t.seq, t.id) > (${param(int(after[0]))}, ${param(uuid(after[1]))})`);
      orderBy = 't.seq, t.id';
    }
    const rows = await readPlainRows(this.em, CountermeasureEntity, allOf(), params, orderBy, undefined, size + 1);
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
