import { Logger } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { AuditTrailService } from '@app/audit-trail';
import { Actor, addDays, Clock, DAY_MS, dayStart, emitInOrder, isSystem, staleVersion } from '@app/common';
import { hydrate, updateIfVersionReturning } from '@app/database';
import { IncidentsService } from '@app/incidents';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import {
  CountermeasureContributorEntity,
  CountermeasureEntity,
  countermeasureKey,
  RequirementEntity,
  riskAccepted,
  TransitionEntity,
} from './countermeasure.entities';
import { CountermeasureEvents, type CountermeasureStatusChanged } from './countermeasure.events';
import { CountermeasureReads } from './countermeasure-reads';
import type { ItemParties } from './domain/countermeasure-access';
import { CountermeasureError, CountermeasureErrorCode } from './domain/countermeasure.errors';
import { assertReasonLength, notFound, snapshot } from './domain/countermeasure-checks';
import { CountermeasureStatus, decideTransition, freshnessMove, isSystemCause, TransitionCause } from './domain/countermeasure-workflow';

/** An item read under its incident lock with what a status move decides on. */
export interface ItemUnderLock {
  cm: CountermeasureEntity;
  requirements: RequirementEntity[];
  contributorIds: string[];
}

/** Who may edit the item, as far as `assertMayEdit` asks (see `editorsFor`). */
export type ItemEditors = Pick<ItemParties, 'ownerId' | 'contributorIds'>;

/**
 * The workflow's moves and the freshness sweep of CountermeasuresService (which
 * extends this): the incident lock, every status move (a person's, another
 * context's, the system's), the versioned write with its trail entry, and who
 * the item's parties are today.
 */
export abstract class CountermeasureMoves extends CountermeasureReads {
  protected readonly logger = new Logger('CountermeasuresService');

  constructor(
    txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    clock: Clock,
    protected readonly incidents: IncidentsService,
    protected readonly trail: AuditTrailService,
    protected readonly events: EventEmitter2,
  ) {
    super(txHost, clock);
  }

  /**
   * Takes the incident lock, then reads the item: every change that feeds a rule
   * spanning several rows (evidence state, sign-off, clearance, the gate) meets
   * at this lock, so those rules are re-evaluated on what is committed.
   */
  async lockItem(id: string): Promise<CountermeasureEntity> {
    await this.lockIncidentOfItem(id);
    return this.getById(id);
  }

  /** The incident lock, found through the item in the lock's own statement (no read of the item before it). */
  private async lockIncidentOfItem(id: string): Promise<void> {
    const incident = await this.incidents.lockIncidentOf('SELECT c.incident_id FROM countermeasures c WHERE c.id = :itemId', {
      itemId: id,
    });
    if (!incident) throw notFound(id);
  }

  /**
   * `lockItem` for a status move: after the incident lock, one read gives the
   * item with its requirements (the evidence facts of the move) and its
   * contributors (who may move it), all as committed under the lock.
   */
  protected async lockItemForMove(id: string): Promise<ItemUnderLock> {
    await this.lockIncidentOfItem(id);
    const row = await this.em
      .getRepository(CountermeasureEntity)
      .createQueryBuilder('c')
      .leftJoinAndMapMany('c.lockedRequirements', RequirementEntity, 'r', 'r.countermeasureId = c.id')
      .leftJoinAndMapMany('c.lockedContributors', CountermeasureContributorEntity, 'x', 'x.countermeasureId = c.id')
      .where('c.id = :id', { id })
      .orderBy('r.position', 'ASC')
      .addOrderBy('x.userId', 'ASC')
      .getOne();
    if (!row) throw notFound(id);
    const { lockedRequirements, lockedContributors, ...rest } = row as CountermeasureEntity & {
      lockedRequirements: RequirementEntity[];
      lockedContributors: CountermeasureContributorEntity[];
    };
    const cm = Object.assign(Object.create(CountermeasureEntity.prototype) as CountermeasureEntity, rest);
    return { cm, requirements: lockedRequirements, contributorIds: lockedContributors.map((x) => x.userId) };
  }

  /**
   * The owner and contributors as `assertMayEdit` sees them, reading only the
   * actor's own membership (FOR SHARE, as `parties` does): whether the actor is
   * a current owner or contributor is all that rule asks, so the others'
   * membership and the chief are not read. Not for the rules that need the chief.
   */
  protected async editorsFor(actor: Actor, cm: CountermeasureEntity, contributorIds: readonly string[]): Promise<ItemEditors> {
    const named = !isSystem(actor) && (actor.id === cm.ownerId || contributorIds.includes(actor.id!));
    const current = named ? await this.incidents.currentMemberIds(cm.incidentId, [actor.id!]) : new Set<string>();
    return { ownerId: current.has(cm.ownerId) ? cm.ownerId : null, contributorIds: contributorIds.filter((u) => current.has(u)) };
  }

  /**
   * A move decided by another context (an auditor's sign-off or rejection,
   * evidence withdrawn under verified work, a system move) on an item whose
   * incident the caller has locked (`lockItem`). Who may make it is the
   * caller's check; the workflow's rules still apply in full.
   */
  async moveFor(
    actor: Actor,
    cm: CountermeasureEntity,
    to: CountermeasureStatus,
    cause: TransitionCause,
    reason: string | null,
  ): Promise<CountermeasureEntity> {
    if (reason != null) assertReasonLength(reason);
    return this.applyMove(actor, cm, cm.version, to, cause, reason);
  }

  protected async applyMove(
    actor: Actor,
    cm: CountermeasureEntity,
    expectedVersion: number,
    to: CountermeasureStatus,
    cause: TransitionCause,
    reason: string | null,
    /** The item's requirements when the caller read them under the incident lock (else read here). */
    preloaded?: readonly RequirementEntity[],
  ): Promise<CountermeasureEntity> {
    const requirements = preloaded ?? (await this.em.getRepository(RequirementEntity).findBy({ countermeasureId: cm.id }));
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
    const { updated } = await this.updateVersionedEntry(
      actor,
      'countermeasure.status_changed',
      cm,
      expectedVersion,
      { status: decision.to, resumeStatus: decision.resumeStatus },
      { cause: decision.cause, reason: decision.reason },
      {},
      (updatedAt) =>
        this.writeMove(cm.id, expectedVersion, updatedAt, decision.resumeStatus, {
          fromStatus: decision.from,
          toStatus: decision.to,
          cause: decision.cause,
          reason: decision.reason,
          // A system move has no human actor, whoever triggered the check.
          actorId: isSystemCause(cause) ? null : actor.id,
          actorLabel: actor.label,
          at,
        }),
    );
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
   * The move's versioned UPDATE (status, resume status) and its history row in
   * one statement: the history row is inserted from the updated row, so there is
   * none when the version did not match. Returns the row as the UPDATE left it
   * (as `updateIfVersionReturning`), or null.
   */
  private async writeMove(
    id: string,
    expectedVersion: number,
    updatedAt: Date,
    resumeStatus: CountermeasureStatus | null,
    t: Pick<TransitionEntity, 'fromStatus' | 'toStatus' | 'cause' | 'reason' | 'actorId' | 'actorLabel' | 'at'>,
  ): Promise<CountermeasureEntity | null> {
    const rows = (await this.em.query(
      `WITH moved AS (
         UPDATE countermeasures SET status = $1, resume_status = $2, version = version + 1, updated_at = $3
         WHERE id = $4 AND version = $5 RETURNING *),
       history AS (
         INSERT INTO countermeasure_transitions (countermeasure_id, from_status, to_status, cause, reason, actor_id, actor_label, at)
         SELECT id, $6::text, $1::text, $7::text, $8::text, $9::uuid, $10::text, $11::timestamptz FROM moved)
       SELECT * FROM moved`,
      [t.toStatus, resumeStatus, updatedAt, id, expectedVersion, t.fromStatus, t.cause, t.reason, t.actorId, t.actorLabel, t.at],
    )) as Record<string, unknown>[];
    return rows.length === 1 ? hydrate(this.em, CountermeasureEntity, rows[0]!) : null;
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
    return this.refreshFreshnessOf(await this.getById(id));
  }

  /**
   * `refreshFreshness` of an item the caller holds as it stands (e.g. the row a
   * move just wrote) and, if it read them under the incident lock, its requirements.
   */
  protected async refreshFreshnessOf(
    cm: CountermeasureEntity,
    preloaded?: readonly RequirementEntity[],
  ): Promise<CountermeasureEntity | null> {
    if (!cm.ongoing || (cm.status !== CountermeasureStatus.OPERATING && cm.status !== CountermeasureStatus.DEGRADED)) return null;
    const all = preloaded ?? (await this.em.getRepository(RequirementEntity).findBy({ countermeasureId: cm.id }));
    const recurring = all.filter((r) => r.recurrenceDays !== null);
    if (recurring.length === 0) return null;
    const today = this.today();
    // The requirement that goes stale first decides: the measure is fresh only if all are.
    const stalest = recurring
      .map((r) => ({
        r,
        freshThrough: r.latestAcceptedEffectiveOn === null ? null : addDays(r.latestAcceptedEffectiveOn, r.recurrenceDays!),
      }))
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
    return this.applyMove(Actor.system('freshness'), cm, cm.version, move.to, move.cause, why, all);
  }

  /**
   * The freshness of every operating or degraded measure of one incident, in key
   * order (the incident's catch-up of its rules with a date); the caller holds
   * the incident lock and the transaction.
   */
  async refreshFreshnessIn(incidentId: string): Promise<void> {
    const ongoing = await this.em
      .getRepository(CountermeasureEntity)
      .createQueryBuilder('c')
      .select('c.id', 'id')
      .where('c.incidentId = :incidentId AND c.ongoing AND c.status IN (:...statuses)', {
        incidentId,
        statuses: [CountermeasureStatus.OPERATING, CountermeasureStatus.DEGRADED],
      })
      .orderBy('c.seq')
      .getRawMany<{ id: string }>();
    for (const c of ongoing) await this.refreshFreshness(c.id);
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

  protected async chiefOf(incidentId: string): Promise<string | null> {
    return this.incidents.chiefOf(incidentId);
  }

  protected async assertMembers(incidentId: string, userIds: readonly string[]): Promise<void> {
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
  protected async updateVersioned(
    actor: Actor,
    action: string,
    cm: CountermeasureEntity,
    expectedVersion: number,
    set: QueryDeepPartialEntity<CountermeasureEntity>,
    extra: Record<string, unknown> = {},
    beforeExtra: Record<string, unknown> = {},
  ): Promise<CountermeasureEntity> {
    return (await this.updateVersionedEntry(actor, action, cm, expectedVersion, set, extra, beforeExtra)).updated;
  }

  /** updateVersioned, also giving the trail entry (the party history names it). */
  protected async updateVersionedEntry(
    actor: Actor,
    action: string,
    cm: CountermeasureEntity,
    expectedVersion: number,
    set: QueryDeepPartialEntity<CountermeasureEntity>,
    extra: Record<string, unknown> = {},
    beforeExtra: Record<string, unknown> = {},
    /** The versioned UPDATE itself, when it writes more in the same statement (a move's history row). */
    write: (updatedAt: Date) => Promise<CountermeasureEntity | null> = (updatedAt) =>
      updateIfVersionReturning(this.em, CountermeasureEntity, cm.id, expectedVersion, set, updatedAt),
  ): Promise<{ updated: CountermeasureEntity; entry: { id: string; occurredAt: Date } }> {
    // The row as the UPDATE left it (RETURNING): no second read.
    const updated = await write(this.clock.now());
    if (!updated) {
      const current = await this.getById(cm.id);
      throw staleVersion('Countermeasure', countermeasureKey(cm.seq), expectedVersion, current.version);
    }
    const entry = await this.trail.append({
      actor,
      action,
      entityType: 'Countermeasure',
      entityId: cm.id,
      before: { ...snapshot(cm), ...beforeExtra },
      after: { ...snapshot(updated), ...extra },
    });
    return { updated, entry };
  }
}
