import { Inject, Injectable, Logger } from '@nestjs/common';
import { TransactionHost, Transactional } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { AuditTrailService } from '@app/audit-trail';
import { updateIfVersion } from '@app/database';
import { Actor, addDays, CASE_TIME_ZONE, Clock, CommonError, CommonErrorCode, DAY_MS, dayStart, decodeCursor, isCalendarDay, todayIn, encodeCursor, pageSize, staleVersion, type Page, type PageRequest, emitInOrder } from '@app/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { IncidentsService } from '@app/incidents';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import {
  CountermeasureContributorEntity,
  CountermeasureEntity,
  countermeasureKey,
  DueDateChangeEntity,
  RequirementEntity,
  riskAccepted,
  TransitionEntity,
} from './countermeasure.entities';
import { assertMayDecide, assertMayEdit, assertMayPlan, assertMayReplan, type ItemParties } from './domain/countermeasure-access';
import { CountermeasureError, CountermeasureErrorCode } from './domain/countermeasure.errors';
import {
  assertCalendarDay,
  MAX_DESCRIPTION_LENGTH,
  MAX_REASON_LENGTH,
  MAX_TITLE_LENGTH,
  requireReason,
  PRIORITIES_BY_URGENCY as PRIORITIES,
  type CountermeasureCategory,
  type Priority,
} from './domain/countermeasure-fields';
import {
  ALL_COUNTERMEASURE_STATUSES,
  CountermeasureStatus,
  decideTransition,
  freshnessMove,
  isOpen,
  isSystemCause,
  TransitionCause,
} from './domain/countermeasure-workflow';
import { CountermeasureEvents, type CountermeasureGateRelevanceChanged, type CountermeasureStatusChanged } from './countermeasure.events';

export interface RequirementCommand {
  title: string;
  description?: string | null;
  recurrenceDays?: number | null;
}

export interface CreateCountermeasureCommand {
  incidentId: string;
  title: string;
  description?: string | null;
  category: CountermeasureCategory;
  ownerId: string;
  contributorIds?: readonly string[] | null;
  priority: Priority;
  dueDate: string;
  requiredForGate?: boolean | null;
  ongoing?: boolean | null;
  requirements?: readonly RequirementCommand[] | null;
}

export interface UpdateCountermeasureCommand {
  title?: string | null;
  description?: string | null;
  category?: CountermeasureCategory | null;
  priority?: Priority | null;
  requiredForGate?: boolean | null;
}

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

@Injectable()
export class CountermeasuresService {
  private readonly logger = new Logger(CountermeasuresService.name);

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(IncidentsService) private readonly incidents: IncidentsService,
    @Inject(AuditTrailService) private readonly trail: AuditTrailService,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(EventEmitter2) private readonly events: EventEmitter2,
  ) {}

  private get em() {
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
    const qb = this.em.getRepository(CountermeasureEntity).createQueryBuilder('c').where('c.seq = :seq', { seq: Number(m[1]) });
    if (incidentId) qb.andWhere('c.incidentId = :incidentId', { incidentId });
    const rows = await qb.limit(2).getMany();
    if (rows.length === 0) throw notFound(key);
    if (rows.length > 1) {
      throw new CountermeasureError(CountermeasureErrorCode.INVALID_FIELD, `${key} exists in several incidents; give incidentId too`, { field: 'incidentId' });
    }
    return rows[0]!;
  }

  async findByIds(ids: readonly string[]): Promise<CountermeasureEntity[]> {
    if (ids.length === 0) return [];
    return this.em.getRepository(CountermeasureEntity).createQueryBuilder('c').where('c.id = ANY(:ids)', { ids: [...ids] }).getMany();
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
      qb.andWhere(`(c.title ILIKE :like OR c.description ILIKE :like OR ('CM-' || CASE WHEN c.seq < 1000 THEN lpad(c.seq::text, 3, '0') ELSE c.seq::text END) ILIKE :like)`, { like });
    }
    const totalCount = await qb.clone().getCount();
    // Keyset pagination. `seq` is unique only within an incident, so the id breaks
    // ties: (sort key..., id) is unique across incidents and no row is skipped or repeated.
    const after = page.after ? decodeCursor(page.after, order === 'KEY' ? 2 : 3) : null;
    const badCursor = () =>
      new CommonError(CommonErrorCode.INVALID_CURSOR, 'The cursor `after` is not one this list issued (or was issued for another order)', {
        after: page.after,
      });
    const int = (v: unknown) => (Number.isInteger(v) ? (v as number) : (() => { throw badCursor(); })());
    const uuid = (v: unknown) => (typeof v === 'string' && /^[0-9a-f-]{36}$/i.test(v) ? v : (() => { throw badCursor(); })());
    if (order === 'DUE_DATE') {
      if (after) {
        const due = typeof after[0] === 'string' && isCalendarDay(after[0]) ? after[0] : (() => { throw badCursor(); })();
        qb.andWhere('(c.dueDate, c.seq, c.id) > (:due, :seq, :id)', { due, seq: int(after[1]), id: uuid(after[2]) });
      }
      qb.orderBy('c.dueDate', 'ASC').addOrderBy('c.seq', 'ASC').addOrderBy('c.id', 'ASC');
    } else if (order === 'PRIORITY') {
      if (after) {
        qb.andWhere(`(${PRIORITY_RANK}, c.seq, c.id) > (:rank, :seq, :id)`, { rank: int(after[0]), seq: int(after[1]), id: uuid(after[2]) });
      }
      qb.orderBy(PRIORITY_RANK, 'ASC').addOrderBy('c.seq', 'ASC').addOrderBy('c.id', 'ASC');
    } else {
      if (after) qb.andWhere('(c.seq, c.id) > (:seq, :id)', { seq: int(after[0]), id: uuid(after[1]) });
      qb.orderBy('c.seq', 'ASC').addOrderBy('c.id', 'ASC');
    }
    const rows = await qb.limit(size + 1).getMany();
    return {
      nodes: rows.slice(0, size),
      hasNextPage: rows.length > size,
      totalCount,
      cursorOf: (c) =>
        encodeCursor(
          order === 'DUE_DATE' ? [c.dueDate, c.seq, c.id] : order === 'PRIORITY' ? [PRIORITIES.indexOf(c.priority) + 1, c.seq, c.id] : [c.seq, c.id],
        ),
    };
  }

  // ---- batch readers for DataLoaders -------------------------------------------------------

  requirementsOf(ids: readonly string[]) {
    return this.byCountermeasure(RequirementEntity, ids, 'position');
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

  private byCountermeasure<T extends { countermeasureId: string }>(entity: new () => T, ids: readonly string[], orderBy: string) {
    if (ids.length === 0) return Promise.resolve([] as T[]);
    return this.em
      .getRepository(entity)
      .createQueryBuilder('x')
      .where('x.countermeasureId = ANY(:ids)', { ids: [...ids] })
      .orderBy(`x.${orderBy}`, 'ASC')
      .getMany();
  }

  // ---- changes ------------------------------------------------------------------------------

  @Transactional()
  async create(actor: Actor, cmd: CreateCountermeasureCommand): Promise<CountermeasureEntity> {
    await this.incidents.lock(cmd.incidentId); // numbers CM-001, CM-002... without gaps or duplicates
    const chiefId = await this.chiefOf(cmd.incidentId);
    assertMayPlan(actor, chiefId, 'create a countermeasure');
    const title = checkTitle(cmd.title);
    const description = checkDescription(cmd.description ?? '');
    const dueDate = assertCalendarDay(cmd.dueDate, 'dueDate');
    const contributorIds = [...new Set(cmd.contributorIds ?? [])].filter((id) => id !== cmd.ownerId);
    await this.assertMembers(cmd.incidentId, [cmd.ownerId, ...contributorIds]);
    const requirements = (cmd.requirements ?? []).map((r, i) => checkRequirement(r, i));

    const repo = this.em.getRepository(CountermeasureEntity);
    const createdAt = this.clock.now();
    const { max } = (await repo
      .createQueryBuilder('c')
      .select('COALESCE(MAX(c.seq), 0)', 'max')
      .where('c.incidentId = :id', { id: cmd.incidentId })
      .getRawOne<{ max: number }>())!;
    const cm = await repo.save(
      repo.create({
        incidentId: cmd.incidentId,
        seq: Number(max) + 1,
        title,
        description,
        category: cmd.category,
        ownerId: cmd.ownerId,
        priority: cmd.priority,
        dueDate,
        requiredForGate: cmd.requiredForGate ?? false,
        ongoing: cmd.ongoing ?? false,
        status: CountermeasureStatus.PLANNED,
        resumeStatus: null,
      }),
    );
    if (contributorIds.length) {
      await this.em.getRepository(CountermeasureContributorEntity).insert(contributorIds.map((userId) => ({ countermeasureId: cm.id, userId })));
    }
    if (requirements.length) {
      await this.em.getRepository(RequirementEntity).insert(requirements.map((r) => ({ ...r, countermeasureId: cm.id })));
    }
    await this.em.getRepository(TransitionEntity).insert({
      countermeasureId: cm.id,
      fromStatus: null,
      toStatus: CountermeasureStatus.PLANNED,
      cause: TransitionCause.USER,
      reason: 'created',
      actorId: actor.id,
      actorLabel: actor.label,
      at: createdAt,
    });
    await emitInOrder(this.events, CountermeasureEvents.GATE_RELEVANCE_CHANGED, {
      countermeasureId: cm.id,
      incidentId: cm.incidentId,
      key: countermeasureKey(cm.seq),
      requiredForGate: cm.requiredForGate,
      what: `${countermeasureKey(cm.seq)} was created${cm.requiredForGate ? ', required for the gate' : ''}`,
      actor,
    } satisfies CountermeasureGateRelevanceChanged);
    await this.trail.append({
      actor,
      action: 'countermeasure.created',
      entityType: 'Countermeasure',
      entityId: cm.id,
      after: { ...snapshot(cm), contributorIds, requirements: requirements.map((r) => r.title) },
    });
    return cm;
  }

  @Transactional()
  async update(actor: Actor, id: string, expectedVersion: number, changes: UpdateCountermeasureCommand): Promise<CountermeasureEntity> {
    const cm = await this.lockItem(id); // requiredForGate feeds the gate's rules
    const parties = await this.parties(cm);
    assertMayEdit(actor, parties);
    if (changes.requiredForGate != null && changes.requiredForGate !== cm.requiredForGate) {
      assertMayPlan(actor, parties.chiefId, 'change whether the gate depends on this countermeasure');
    }
    const set: QueryDeepPartialEntity<CountermeasureEntity> = {};
    if (changes.title != null) set.title = checkTitle(changes.title);
    if (changes.description != null) set.description = checkDescription(changes.description);
    if (changes.category != null) set.category = changes.category;
    if (changes.priority != null) set.priority = changes.priority;
    if (changes.requiredForGate != null) set.requiredForGate = changes.requiredForGate;
    const updated = await this.updateVersioned(actor, 'countermeasure.updated', cm, expectedVersion, set);
    if (updated.requiredForGate !== cm.requiredForGate) {
      await emitInOrder(this.events, CountermeasureEvents.GATE_RELEVANCE_CHANGED, {
        countermeasureId: cm.id,
        incidentId: cm.incidentId,
        key: countermeasureKey(cm.seq),
        requiredForGate: updated.requiredForGate,
        what: `${countermeasureKey(cm.seq)} is ${updated.requiredForGate ? 'now' : 'no longer'} required for the gate`,
        actor,
      } satisfies CountermeasureGateRelevanceChanged);
    }
    return updated;
  }

  @Transactional()
  async assignOwner(actor: Actor, id: string, expectedVersion: number, ownerId: string): Promise<CountermeasureEntity> {
    const cm = await this.lockItem(id); // every change of an item meets at the incident lock first (lock order: incident → item → trail)
    assertMayPlan(actor, await this.chiefOf(cm.incidentId), 'assign the owner');
    await this.assertMembers(cm.incidentId, [ownerId]);
    // The new owner is no longer also a contributor (as at creation).
    const wasContributor = (await this.contributorsOf([cm.id])).some((c) => c.userId === ownerId);
    const updated = await this.updateVersioned(actor, 'countermeasure.owner_assigned', cm, expectedVersion, { ownerId }, wasContributor ? { removedContributorId: ownerId } : {});
    if (wasContributor) await this.em.getRepository(CountermeasureContributorEntity).delete({ countermeasureId: cm.id, userId: ownerId });
    return updated;
  }

  /** The contributors become exactly `userIds` (current task-force members); the chief or an admin, like owners. */
  @Transactional()
  async setContributors(actor: Actor, id: string, expectedVersion: number, userIds: readonly string[]): Promise<CountermeasureEntity> {
    const cm = await this.lockItem(id); // every change of an item meets at the incident lock first (lock order: incident → item → trail)
    assertMayPlan(actor, await this.chiefOf(cm.incidentId), 'choose the contributors');
    const next = [...new Set(userIds)].filter((u) => u !== cm.ownerId).sort();
    await this.assertMembers(cm.incidentId, next);
    const before = (await this.contributorsOf([cm.id])).map((c) => c.userId).sort();
    const updated = await this.updateVersioned(actor, 'countermeasure.contributors_changed', cm, expectedVersion, {}, { contributorIds: next }, { contributorIds: before });
    const repo = this.em.getRepository(CountermeasureContributorEntity);
    await repo.delete({ countermeasureId: cm.id });
    if (next.length) await repo.insert(next.map((userId) => ({ countermeasureId: cm.id, userId })));
    return updated;
  }

  /** Re-planning: the old and new dates, the reason and who changed it are kept. */
  @Transactional()
  async changeDueDate(actor: Actor, id: string, expectedVersion: number, dueDate: string, reason: string): Promise<CountermeasureEntity> {
    const cm = await this.lockItem(id); // every change of an item meets at the incident lock first (lock order: incident → item → trail)
    assertMayReplan(actor, await this.parties(cm));
    const next = assertCalendarDay(dueDate, 'dueDate');
    const why = checkReason(reason);
    if (next === cm.dueDate) {
      throw new CountermeasureError(CountermeasureErrorCode.INVALID_FIELD, `The due date is already ${next}`, { field: 'dueDate', value: next });
    }
    const updated = await this.updateVersioned(actor, 'countermeasure.due_date_changed', cm, expectedVersion, { dueDate: next }, { reason: why });
    await this.em.getRepository(DueDateChangeEntity).insert({
      countermeasureId: cm.id,
      oldDueDate: cm.dueDate,
      newDueDate: next,
      reason: why,
      actorId: actor.id,
      actorLabel: actor.label,
      at: this.clock.now(),
    });
    return updated;
  }

  /**
   * A status change by a person: a plain move (owner, contributors), CANCELLED
   * (an executive's decision) or REOPENED (an executive, e.g. after an audit
   * finding). VERIFIED comes only from an auditor's sign-off (the evidence context).
   */
  @Transactional()
  async transition(actor: Actor, id: string, expectedVersion: number, to: CountermeasureStatus, reason: string | null): Promise<CountermeasureEntity> {
    const cm = await this.lockItem(id);
    const parties = await this.parties(cm);
    const cause =
      to === CountermeasureStatus.CANCELLED ? TransitionCause.EXECUTIVE : to === CountermeasureStatus.REOPENED ? TransitionCause.REOPEN : TransitionCause.USER;
    if (cause === TransitionCause.USER) assertMayEdit(actor, parties);
    else assertMayDecide(actor, to === CountermeasureStatus.CANCELLED ? 'cancel a countermeasure' : 'reopen a countermeasure');
    if (reason != null) assertReasonLength(reason);
    const moved = await this.applyMove(actor, cm, expectedVersion, to, cause, reason);
    // Starting to operate (or unblocking a degraded measure) re-checks freshness at once.
    return (await this.refreshFreshness(moved.id)) ?? moved;
  }

  /**
   * Takes the incident lock, then reads the item: every change that feeds a rule
   * spanning several rows (evidence state, sign-off, clearance, the gate) meets
   * at this lock, so those rules are re-evaluated on what is committed.
   */
  async lockItem(id: string): Promise<CountermeasureEntity> {
    const first = await this.getById(id);
    await this.incidents.lock(first.incidentId);
    return this.getById(id);
  }

  /**
   * A move decided by another context (an auditor's sign-off or rejection,
   * evidence withdrawn under verified work, a system move) on an item whose
   * incident the caller has locked (`lockItem`). Who may make it is the
   * caller's check; the workflow's rules still apply in full.
   */
  async moveFor(actor: Actor, cm: CountermeasureEntity, to: CountermeasureStatus, cause: TransitionCause, reason: string | null): Promise<CountermeasureEntity> {
    if (reason != null) assertReasonLength(reason);
    return this.applyMove(actor, cm, cm.version, to, cause, reason);
  }

  private async applyMove(
    actor: Actor,
    cm: CountermeasureEntity,
    expectedVersion: number,
    to: CountermeasureStatus,
    cause: TransitionCause,
    reason: string | null,
  ): Promise<CountermeasureEntity> {
    const requirements = await this.em.getRepository(RequirementEntity).findBy({ countermeasureId: cm.id });
    const decision = decideTransition({
      current: cm.status,
      resumeStatus: cm.resumeStatus,
      target: to,
      cause,
      reason,
      facts: {
        ongoing: cm.ongoing,
        requirementsTotal: requirements.length,
        // A requirement an executive accepted the risk of (unexpired) counts as covered.
        requirementsWithEvidence: requirements.filter((r) => r.liveEvidenceCount > 0 || riskAccepted(r, this.today())).length,
      },
    });
    const at = this.clock.now();
    const updated = await this.updateVersioned(
      actor,
      'countermeasure.status_changed',
      cm,
      expectedVersion,
      { status: decision.to, resumeStatus: decision.resumeStatus },
      { cause: decision.cause, reason: decision.reason },
    );
    await this.em.getRepository(TransitionEntity).insert({
      countermeasureId: cm.id,
      fromStatus: decision.from,
      toStatus: decision.to,
      cause: decision.cause,
      reason: decision.reason,
      // A system move has no human actor, whoever triggered the check.
      actorId: isSystemCause(cause) ? null : actor.id,
      actorLabel: actor.label,
      at,
    });
    const event: CountermeasureStatusChanged = {
      countermeasureId: cm.id,
      incidentId: cm.incidentId,
      key: countermeasureKey(cm.seq),
      from: decision.from,
      to: decision.to,
      cause: decision.cause,
      reason: decision.reason,
      actor,
      at,
    };
    // Listeners (clearance, gate) run here, in this transaction: their rules commit with the move.
    await emitInOrder(this.events, CountermeasureEvents.STATUS_CHANGED, event);
    return updated;
  }

  /**
   * OPERATING ⇄ DEGRADED by itself: an ongoing measure whose recurring
   * requirement has no accepted evidence within its period degrades; fresh
   * accepted evidence for every recurring requirement brings it back. Freshness
   * is measured from the evidence's effective date, in whole days (Asia/Tokyo):
   * evidence effective on day D with a period of N days is fresh through D + N.
   * Returns the moved item, or null when no move was needed. The caller holds
   * the incident lock (or this is the sweep, which takes it).
   */
  async refreshFreshness(id: string): Promise<CountermeasureEntity | null> {
    const cm = await this.getById(id);
    if (!cm.ongoing || (cm.status !== CountermeasureStatus.OPERATING && cm.status !== CountermeasureStatus.DEGRADED)) return null;
    const recurring = (await this.em.getRepository(RequirementEntity).findBy({ countermeasureId: cm.id })).filter((r) => r.recurrenceDays !== null);
    if (recurring.length === 0) return null;
    const today = this.today();
    // The requirement that goes stale first decides: the measure is fresh only if all are.
    const stalest = recurring
      .map((r) => ({ r, freshThrough: r.latestAcceptedEffectiveOn === null ? null : addDays(r.latestAcceptedEffectiveOn, r.recurrenceDays!) }))
      .sort((a, b) => (a.freshThrough ?? '').localeCompare(b.freshThrough ?? ''))[0]!;
    const move = freshnessMove({
      status: cm.status,
      ongoing: cm.ongoing,
      latestAcceptedEvidenceAt: stalest.r.latestAcceptedEffectiveOn === null ? null : dayStart(stalest.r.latestAcceptedEffectiveOn),
      periodMs: stalest.r.recurrenceDays! * DAY_MS,
      now: dayStart(today),
    });
    if (!move) return null;
    const why =
      move.to === CountermeasureStatus.DEGRADED
        ? stalest.r.latestAcceptedEffectiveOn === null
          ? `"${stalest.r.title}" has no accepted evidence`
          : `"${stalest.r.title}": the latest accepted evidence is effective ${stalest.r.latestAcceptedEffectiveOn}, older than ${stalest.r.recurrenceDays} days on ${today}`
        : `every recurring requirement has fresh accepted evidence on ${today}`;
    return this.applyMove(Actor.system('freshness'), cm, cm.version, move.to, move.cause, why);
  }

  /** The sweep (daily job, CLI, on demand): every operating or degraded measure whose freshness changed moves. */
  async refreshAllFreshness(): Promise<{ checked: number; moved: string[]; failed: string[] }> {
    const candidates = await this.em
      .getRepository(CountermeasureEntity)
      .createQueryBuilder('c')
      .where('c.ongoing AND c.status IN (:...statuses)', { statuses: [CountermeasureStatus.OPERATING, CountermeasureStatus.DEGRADED] })
      .orderBy('c.incidentId')
      .addOrderBy('c.seq')
      .getMany();
    const moved: string[] = [];
    const failed: string[] = [];
    for (const c of candidates) {
      // One transaction per item: a failure on one does not hold back the others.
      try {
        const done = await this.refreshOne(c.id);
        if (done) moved.push(countermeasureKey(done.seq));
      } catch (err) {
        failed.push(countermeasureKey(c.seq));
        this.logger.error(`freshness check of ${countermeasureKey(c.seq)} failed: ${(err as Error).message}`);
      }
    }
    return { checked: candidates.length, moved, failed };
  }

  @Transactional()
  private async refreshOne(id: string): Promise<CountermeasureEntity | null> {
    await this.lockItem(id);
    return this.refreshFreshness(id);
  }

  /** Adds a statement of what must be shown; planning: owner, contributors, the chief or an admin. */
  @Transactional()
  async addRequirement(actor: Actor, id: string, expectedVersion: number, req: RequirementCommand): Promise<CountermeasureEntity> {
    const cm = await this.lockItem(id); // every change of an item meets at the incident lock first (lock order: incident → item → trail)
    assertMayReplan(actor, await this.parties(cm));
    assertRequirementsOpen(cm);
    const { max } = (await this.em
      .getRepository(RequirementEntity)
      .createQueryBuilder('r')
      .select('COALESCE(MAX(r.position), -1)', 'max')
      .where('r.countermeasureId = :id', { id: cm.id })
      .getRawOne<{ max: number }>())!;
    const checked = checkRequirement(req, Number(max) + 1);
    const updated = await this.updateVersioned(actor, 'countermeasure.requirement_added', cm, expectedVersion, {}, { requirement: checked });
    await this.em.getRepository(RequirementEntity).insert({ ...checked, countermeasureId: cm.id });
    return updated;
  }

  /** Removes a requirement that has no evidence; one with evidence (even withdrawn) is kept. */
  @Transactional()
  async removeRequirement(actor: Actor, requirementId: string, expectedVersion: number, reason: string): Promise<CountermeasureEntity> {
    const req = await this.em.getRepository(RequirementEntity).findOneBy({ id: requirementId });
    if (!req) {
      throw new CountermeasureError(CountermeasureErrorCode.REQUIREMENT_NOT_FOUND, `Requirement ${requirementId} does not exist`, { id: requirementId });
    }
    const cm = await this.lockItem(req.countermeasureId);
    assertMayReplan(actor, await this.parties(cm));
    assertRequirementsOpen(cm);
    const why = checkReason(reason);
    const current = await this.em.getRepository(RequirementEntity).findOneByOrFail({ id: req.id });
    // A risk acceptance (the audits context's table, read here only to refuse cleanly
    // what its foreign key would refuse with an error) also keeps the requirement.
    const [{ accepted }] = (await this.em.query(`SELECT count(*)::int AS accepted FROM audit_risk_acceptances WHERE requirement_id = $1`, [req.id])) as { accepted: number }[];
    if (current.evidenceTotal > 0 || accepted > 0) {
      throw new CountermeasureError(
        CountermeasureErrorCode.REQUIREMENT_HAS_EVIDENCE,
        `Requirement "${req.title}" has evidence (${current.evidenceTotal} submitted) or a risk acceptance (${accepted}): it is kept, because they rest on it`,
        { id: req.id, evidenceTotal: current.evidenceTotal, riskAcceptances: accepted },
      );
    }
    const updated = await this.updateVersioned(actor, 'countermeasure.requirement_removed', cm, expectedVersion, {}, {
      requirement: { id: req.id, title: req.title, recurrenceDays: req.recurrenceDays },
      reason: why,
    });
    await this.em.getRepository(RequirementEntity).delete({ id: req.id });
    return updated;
  }

  /**
   * Who may act on the item. Only current task-force members count: a member
   * who left the task force keeps their name on the item but no longer edits it.
   */
  async parties(cm: CountermeasureEntity): Promise<ItemParties> {
    const contributors = (await this.contributorsOf([cm.id])).map((c) => c.userId);
    const current = await this.incidents.currentMemberIds(cm.incidentId, [cm.ownerId, ...contributors]);
    return {
      ownerId: current.has(cm.ownerId) ? cm.ownerId : null,
      contributorIds: contributors.filter((id) => current.has(id)),
      chiefId: await this.chiefOf(cm.incidentId),
    };
  }

  private async chiefOf(incidentId: string): Promise<string | null> {
    const members = await this.incidents.taskForce([incidentId]);
    return members.find((m) => m.isChief && m.leftOn === null)?.userId ?? null;
  }

  private async assertMembers(incidentId: string, userIds: readonly string[]): Promise<void> {
    const current = await this.incidents.currentMemberIds(incidentId, userIds);
    const outsiders = userIds.filter((u) => !current.has(u));
    if (outsiders.length) {
      throw new CountermeasureError(
        CountermeasureErrorCode.NOT_A_MEMBER,
        'Owners and contributors must be current members of the task force',
        { userIds: outsiders },
      );
    }
  }

  /** UPDATE ... WHERE id AND version: exactly one row, or CONFLICT with the current version; then the trail entry. */
  private async updateVersioned(
    actor: Actor,
    action: string,
    cm: CountermeasureEntity,
    expectedVersion: number,
    set: QueryDeepPartialEntity<CountermeasureEntity>,
    extra: Record<string, unknown> = {},
    beforeExtra: Record<string, unknown> = {},
  ): Promise<CountermeasureEntity> {
    if (!(await updateIfVersion(this.em, CountermeasureEntity, cm.id, expectedVersion, set, this.clock.now()))) {
      const current = await this.getById(cm.id);
      throw staleVersion('Countermeasure', countermeasureKey(cm.seq), expectedVersion, current.version);
    }
    const updated = await this.getById(cm.id);
    await this.trail.append({ actor, action, entityType: 'Countermeasure', entityId: cm.id, before: { ...snapshot(cm), ...beforeExtra }, after: { ...snapshot(updated), ...extra } });
    return updated;
  }
}

/**
 * Signed-off work (VERIFIED, OPERATING, DEGRADED, or BLOCKED from one of them)
 * keeps the requirements its sign-off covered: adding or removing one would make
 * "verified" mean something that was never checked. Reopen it first.
 */
export function isSignedOff(cm: Pick<CountermeasureEntity, 'status' | 'resumeStatus'>): boolean {
  const signed = new Set<CountermeasureStatus>([CountermeasureStatus.VERIFIED, CountermeasureStatus.OPERATING, CountermeasureStatus.DEGRADED]);
  return signed.has(cm.status) || (cm.status === CountermeasureStatus.BLOCKED && cm.resumeStatus !== null && signed.has(cm.resumeStatus));
}

function assertRequirementsOpen(cm: CountermeasureEntity): void {
  if (isSignedOff(cm)) {
    throw new CountermeasureError(
      CountermeasureErrorCode.REQUIREMENTS_FROZEN,
      `${countermeasureKey(cm.seq)} is ${cm.status}: its requirements are what the auditor signed off; an executive reopens it first`,
      { status: cm.status },
    );
  }
}

function notFound(idOrKey: string): CountermeasureError {
  return new CountermeasureError(CountermeasureErrorCode.COUNTERMEASURE_NOT_FOUND, `Countermeasure ${idOrKey} does not exist`, { id: idOrKey });
}

function checkTitle(title: string): string {
  const t = title.trim();
  if (!t || [...t].length > MAX_TITLE_LENGTH) {
    throw new CountermeasureError(CountermeasureErrorCode.INVALID_FIELD, `title must have 1 to ${MAX_TITLE_LENGTH} characters`, { field: 'title' });
  }
  return t;
}

function checkDescription(description: string): string {
  if ([...description].length > MAX_DESCRIPTION_LENGTH) {
    throw new CountermeasureError(CountermeasureErrorCode.INVALID_FIELD, `description must have at most ${MAX_DESCRIPTION_LENGTH} characters`, {
      field: 'description',
    });
  }
  return description.trim();
}

/** A reason of at most MAX_REASON_LENGTH characters (code points, like every text limit here). */
function assertReasonLength(reason: string): string {
  if ([...reason].length > MAX_REASON_LENGTH) {
    throw new CountermeasureError(CountermeasureErrorCode.INVALID_FIELD, `reason must be at most ${MAX_REASON_LENGTH} characters`, { field: 'reason' });
  }
  return reason;
}

function checkReason(reason: string): string {
  return assertReasonLength(requireReason(reason));
}

function checkRequirement(r: RequirementCommand, position: number) {
  const title = r.title.trim();
  if (!title || [...title].length > MAX_TITLE_LENGTH) {
    throw new CountermeasureError(CountermeasureErrorCode.INVALID_FIELD, `a requirement title must have 1 to ${MAX_TITLE_LENGTH} characters`, {
      field: `requirements[${position}].title`,
    });
  }
  if (r.recurrenceDays != null && (!Number.isInteger(r.recurrenceDays) || r.recurrenceDays < 1 || r.recurrenceDays > 366)) {
    throw new CountermeasureError(CountermeasureErrorCode.INVALID_FIELD, 'recurrenceDays must be 1 to 366', { field: `requirements[${position}].recurrenceDays` });
  }
  return { position, title, description: (r.description ?? '').trim(), recurrenceDays: r.recurrenceDays ?? null };
}

/** What the audit trail keeps of a countermeasure. */
export function snapshot(c: CountermeasureEntity) {
  return {
    key: countermeasureKey(c.seq),
    title: c.title,
    description: c.description,
    category: c.category,
    ownerId: c.ownerId,
    priority: c.priority,
    dueDate: c.dueDate,
    requiredForGate: c.requiredForGate,
    ongoing: c.ongoing,
    parentId: c.parentId,
    status: c.status,
    resumeStatus: c.resumeStatus,
    version: c.version,
  };
}
