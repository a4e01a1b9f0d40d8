import { Inject, Injectable } from '@nestjs/common';
import { TransactionHost, Transactional } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { AuditTrailService } from '@app/audit-trail';
import { Actor, Clock, emitInOrder } from '@app/common';
import { IncidentsService } from '@app/incidents';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import {
  CountermeasureContributorEntity,
  CountermeasureEntity,
  countermeasureKey,
  DueDateChangeEntity,
  RequirementEntity,
  TransitionEntity,
} from './countermeasure.entities';
import { CountermeasureEvents, type CountermeasureGateRelevanceChanged } from './countermeasure.events';
import { CountermeasureMoves } from './countermeasure-moves';
import { assertMayDecide, assertMayEdit, assertMayPlan, assertMayReplan } from './domain/countermeasure-access';
import { CountermeasureError, CountermeasureErrorCode } from './domain/countermeasure.errors';
import {
  assertReasonLength,
  assertRequirementsOpen,
  checkDescription,
  checkReason,
  checkRequirement,
  checkTitle,
  snapshot,
  type RequirementCommand,
} from './domain/countermeasure-checks';
import { assertCalendarDay } from './domain/countermeasure-fields';
import { CountermeasureStatus, TransitionCause } from './domain/countermeasure-workflow';
import { endParties, startParties } from './party-history';
import type { CreateCountermeasureCommand, UpdateCountermeasureCommand } from './countermeasure.commands';
import { REQUIREMENT_RISK_ACCEPTANCES, type RequirementEvidenceState, type RequirementRiskAcceptances } from './countermeasure-ports';

export { isSignedOff, snapshot, type RequirementCommand } from './domain/countermeasure-checks';
export type { CountermeasureFilter, CountermeasureOrder } from './countermeasure-reads';
export type { CreateCountermeasureCommand, UpdateCountermeasureCommand } from './countermeasure.commands';

/**
 * Countermeasures: reads (CountermeasureReads), the workflow's moves and the
 * freshness sweep (CountermeasureMoves), and here the commands of people and of
 * other contexts. One class for callers; three files along those seams.
 */
@Injectable()
export class CountermeasuresService extends CountermeasureMoves {
  constructor(
    @Inject(TransactionHost) txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(IncidentsService) incidents: IncidentsService,
    @Inject(AuditTrailService) trail: AuditTrailService,
    @Inject(Clock) clock: Clock,
    @Inject(EventEmitter2) events: EventEmitter2,
    @Inject(REQUIREMENT_RISK_ACCEPTANCES) private readonly riskAcceptances: RequirementRiskAcceptances,
  ) {
    super(txHost, clock, incidents, trail, events);
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
      await this.em
        .getRepository(CountermeasureContributorEntity)
        .insert(contributorIds.map((userId) => ({ countermeasureId: cm.id, userId })));
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
    const entry = await this.trail.append({
      actor,
      action: 'countermeasure.created',
      entityType: 'Countermeasure',
      entityId: cm.id,
      after: { ...snapshot(cm), contributorIds, requirements: requirements.map((r) => r.title) },
    });
    await startParties(this.em, cm.id, 'OWNER', [cm.ownerId], entry.occurredAt, entry.id);
    await startParties(this.em, cm.id, 'CONTRIBUTOR', contributorIds, entry.occurredAt, entry.id);
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
    const { updated, entry } = await this.updateVersionedEntry(
      actor,
      'countermeasure.owner_assigned',
      cm,
      expectedVersion,
      { ownerId },
      wasContributor ? { removedContributorId: ownerId } : {},
    );
    if (wasContributor) {
      await this.em.getRepository(CountermeasureContributorEntity).delete({ countermeasureId: cm.id, userId: ownerId });
      await endParties(this.em, cm.id, 'CONTRIBUTOR', [ownerId], entry.occurredAt, entry.id);
    }
    if (ownerId !== cm.ownerId) {
      await endParties(this.em, cm.id, 'OWNER', [cm.ownerId], entry.occurredAt, entry.id);
      await startParties(this.em, cm.id, 'OWNER', [ownerId], entry.occurredAt, entry.id);
    }
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
    const { updated, entry } = await this.updateVersionedEntry(
      actor,
      'countermeasure.contributors_changed',
      cm,
      expectedVersion,
      {},
      { contributorIds: next },
      { contributorIds: before },
    );
    const repo = this.em.getRepository(CountermeasureContributorEntity);
    await repo.delete({ countermeasureId: cm.id });
    if (next.length) await repo.insert(next.map((userId) => ({ countermeasureId: cm.id, userId })));
    await endParties(
      this.em,
      cm.id,
      'CONTRIBUTOR',
      before.filter((u) => !next.includes(u)),
      entry.occurredAt,
      entry.id,
    );
    await startParties(
      this.em,
      cm.id,
      'CONTRIBUTOR',
      next.filter((u) => !before.includes(u)),
      entry.occurredAt,
      entry.id,
    );
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
      throw new CountermeasureError(CountermeasureErrorCode.INVALID_FIELD, `The due date is already ${next}`, {
        field: 'dueDate',
        value: next,
      });
    }
    const updated = await this.updateVersioned(
      actor,
      'countermeasure.due_date_changed',
      cm,
      expectedVersion,
      { dueDate: next },
      { reason: why },
    );
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
  async transition(
    actor: Actor,
    id: string,
    expectedVersion: number,
    to: CountermeasureStatus,
    reason: string | null,
  ): Promise<CountermeasureEntity> {
    const { cm, requirements, contributorIds } = await this.lockItemForMove(id);
    const cause =
      to === CountermeasureStatus.CANCELLED
        ? TransitionCause.EXECUTIVE
        : to === CountermeasureStatus.REOPENED
          ? TransitionCause.REOPEN
          : TransitionCause.USER;
    if (cause === TransitionCause.USER) assertMayEdit(actor, await this.editorsFor(actor, cm, contributorIds));
    else assertMayDecide(actor, to === CountermeasureStatus.CANCELLED ? 'cancel a countermeasure' : 'reopen a countermeasure');
    if (reason != null) assertReasonLength(reason);
    const moved = await this.applyMove(actor, cm, expectedVersion, to, cause, reason, requirements);
    // Starting to operate (or unblocking a degraded measure) re-checks freshness at once, on the row
    // as the move wrote it (its requirements are as read under the lock: a move does not change them).
    return (await this.refreshFreshnessOf(moved, requirements)) ?? moved;
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
    const updated = await this.updateVersioned(
      actor,
      'countermeasure.requirement_added',
      cm,
      expectedVersion,
      {},
      { requirement: checked },
    );
    await this.em.getRepository(RequirementEntity).insert({ ...checked, countermeasureId: cm.id });
    return updated;
  }

  /** Removes a requirement that has no evidence; one with evidence (even withdrawn) is kept. */
  @Transactional()
  async removeRequirement(actor: Actor, requirementId: string, expectedVersion: number, reason: string): Promise<CountermeasureEntity> {
    const req = await this.em.getRepository(RequirementEntity).findOneBy({ id: requirementId });
    if (!req) {
      throw new CountermeasureError(CountermeasureErrorCode.REQUIREMENT_NOT_FOUND, `Requirement ${requirementId} does not exist`, {
        id: requirementId,
      });
    }
    const cm = await this.lockItem(req.countermeasureId);
    assertMayReplan(actor, await this.parties(cm));
    assertRequirementsOpen(cm);
    const why = checkReason(reason);
    const current = await this.em.getRepository(RequirementEntity).findOneByOrFail({ id: req.id });
    // A risk acceptance (the audits context's, asked through its port: refused cleanly
    // here what its foreign key would refuse with an error) also keeps the requirement.
    const accepted = await this.riskAcceptances.countFor(req.id);
    if (current.evidenceTotal > 0 || accepted > 0) {
      throw new CountermeasureError(
        CountermeasureErrorCode.REQUIREMENT_HAS_EVIDENCE,
        `Requirement "${req.title}" has evidence (${current.evidenceTotal} submitted) or a risk acceptance (${accepted}): it is kept, because they rest on it`,
        { id: req.id, evidenceTotal: current.evidenceTotal, riskAcceptances: accepted },
      );
    }
    const updated = await this.updateVersioned(
      actor,
      'countermeasure.requirement_removed',
      cm,
      expectedVersion,
      {},
      {
        requirement: { id: req.id, title: req.title, recurrenceDays: req.recurrenceDays },
        reason: why,
      },
    );
    await this.em.getRepository(RequirementEntity).delete({ id: req.id });
    return updated;
  }

  // ---- what other contexts tell about requirements (they never write the table themselves) ----

  /**
   * The evidence context's facts about a requirement's evidence (counted from its
   * own rows in the same transaction), kept here where the workflow reads them.
   */
  async recordEvidenceState(requirementId: string, state: RequirementEvidenceState): Promise<RequirementEntity> {
    const repo = this.em.getRepository(RequirementEntity);
    await repo.update(
      { id: requirementId },
      {
        evidenceTotal: state.total,
        liveEvidenceCount: state.live,
        acceptedEvidenceCount: state.accepted,
        latestAcceptedEffectiveOn: state.latestAcceptedEffectiveOn,
      },
    );
    return repo.findOneByOrFail({ id: requirementId });
  }

  /** An executive's risk acceptance (the audits context) covers the requirement through `until`. */
  async markRiskAccepted(requirementId: string, riskAcceptanceId: string, until: string): Promise<void> {
    await this.em.getRepository(RequirementEntity).update({ id: requirementId }, { riskAcceptedUntil: until, riskAcceptanceId });
  }

  /**
   * That acceptance ended: the requirement is open again. Returns the requirement
   * as it was, or null when this acceptance was not (or no longer) the one covering it.
   */
  async clearRiskAcceptance(requirementId: string, riskAcceptanceId: string): Promise<RequirementEntity | null> {
    const repo = this.em.getRepository(RequirementEntity);
    const req = await repo.findOneBy({ id: requirementId });
    if (!req || req.riskAcceptanceId !== riskAcceptanceId) return null;
    await repo.update({ id: req.id }, { riskAcceptedUntil: null, riskAcceptanceId: null });
    return req;
  }
}
