import { Inject, Injectable } from '@nestjs/common';
import canonicalize from 'canonicalize';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { AuditTrailService } from '@app/audit-trail';
import { Clock, type Actor } from '@app/common';
import { NoticeBus } from '@app/database';
import { GateChangeEntity, PromotionGateEntity, WebhookDeliveryEntity, type GateChangeCause } from './gate.entities';
import { GATE_CHANNEL, type GateChangedNotice } from './gate.events';
import { GateFactsReader } from './gate-facts';
import { readGatesWithFacts, type GateFactRows } from './gate-facts.sql';
import { deriveGateState, evaluateGate, pendingDateRules, type Blocker, type GateState } from './domain/gate-rules';

/**
 * The gate rule applied and written down: a gate row re-evaluated (facts from
 * GateFactsReader, the pure rule of gate-rules.ts), the row updated, and a
 * state change recorded (history, webhook outbox, trail, pg_notify at commit).
 * The only writer of the gate row; the caller holds the incident lock and is in
 * the transaction of the change. PromotionGateService's commands and
 * CrossRowRules (once per incident, before the commit) call it.
 */
@Injectable()
export class GateEvaluation {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(AuditTrailService) private readonly trail: AuditTrailService,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(GateFactsReader) private readonly gateFacts: GateFactsReader,
    @Inject(NoticeBus) private readonly notices: NoticeBus,
  ) {}

  private get em() {
    return this.txHost.tx;
  }

  /**
   * Every gate of the incident, each read once and re-evaluated once; the
   * caller's transaction holds the incident lock. CrossRowRules calls it once
   * per incident, just before the commit of every change that feeds the rules.
   */
  async reevaluateIncident(incidentId: string, actor: Actor, why: string): Promise<void> {
    // The gate rows and the incident's facts in one statement (the facts are the same for each gate).
    for (const { gate, facts } of await readGatesWithFacts(this.em, incidentId))
      await this.reevaluateRow(gate, actor, why, undefined, facts);
  }

  /**
   * The rule, applied to a gate row read under the incident lock; returns the
   * row as it stands after (no second read). Blockers and date rules are kept
   * current without moving the version: only a change of state (or of the hold,
   * elsewhere) does, so an executive holding the gate is not refused as stale
   * because a required item moved.
   */
  async reevaluateRow(
    gate: PromotionGateEntity,
    actor: Actor,
    why: string,
    cause?: GateChangeCause,
    /** The incident's facts when read with the row (`readGatesWithFacts`), else read here. */
    read?: GateFactRows,
  ): Promise<PromotionGateEntity> {
    const facts = await this.gateFacts.facts(gate, read);
    const blockers = evaluateGate(facts);
    const dateRules = pendingDateRules(facts);
    const next = deriveGateState(blockers, gate.state);
    // jsonb reorders object keys: compare canonical forms, or every re-evaluation would count as a change.
    const changedBlockers = canonicalize(blockers) !== canonicalize(gate.blockers);
    const changedRules = canonicalize(dateRules) !== canonicalize(gate.dateRules);
    if (next === gate.state && !changedBlockers && !changedRules) return gate;
    const set: Partial<PromotionGateEntity> = {
      state: next,
      blockers,
      dateRules,
      reevaluateAt: dateRules.length ? new Date(dateRules[0]!.at) : null,
      ...(next === 'OPEN' ? {} : { openedAt: null, openedByLabel: null, openStatement: null }),
    };
    const updated = await this.updateGate(gate, set, { newVersion: next !== gate.state });
    if (next !== gate.state) {
      const c: GateChangeCause = cause ?? (next === 'SUSPENDED' ? 'RULES_BROKEN' : 'RULES_MET');
      await this.record(gate, gate.state, next, c, why, blockers, actor);
      await this.trail.append({
        actor,
        action: 'gate.state_changed',
        entityType: 'PromotionGate',
        entityId: gate.id,
        before: { state: gate.state },
        after: { state: next, cause: c, reason: why, blockers: blockers.map((b) => b.message) },
      });
    }
    return updated;
  }

  /**
   * The gate row changes only here. Its version moves when its state or its
   * hold changes (`newVersion`), the changes a client deciding on the gate
   * must have seen; kept-current data (blockers, date rules, the webhook) does
   * not move it. `updated_at` is the app Clock's time, not the database's
   * now(): it is the `since` of canPromote and must agree with the history's
   * times (one clock). Returns the row as written (no second read).
   */
  async updateGate(
    gate: PromotionGateEntity,
    set: Partial<PromotionGateEntity>,
    opts: { newVersion: boolean },
  ): Promise<PromotionGateEntity> {
    const updatedAt = this.clock.now();
    await this.em
      .createQueryBuilder()
      .update(PromotionGateEntity)
      // Named either way: left out, TypeORM's update would add `version + 1` for the @VersionColumn by itself.
      .set({ ...(set as object), version: () => (opts.newVersion ? 'version + 1' : 'version'), updatedAt })
      .where('id = :id', { id: gate.id })
      .execute();
    return Object.assign(Object.create(PromotionGateEntity.prototype) as PromotionGateEntity, gate, set, {
      version: opts.newVersion ? gate.version + 1 : gate.version,
      updatedAt,
    });
  }

  /** History entry + webhook outbox row + a notification delivered at commit. */
  async record(
    gate: PromotionGateEntity,
    from: GateState | null,
    to: GateState,
    cause: GateChangeCause,
    reason: string,
    blockers: Blocker[],
    actor: Actor,
  ): Promise<void> {
    const at = this.clock.now();
    const repo = this.em.getRepository(GateChangeEntity);
    const change = await repo.save(
      repo.create({
        gateId: gate.id,
        fromState: from,
        toState: to,
        cause,
        reason,
        blockers,
        actorId: actor.id,
        actorLabel: actor.label,
        at,
      }),
    );
    const notice: GateChangedNotice = {
      gateId: gate.id,
      key: gate.key,
      incidentId: gate.incidentId,
      changeId: change.id,
      fromState: from,
      toState: to,
      cause,
      reason,
      at: at.toISOString(),
    };
    // The row as read under the incident lock: the webhook changes only under that lock too (configureWebhook).
    if (gate.webhookUrl) {
      await this.em.getRepository(WebhookDeliveryEntity).insert({
        gateId: gate.id,
        changeId: change.id,
        url: gate.webhookUrl,
        body: JSON.stringify({
          event: 'gate.changed',
          ...notice,
          canPromote: to === 'OPEN',
          blockers: blockers.map((b) => ({ kind: b.kind, itemKey: b.itemKey, message: b.message })),
        }),
        status: 'PENDING',
        attempts: 0,
        nextAttemptAt: at,
      });
    }
    // Delivered when (and only if) the transaction commits (pg_notify in it, or Redis after it).
    await this.notices.announce(this.em, GATE_CHANNEL, notice);
  }
}
