import { Inject, Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import type { DataSource, EntityManager, EntitySubscriberInterface, TransactionCommitEvent } from 'typeorm';
import type { Actor } from '@app/common';
import { CountermeasureEvents, type CountermeasureGateRelevanceChanged, type CountermeasureStatusChanged } from '@app/countermeasures';
import { AuditClearanceService, AuditEvents, isVerifiedForClearance, type AuditChanged } from '@app/audits';
import { EvidenceService } from '@app/evidence';
import { IncidentsService } from '@app/incidents';
import { GateEvaluation } from './gate-evaluation';
import { GateEvents, type GateDateRulesDue } from './gate.events';

/** A change that feeds a cross-row rule, as the command that made it described it. */
interface NotedChange {
  actor: Actor;
  /** In words, for the gate's history ("CM-004 moved VERIFIED → REOPENED: ..."). */
  what: string;
  /** Set for a countermeasure's status change: the sign-off and the clearance react to those. */
  status?: CountermeasureStatusChanged;
}

/** What one transaction changed so far, by incident, in the order it happened. */
type Pending = Map<string, NotedChange[]>;

/**
 * The cross-row rules, run once per transaction, just before it commits, in
 * this written order (CONVENTIONS.md, "Cross-row rules run once, in one
 * written order, before commit"):
 *
 * 1. **evidence reactions** — a countermeasure moved to REOPENED or CANCELLED:
 *    its standing sign-off is revoked (EvidenceService.revokeSignOffAfter);
 * 2. **clearance** — an incident whose countermeasure left VERIFIED/OPERATING:
 *    its standing clearances are re-checked and withdrawn where the rule no
 *    longer holds (AuditClearanceService.reevaluate), once per incident;
 * 3. **gate** — an incident with any change that feeds the gate (a status, a
 *    "required for the gate" flag, an audit change — including a withdrawal of
 *    step 2 —, a date-rule catch-up): each of its gates is re-evaluated once
 *    (GateEvaluation.reevaluateIncident).
 *
 * The commands say what they changed through the events of their context
 * (`CountermeasureEvents`, `AuditEvents`, emitted inside their transaction);
 * this class is the only listener, and listening only notes the change (no
 * I/O), so the order of listeners decides nothing. The rules run in
 * `settle()`, which the transaction's commit calls (a TypeORM
 * `beforeTransactionCommit` subscriber: every transaction, however it was
 * started, and once, however many changes it made); a command that must see
 * the rules' result before it returns may call `settle()` itself (a no-op
 * at the commit then, unless it changed more). A failure in a rule fails the commit: the change rolls back with it.
 * Notifications and subscriptions still go out after the commit (pg_notify).
 *
 * Every command that feeds the rules took the incident lock before its change
 * (`IncidentsService.lock`); `settle` makes sure of it per incident
 * (`IncidentsService.holdLock`: no statement when this transaction took it,
 * else the lock), so the rules never run without it.
 */
@Injectable()
export class CrossRowRules implements EntitySubscriberInterface {
  /** Keyed by the transaction's EntityManager (one per transaction; gone with it). */
  private readonly pending = new WeakMap<EntityManager, Pending>();

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @InjectDataSource() dataSource: DataSource,
    @Inject(IncidentsService) private readonly incidents: IncidentsService,
    @Inject(EvidenceService) private readonly evidence: EvidenceService,
    @Inject(AuditClearanceService) private readonly clearance: AuditClearanceService,
    @Inject(GateEvaluation) private readonly gates: GateEvaluation,
  ) {
    dataSource.subscribers.push(this);
  }

  // ---- noting what changed (no I/O) ------------------------------------------------------------

  @OnEvent(CountermeasureEvents.STATUS_CHANGED, { async: true, promisify: true, suppressErrors: false })
  onStatusChanged(e: CountermeasureStatusChanged): void {
    this.note(e.incidentId, { actor: e.actor, what: `${e.key} moved ${e.from} → ${e.to}${e.reason ? `: ${e.reason}` : ''}`, status: e });
  }

  @OnEvent(CountermeasureEvents.GATE_RELEVANCE_CHANGED, { async: true, promisify: true, suppressErrors: false })
  onRelevanceChanged(e: CountermeasureGateRelevanceChanged): void {
    this.note(e.incidentId, { actor: e.actor, what: e.what });
  }

  @OnEvent(AuditEvents.CHANGED, { async: true, promisify: true, suppressErrors: false })
  onAuditChanged(e: AuditChanged): void {
    this.note(e.incidentId, { actor: e.actor, what: e.what });
  }

  @OnEvent(GateEvents.DATE_RULES_DUE, { async: true, promisify: true, suppressErrors: false })
  onDateRulesDue(e: GateDateRulesDue): void {
    this.note(e.incidentId, { actor: e.actor, what: e.what });
  }

  /** Notes that an input of the incident's gates changed in this transaction. */
  private note(incidentId: string, change: NotedChange): void {
    if (!this.txHost.isTransactionActive()) throw new Error('A change that feeds the cross-row rules must be made inside a transaction');
    const tx = this.txHost.tx;
    let pending = this.pending.get(tx);
    if (!pending) this.pending.set(tx, (pending = new Map()));
    const list = pending.get(incidentId) ?? [];
    list.push(change);
    pending.set(incidentId, list);
  }

  // ---- running the rules, once, in the written order -------------------------------------------

  /** The transaction is about to commit: run what its changes call for (a failure here rolls it back). */
  async beforeTransactionCommit(event: TransactionCommitEvent): Promise<void> {
    // A savepoint's release is not the commit (nested transactions settle with the outer one).
    if ((event.queryRunner as { transactionDepth?: number }).transactionDepth !== 1) return;
    if (!this.pending.get(event.manager)?.size) return;
    if (!this.txHost.isTransactionActive() || this.txHost.tx !== event.manager) {
      throw new Error('The cross-row rules must run in the transaction that made the changes');
    }
    await this.settle();
  }

  /**
   * Runs the rules for every change noted in this transaction so far: sign-offs,
   * then clearances, then gates, each at most once per incident. A change a
   * rule makes (a clearance withdrawn) is noted and served by the later steps.
   */
  async settle(): Promise<void> {
    if (!this.txHost.isTransactionActive()) return;
    const pending = this.pending.get(this.txHost.tx);
    if (!pending) return;
    while (pending.size > 0) {
      const [incidentId, changes] = pending.entries().next().value as [string, NotedChange[]];
      await this.incidents.holdLock(incidentId);
      // 1. evidence reactions: the first move of each item to REOPENED or CANCELLED revokes its sign-off.
      const revoked = new Set<string>();
      for (const c of changes) {
        const s = c.status;
        if (!s || revoked.has(s.countermeasureId) || (s.to !== 'REOPENED' && s.to !== 'CANCELLED')) continue;
        revoked.add(s.countermeasureId);
        await this.evidence.revokeSignOffAfter(s);
      }
      // 2. clearance: only a move out of the verified statuses can break it (the first such move is the cause).
      const leaving = changes.find((c) => c.status && isVerifiedForClearance(c.status.from) && !isVerifiedForClearance(c.status.to));
      if (leaving) await this.clearance.reevaluate(incidentId, leaving.actor, leaving.what);
      // 3. gate: once, for everything noted (a withdrawal in step 2 included); the latest change is the one in words.
      const all = pending.get(incidentId)!;
      pending.delete(incidentId);
      const last = all.at(-1)!;
      await this.gates.reevaluateIncident(incidentId, last.actor, last.what);
    }
  }
}
