import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import canonicalize from 'canonicalize';
import { OnEvent } from '@nestjs/event-emitter';
import { TransactionHost, Transactional } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { AuditTrailService } from '@app/audit-trail';
import { Actor, addDays, CASE_TIME_ZONE, Clock, staleVersion, todayIn } from '@app/common';
import {
  CountermeasureEntity,
  CountermeasureEvents,
  CountermeasuresService,
  countermeasureKey,
  RequirementEntity,
  type CountermeasureGateRelevanceChanged,
  type CountermeasureStatusChanged,
} from '@app/countermeasures';
import {
  AuditClearanceEntity,
  AuditClearanceService,
  AuditEngagementEntity,
  AuditEvents,
  isBlockingFinding,
  isExpired,
  RiskAcceptancesService,
  type AuditChanged,
} from '@app/audits';
import { UserEntity } from '@app/identity';
import { uniqueViolationOf } from '@app/database';
import { IncidentsService } from '@app/incidents';
import { GateChangeEntity, PromotionGateEntity, WebhookDeliveryEntity, type GateChangeCause } from './gate.entities';
import { GATE_CHANNEL, type GateChangedNotice } from './gate.events';
import { GateError, GateErrorCode } from './domain/gate.errors';
import { WebhookTargets } from './webhook-targets';
import {
  authorizationRefusal,
  deriveGateState,
  evaluateGate,
  gateAsOf,
  lapsesAfter,
  pendingDateRules,
  type Blocker,
  type BlockerKind,
  type DateRule,
  type GateFacts,
  type GateState,
} from './domain/gate-rules';

export interface CreateGateCommand {
  incidentId: string;
  key: string;
  name: string;
  description?: string | null;
  reason: string;
  authorizerIds?: readonly string[] | null;
}

const MAX_TEXT = 2000;

/** The actor of the date-rule catch-up: a read or a sweep found that a rule with a date lapsed. */
export const DATE_RULES_ACTOR = Actor.system('date-rules');

export interface GateReevaluationResult {
  /** Keys of the gates re-evaluated. */
  checked: string[];
  /** Keys whose state changed. */
  changed: string[];
  /** Incidents whose catch-up failed (logged; the reads still apply the lapse). */
  failed: string[];
}

/**
 * The promotion gate: its state is derived from the rules (gate-rules.ts) and
 * kept in step in the transaction of every change that feeds them. Every
 * change to an input (a countermeasure's status or gate flag, evidence that
 * reopens work, a clearance, a finding, a risk acceptance) takes the incident
 * lock first and emits an event whose listener here re-evaluates before the
 * commit; so the gate is never OPEN while a rule is broken, whatever runs at
 * the same moment.
 *
 * Rules with a date (gate-rules.ts) change with no change to any row: every
 * read applies the stored date rules at the Clock's now (`gateAsOf`), so a
 * read never answers OPEN past a lapse; a read outside a transaction that
 * finds one lapsed first catches up (the incident's expiry and freshness
 * sweeps and the re-evaluation, in their own transaction) and answers from
 * the result, or from the stored row plus the lapse if that fails.
 */
@Injectable()
export class PromotionGateService implements OnModuleDestroy {
  private readonly logger = new Logger(PromotionGateService.name);
  /** One catch-up per incident at a time in this process; readers meeting one wait for it. */
  private readonly catchUps = new Map<string, Promise<boolean>>();

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(IncidentsService) private readonly incidents: IncidentsService,
    @Inject(AuditClearanceService) private readonly audits: AuditClearanceService,
    @Inject(AuditTrailService) private readonly trail: AuditTrailService,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(RiskAcceptancesService) private readonly riskAcceptances: RiskAcceptancesService,
    @Inject(CountermeasuresService) private readonly countermeasures: CountermeasuresService,
    @Inject(WebhookTargets) private readonly webhookTargets: WebhookTargets,
  ) {}

  private get em() {
    return this.txHost.tx;
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([...this.catchUps.values()]);
  }

  // ---- reading ------------------------------------------------------------------------------

  /** The gate as it stands now: its row, with every date rule applied at the Clock's now. */
  async getByKey(key: string): Promise<PromotionGateEntity> {
    const [gate] = await this.current([await this.row(key)], () => this.row(key).then((g) => [g]));
    return gate!;
  }

  /** Every gate (of an incident) as it stands now. */
  async list(incidentId?: string | null): Promise<PromotionGateEntity[]> {
    const read = () => {
      const qb = this.em.getRepository(PromotionGateEntity).createQueryBuilder('g').orderBy('g.key', 'ASC');
      if (incidentId) qb.where('g.incidentId = :incidentId', { incidentId });
      return qb.getMany();
    };
    return this.current(await read(), read);
  }

  /** The stored row (the state as of its last evaluation). */
  private async row(key: string): Promise<PromotionGateEntity> {
    const gate = await this.em.getRepository(PromotionGateEntity).findOneBy({ key: key.trim().toLowerCase() });
    if (!gate) throw new GateError(GateErrorCode.GATE_NOT_FOUND, `No gate "${key}"`, { key });
    return gate;
  }

  /**
   * The rows as they stand now. A row with a lapsed date rule: outside a
   * transaction, its incident catches up first and the rows are read again;
   * whatever is still lapsed then (the catch-up failed, or a transaction is
   * running) is applied on read — SUSPENDED, with the lapsed rule as blocker.
   */
  private async current(rows: PromotionGateEntity[], reread: () => Promise<PromotionGateEntity[]>): Promise<PromotionGateEntity[]> {
    const now = this.clock.now();
    const lapsed = [...new Set(rows.filter((g) => gateAsOf(g, now).lapsed.length > 0).map((g) => g.incidentId))];
    if (lapsed.length > 0 && !this.txHost.isTransactionActive()) {
      const caughtUp = await Promise.all(lapsed.map((id) => this.catchUp(id, 'a rule with a date lapsed (caught up when the gate was read)')));
      if (caughtUp.some(Boolean)) rows = await reread();
    }
    const at = this.clock.now();
    return rows.map((g) => asOf(g, at));
  }

  /** Runs (or joins) the incident's catch-up in its own transaction; false if it failed (logged). */
  private catchUp(incidentId: string, why: string): Promise<boolean> {
    let running = this.catchUps.get(incidentId);
    if (!running) {
      running = this.catchUpIncident(incidentId, why).then(
        () => true,
        (err: unknown) => {
          this.logger.error(`date-rule catch-up of incident ${incidentId} failed: ${err instanceof Error ? err.message : String(err)}`);
          return false;
        },
      );
      const done = running.finally(() => this.catchUps.delete(incidentId));
      this.catchUps.set(incidentId, done);
      return done;
    }
    return running;
  }

  async historyOf(gateIds: readonly string[]): Promise<GateChangeEntity[]> {
    if (gateIds.length === 0) return [];
    return this.em
      .getRepository(GateChangeEntity)
      .createQueryBuilder('h')
      .where('h.gateId = ANY(:ids)', { ids: [...gateIds] })
      .orderBy('h.at', 'ASC')
      .addOrderBy('h.id', 'ASC')
      .getMany();
  }

  /**
   * For promotion systems: one primary-key read of the stored state, with its
   * date rules applied at now (a lapse since the last evaluation: not OPEN).
   */
  async canPromote(key: string): Promise<{ key: string; state: GateState; canPromote: boolean; since: Date; blockers: Blocker[] }> {
    const gate = await this.getByKey(key);
    return { key: gate.key, state: gate.state, canPromote: gate.state === 'OPEN', since: gate.updatedAt, blockers: gate.blockers };
  }

  // ---- changes ------------------------------------------------------------------------------

  /** Executives and admins create a gate; it starts SUSPENDED with a reason, then follows the rules. */
  @Transactional()
  async create(actor: Actor, cmd: CreateGateCommand): Promise<PromotionGateEntity> {
    if (!actor.roles.includes('EXECUTIVE') && !actor.roles.includes('ADMIN') && actor.id !== null) {
      throw new GateError(GateErrorCode.NOT_PERMITTED, 'Only an executive or an admin creates a gate', { actor: actor.label });
    }
    await this.incidents.lock(cmd.incidentId);
    const key = cmd.key.trim().toLowerCase();
    if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(key)) throw invalid('key', 'A gate key has 2 to 63 lowercase letters, digits and hyphens');
    const name = text(cmd.name, 'name', true);
    const reason = text(cmd.reason, 'reason', true);
    const description = text(cmd.description ?? '', 'description', false);
    const authorizerIds = [...new Set(cmd.authorizerIds ?? [])];
    if (authorizerIds.length) {
      const users = await this.em.getRepository(UserEntity).createQueryBuilder('u').where('u.id = ANY(:ids)', { ids: authorizerIds }).getMany();
      const ok = new Set(users.filter((u) => u.active && u.roles.includes('EXECUTIVE')).map((u) => u.id));
      const bad = authorizerIds.filter((id) => !ok.has(id));
      if (bad.length) throw new GateError(GateErrorCode.INVALID_FIELD, 'Authorizers must be active executives', { field: 'authorizerIds', userIds: bad });
    }
    const keyTaken = () => new GateError(GateErrorCode.KEY_TAKEN, `A gate "${key}" exists already`, { key });
    if (await this.em.getRepository(PromotionGateEntity).existsBy({ key })) throw keyTaken();
    const repo = this.em.getRepository(PromotionGateEntity);
    const now = this.clock.now(); // one clock: the app's, not the database's now()
    // Two creates of one key at once (of two incidents: the incident lock does not order them) both find the
    // key free; the unique index refuses the second: the same KEY_TAKEN as above, not an internal error.
    const gate = await repo.save(
      repo.create({
        incidentId: cmd.incidentId,
        key,
        name,
        description,
        createdReason: reason,
        state: 'SUSPENDED',
        blockers: [],
        dateRules: [],
        reevaluateAt: null,
        authorizerIds,
        openedAt: null,
        heldAt: null,
        holdReason: null,
        createdAt: now,
        updatedAt: now,
      }),
    ).catch((err: unknown) => {
      throw uniqueViolationOf(err) ? keyTaken() : err;
    });
    // The creation is recorded with the blockers it starts with (a past day's dashboard shows the gate
    // with the blockers of its last recorded change); if none, the re-evaluation below records ELIGIBLE.
    await this.record(gate, null, 'SUSPENDED', 'CREATED', reason, evaluateGate(await this.facts(gate)), actor);
    await this.trail.append({ actor, action: 'gate.created', entityType: 'PromotionGate', entityId: gate.id, after: { key, name, description, reason, authorizerIds } });
    await this.reevaluate(gate.id, actor, 'created');
    return this.getByKey(key);
  }

  /**
   * Rule 4: an executive (the chief, or one the gate names) authorizes the
   * reopening of an ELIGIBLE gate with a statement; never the clearing auditor.
   */
  @Transactional()
  async authorize(actor: Actor, key: string, expectedVersion: number, statement: string): Promise<PromotionGateEntity> {
    const gate = await this.lockGate(key);
    const why = text(statement, 'statement', true);
    if (gate.version !== expectedVersion) throw staleVersion('PromotionGate', gate.key, expectedVersion, gate.version);
    // What counts is the rule now, under the lock (the stored state is kept in step; this is a second look).
    const current = await this.reevaluate(gate.id, actor, 'checked before authorization');
    const chiefId = await this.chiefOf(current.incidentId);
    const clearance = await this.standingClearance(current.incidentId);
    const refusal = authorizationRefusal({
      state: current.state,
      actorId: actor.id ?? '',
      isExecutive: actor.roles.includes('EXECUTIVE'),
      chiefId,
      namedAuthorizerIds: current.authorizerIds,
      clearingAuditorId: clearance?.clearedById ?? null,
    });
    if (refusal === 'NOT_AN_AUTHORIZER') {
      throw new GateError(
        GateErrorCode.NOT_PERMITTED,
        current.authorizerIds.length ? 'Only the executives this gate names may authorize its reopening' : 'Only the task-force chief may authorize the reopening',
        { actor: actor.label },
      );
    }
    if (refusal === 'CLEARING_AUDITOR') {
      throw new GateError(GateErrorCode.CLEARING_AUDITOR, 'The auditor who cleared the audit cannot also authorize the reopening', { actor: actor.label });
    }
    if (refusal === 'ALREADY_OPEN') throw new GateError(GateErrorCode.ALREADY_OPEN, `Gate "${gate.key}" is already OPEN`, { key: gate.key });
    if (refusal === 'NOT_ELIGIBLE') {
      throw new GateError(GateErrorCode.NOT_ELIGIBLE, `Gate "${gate.key}" is SUSPENDED: ${current.blockers.map((b) => b.message).join(' ')}`, {
        key: gate.key,
        blockers: current.blockers,
      });
    }
    const at = this.clock.now();
    await this.updateGate(current, { state: 'OPEN', openedAt: at, openedByLabel: actor.label, openStatement: why });
    await this.record(current, 'ELIGIBLE', 'OPEN', 'AUTHORIZED', why, [], actor);
    await this.trail.append({ actor, action: 'gate.authorized', entityType: 'PromotionGate', entityId: gate.id, before: { state: 'ELIGIBLE' }, after: { state: 'OPEN', statement: why } });
    return this.getByKey(key);
  }

  /** An executive suspends the gate by hand at any time (a hold); it stays SUSPENDED until released. */
  @Transactional()
  async hold(actor: Actor, key: string, expectedVersion: number, reason: string): Promise<PromotionGateEntity> {
    assertExecutive(actor, 'suspend the gate');
    const gate = await this.lockGate(key);
    const why = text(reason, 'reason', true);
    if (gate.version !== expectedVersion) throw staleVersion('PromotionGate', gate.key, expectedVersion, gate.version);
    if (gate.heldAt) throw new GateError(GateErrorCode.HOLD_STATE, `Gate "${gate.key}" is already held by ${gate.heldByLabel}`, { key: gate.key });
    await this.updateGate(gate, { heldAt: this.clock.now(), heldByLabel: actor.label, holdReason: why });
    await this.trail.append({ actor, action: 'gate.held', entityType: 'PromotionGate', entityId: gate.id, before: { state: gate.state }, after: { hold: why } });
    await this.reevaluate(gate.id, actor, `held by hand: ${why}`, 'HELD_BY_HAND');
    return this.getByKey(key);
  }

  /** Releases a hand hold: the gate follows the rules again (ELIGIBLE at best; opening needs an authorization). */
  @Transactional()
  async releaseHold(actor: Actor, key: string, expectedVersion: number, reason: string): Promise<PromotionGateEntity> {
    assertExecutive(actor, 'release the hold on the gate');
    const gate = await this.lockGate(key);
    const why = text(reason, 'reason', true);
    if (gate.version !== expectedVersion) throw staleVersion('PromotionGate', gate.key, expectedVersion, gate.version);
    if (!gate.heldAt) throw new GateError(GateErrorCode.HOLD_STATE, `Gate "${gate.key}" is not held`, { key: gate.key });
    await this.updateGate(gate, { heldAt: null, heldByLabel: null, holdReason: null });
    await this.trail.append({ actor, action: 'gate.hold_released', entityType: 'PromotionGate', entityId: gate.id, before: { hold: gate.holdReason }, after: { reason: why } });
    await this.reevaluate(gate.id, actor, `hold released: ${why}`, 'HOLD_RELEASED');
    return this.getByKey(key);
  }

  /** Admins set (or clear, with null) the outbound webhook; the secret is write-only. */
  @Transactional()
  async configureWebhook(actor: Actor, key: string, url: string | null, secret: string | null): Promise<PromotionGateEntity> {
    if (actor.id !== null && !actor.roles.includes('ADMIN')) {
      throw new GateError(GateErrorCode.NOT_PERMITTED, 'Only an admin configures the webhook', { actor: actor.label });
    }
    // http(s), no credentials, a public address (WebhookTargets; WEBHOOK_URL_NOT_ALLOWED otherwise):
    // checked before the gate is locked, as resolving the name may take a moment.
    const clean = url === null ? null : await this.webhookTargets.assertAllowed(url);
    const gate = await this.lockGate(key);
    if (clean !== null) {
      if (!secret || secret.length < 16 || secret.length > 256) throw invalid('secret', 'The webhook secret must have 16 to 256 characters');
    }
    await this.updateGate(gate, { webhookUrl: clean, webhookSecret: clean ? secret : null });
    await this.trail.append({ actor, action: 'gate.webhook_configured', entityType: 'PromotionGate', entityId: gate.id, before: { url: gate.webhookUrl }, after: { url: clean } });
    return this.getByKey(key);
  }

  // ---- the rule, re-evaluated inside every change that feeds it -----------------------------

  @OnEvent(CountermeasureEvents.STATUS_CHANGED, { async: true, promisify: true, suppressErrors: false })
  async onStatusChanged(e: CountermeasureStatusChanged): Promise<void> {
    await this.reevaluateIncident(e.incidentId, e.actor, `${e.key} moved ${e.from} → ${e.to}${e.reason ? `: ${e.reason}` : ''}`);
  }

  @OnEvent(CountermeasureEvents.GATE_RELEVANCE_CHANGED, { async: true, promisify: true, suppressErrors: false })
  async onRelevanceChanged(e: CountermeasureGateRelevanceChanged): Promise<void> {
    await this.reevaluateIncident(e.incidentId, e.actor, e.what);
  }

  @OnEvent(AuditEvents.CHANGED, { async: true, promisify: true, suppressErrors: false })
  async onAuditChanged(e: AuditChanged): Promise<void> {
    await this.reevaluateIncident(e.incidentId, e.actor, e.what);
  }

  /** Every gate of the incident; the caller's transaction holds the incident lock. */
  async reevaluateIncident(incidentId: string, actor: Actor, why: string): Promise<void> {
    const gates = await this.em.getRepository(PromotionGateEntity).findBy({ incidentId });
    for (const g of gates) await this.reevaluate(g.id, actor, why);
  }

  /**
   * The catch-up of one incident, in one transaction under its lock: the
   * sweeps of its rules with a date (risk acceptances past their last day end;
   * ongoing measures move OPERATING ⇄ DEGRADED by freshness), then its gates
   * are re-evaluated (which also stores their next date rules).
   */
  @Transactional()
  async catchUpIncident(incidentId: string, why = 'rules with a date re-checked'): Promise<void> {
    await this.incidents.lock(incidentId);
    await this.riskAcceptances.expireIn(incidentId, todayIn(CASE_TIME_ZONE, this.clock.now()));
    const ongoing = await this.em
      .getRepository(CountermeasureEntity)
      .createQueryBuilder('c')
      .where(`c.incidentId = :incidentId AND c.ongoing AND c.status IN ('OPERATING', 'DEGRADED')`, { incidentId })
      .orderBy('c.seq')
      .getMany();
    for (const c of ongoing) await this.countermeasures.refreshFreshness(c.id);
    await this.reevaluateIncident(incidentId, DATE_RULES_ACTOR, why);
  }

  /**
   * The gates' sweep (start-up, daily, CLI): each incident with a gate whose
   * date rule has lapsed (`dueOnly`), or with any gate, catches up in its own
   * transaction; a failure in one does not hold back the others.
   */
  async reevaluateGates(opts: { dueOnly?: boolean } = {}): Promise<GateReevaluationResult> {
    const qb = this.em.getRepository(PromotionGateEntity).createQueryBuilder('g').orderBy('g.key', 'ASC');
    if (opts.dueOnly) qb.where('g.reevaluateAt <= :now', { now: this.clock.now() });
    const before = await qb.getMany();
    const result: GateReevaluationResult = { checked: [], changed: [], failed: [] };
    for (const incidentId of [...new Set(before.map((g) => g.incidentId))]) {
      if (!(await this.catchUp(incidentId, opts.dueOnly ? 'a rule with a date lapsed (sweep)' : 'rules with a date re-checked (sweep)'))) result.failed.push(incidentId);
    }
    const after = new Map((await this.em.getRepository(PromotionGateEntity).findBy({})).map((g) => [g.id, g]));
    for (const g of before) {
      result.checked.push(g.key);
      if (after.get(g.id) && after.get(g.id)!.state !== g.state) result.changed.push(g.key);
    }
    return result;
  }

  private async reevaluate(gateId: string, actor: Actor, why: string, cause?: GateChangeCause): Promise<PromotionGateEntity> {
    const gate = (await this.em.getRepository(PromotionGateEntity).findOneBy({ id: gateId }))!;
    const facts = await this.facts(gate);
    const blockers = evaluateGate(facts);
    const dateRules = pendingDateRules(facts);
    const next = deriveGateState(blockers, gate.state);
    // jsonb reorders object keys: compare canonical forms, or every re-evaluation would count as a change.
    const changedBlockers = canonicalize(blockers) !== canonicalize(gate.blockers);
    const changedRules = canonicalize(dateRules) !== canonicalize(gate.dateRules);
    if (next === gate.state && !changedBlockers && !changedRules) return gate;
    await this.updateGate(gate, {
      state: next,
      blockers,
      dateRules,
      reevaluateAt: dateRules.length ? new Date(dateRules[0]!.at) : null,
      ...(next === 'OPEN' ? {} : { openedAt: null, openedByLabel: null, openStatement: null }),
    });
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
    return (await this.em.getRepository(PromotionGateEntity).findOneBy({ id: gateId }))!;
  }

  private async facts(gate: PromotionGateEntity): Promise<GateFacts> {
    const required = await this.em
      .getRepository(CountermeasureEntity)
      .createQueryBuilder('c')
      .where('c.incidentId = :id AND c.requiredForGate', { id: gate.incidentId })
      .orderBy('c.seq')
      .getMany();
    const owners = required.length
      ? await this.em.getRepository(UserEntity).createQueryBuilder('u').where('u.id = ANY(:ids)', { ids: [...new Set(required.map((c) => c.ownerId))] }).getMany()
      : [];
    const ownerName = new Map(owners.map((u) => [u.id, u.displayName]));
    const clearance = await this.standingClearance(gate.incidentId);
    const engagement = clearance
      ? null
      : await this.em.getRepository(AuditEngagementEntity).findOne({ where: { incidentId: gate.incidentId }, order: { createdAt: 'DESC' } });
    const now = this.clock.now();
    const today = todayIn(CASE_TIME_ZONE, now);
    const candidates = await this.audits.findingFacts(gate.incidentId, true);
    const findings = candidates.filter((f) => isBlockingFinding(f, today));
    const cmKeys = await this.countermeasureKeys(findings.map((f) => f.countermeasureId).filter((x): x is string => !!x));
    const dateRules: DateRule[] = [];
    // A blocking finding closed by a risk acceptance is open again the day after its last day.
    for (const f of candidates) {
      if (f.status !== 'ACCEPTED_RISK' || !f.acceptanceExpiresOn || isExpired(f.acceptanceExpiresOn, today)) continue;
      dateRules.push({
        at: lapsesAfter(f.acceptanceExpiresOn).toISOString(),
        kind: 'OPEN_FINDING',
        itemId: f.id,
        itemKey: f.key,
        itemTitle: f.title,
        ownerId: null,
        ownerName: null,
        message: `Audit finding ${f.key} (${f.severity}) "${f.title}" is open again: its risk acceptance held through ${f.acceptanceExpiresOn} (Asia/Tokyo) and has expired. Resolve it, or an executive accepts the risk again.`,
      });
    }
    // Verified work the gate relies on (required, or in the standing clearance's scope) that lapses by date.
    const inScope = clearance ? await this.audits.scopeCountermeasures(clearance.engagementId) : [];
    const relied = new Map<string, { cm: CountermeasureEntity; kind: BlockerKind }>();
    for (const c of inScope) relied.set(c.id, { cm: c, kind: 'NO_AUDIT_CLEARANCE' });
    for (const c of required) relied.set(c.id, { cm: c, kind: 'COUNTERMEASURE_NOT_VERIFIED' });
    for (const rule of await this.countermeasureDateRules([...relied.values()], now, ownerName)) dateRules.push(rule);
    return {
      required: required.map((c) => ({
        id: c.id,
        key: countermeasureKey(c.seq),
        title: c.title,
        status: c.status,
        ownerId: c.ownerId,
        ownerName: ownerName.get(c.ownerId) ?? null,
        resumeStatus: c.resumeStatus,
      })),
      clearance: clearance ? { id: clearance.id, clearedById: clearance.clearedById, clearedByLabel: clearance.clearedByLabel, clearedAt: clearance.clearedAt } : null,
      auditStatus: engagement?.status ?? null,
      openBlockingFindings: findings.map((f) => ({
        id: f.id,
        key: f.key,
        title: f.title,
        severity: f.severity,
        countermeasureKey: f.countermeasureId ? (cmKeys.get(f.countermeasureId) ?? null) : null,
      })),
      hold: gate.heldAt ? { byLabel: gate.heldByLabel ?? '', at: gate.heldAt, reason: gate.holdReason ?? '' } : null,
      dateRules,
      now,
    };
  }

  /**
   * The instant each verified item stops counting as verified by the calendar
   * alone (its earliest, one rule per item): an OPERATING ongoing measure when
   * a recurring requirement's latest accepted evidence is no longer fresh
   * (effective day + period, then DEGRADED), a VERIFIED or OPERATING one when a
   * requirement it was signed off with, covered only by a risk acceptance,
   * passes that acceptance's last day (then REOPENED). The clearance rule reads
   * the same statuses, so for an item in the audit's scope the clearance goes too.
   */
  private async countermeasureDateRules(
    items: readonly { cm: CountermeasureEntity; kind: BlockerKind }[],
    now: Date,
    ownerName: Map<string, string>,
  ): Promise<DateRule[]> {
    const verified = items.filter((i) => i.cm.status === 'VERIFIED' || i.cm.status === 'OPERATING');
    if (verified.length === 0) return [];
    const requirements = await this.em
      .getRepository(RequirementEntity)
      .createQueryBuilder('r')
      .where('r.countermeasureId = ANY(:ids) AND (r.recurrenceDays IS NOT NULL OR r.riskAcceptedUntil IS NOT NULL)', { ids: verified.map((i) => i.cm.id) })
      .getMany();
    const rules: DateRule[] = [];
    for (const { cm, kind } of verified) {
      const key = countermeasureKey(cm.seq);
      const scopeNote = kind === 'NO_AUDIT_CLEARANCE' ? ' It is in the audit’s scope: the clearance no longer stands.' : '';
      const lapses: { at: Date; message: string }[] = [];
      for (const r of requirements.filter((x) => x.countermeasureId === cm.id)) {
        if (cm.ongoing && cm.status === 'OPERATING' && r.recurrenceDays !== null) {
          const freshThrough = r.latestAcceptedEffectiveOn === null ? null : addDays(r.latestAcceptedEffectiveOn, r.recurrenceDays);
          lapses.push({
            at: freshThrough === null ? now : lapsesAfter(freshThrough),
            message:
              freshThrough === null
                ? `${key} ${cm.title}: "${r.title}" has no accepted evidence, so its recurring evidence is stale (fresh evidence must be accepted).${scopeNote}`
                : `${key} ${cm.title}: the recurring evidence of "${r.title}" was fresh through ${freshThrough} (Asia/Tokyo) and is stale now (fresh evidence must be accepted).${scopeNote}`,
          });
        }
        const fullyEvidenced = r.liveEvidenceCount > 0 && r.acceptedEvidenceCount === r.liveEvidenceCount;
        if (r.riskAcceptedUntil !== null && !fullyEvidenced) {
          lapses.push({
            at: lapsesAfter(r.riskAcceptedUntil),
            message: `${key} ${cm.title}: the risk acceptance that covers "${r.title}" held through ${r.riskAcceptedUntil} (Asia/Tokyo) and has expired; the work is open again.${scopeNote}`,
          });
        }
      }
      const first = lapses.sort((a, b) => a.at.getTime() - b.at.getTime())[0];
      if (!first) continue;
      rules.push({
        at: first.at.toISOString(),
        kind,
        itemId: cm.id,
        itemKey: key,
        itemTitle: cm.title,
        ownerId: cm.ownerId,
        ownerName: ownerName.get(cm.ownerId) ?? null,
        message: first.message,
      });
    }
    return rules;
  }

  private async countermeasureKeys(ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.em.getRepository(CountermeasureEntity).createQueryBuilder('c').where('c.id = ANY(:ids)', { ids: [...ids] }).getMany();
    return new Map(rows.map((c) => [c.id, countermeasureKey(c.seq)]));
  }

  private standingClearance(incidentId: string): Promise<AuditClearanceEntity | null> {
    return this.em
      .getRepository(AuditClearanceEntity)
      .createQueryBuilder('c')
      .where('c.incidentId = :incidentId AND c.withdrawnAt IS NULL', { incidentId })
      .orderBy('c.clearedAt', 'DESC')
      .getOne();
  }

  private async chiefOf(incidentId: string): Promise<string | null> {
    const members = await this.incidents.taskForce([incidentId]);
    return members.find((m) => m.isChief && m.leftOn === null)?.userId ?? null;
  }

  private async lockGate(key: string): Promise<PromotionGateEntity> {
    const gate = await this.row(key);
    await this.incidents.lock(gate.incidentId);
    return this.row(key);
  }

  /**
   * The gate row changes only here, always bumping its version (clients holding
   * the old one reload). `updated_at` is the app Clock's time, not the
   * database's now(): it is the `since` of canPromote and must agree with the
   * history's times (one clock).
   */
  private async updateGate(gate: PromotionGateEntity, set: Partial<PromotionGateEntity>): Promise<void> {
    await this.em
      .createQueryBuilder()
      .update(PromotionGateEntity)
      .set({ ...(set as object), version: () => 'version + 1', updatedAt: this.clock.now() })
      .where('id = :id', { id: gate.id })
      .execute();
  }

  /** History entry + webhook outbox row + a notification delivered at commit. */
  private async record(gate: PromotionGateEntity, from: GateState | null, to: GateState, cause: GateChangeCause, reason: string, blockers: Blocker[], actor: Actor): Promise<void> {
    const at = this.clock.now();
    const repo = this.em.getRepository(GateChangeEntity);
    const change = await repo.save(repo.create({ gateId: gate.id, fromState: from, toState: to, cause, reason, blockers, actorId: actor.id, actorLabel: actor.label, at }));
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
    const fresh = (await this.em.getRepository(PromotionGateEntity).findOneBy({ id: gate.id }))!;
    if (fresh.webhookUrl) {
      await this.em.getRepository(WebhookDeliveryEntity).insert({
        gateId: gate.id,
        changeId: change.id,
        url: fresh.webhookUrl,
        body: JSON.stringify({ event: 'gate.changed', ...notice, canPromote: to === 'OPEN', blockers: blockers.map((b) => ({ kind: b.kind, itemKey: b.itemKey, message: b.message })) }),
        status: 'PENDING',
        attempts: 0,
        nextAttemptAt: at,
      });
    }
    // pg_notify inside the transaction is delivered when (and only if) it commits.
    await this.em.query('SELECT pg_notify($1, $2)', [GATE_CHANNEL, JSON.stringify(notice)]);
  }
}

/** The gate as it stands at `now`: the row, with its lapsed date rules applied (a copy; the row is untouched). */
function asOf(g: PromotionGateEntity, now: Date): PromotionGateEntity {
  const view = gateAsOf(g, now);
  if (view.lapsed.length === 0) return g;
  // Past a lapse the gate has left OPEN: the authorization is spent, as the re-evaluation will record.
  const lapsed = new Set(view.lapsed);
  return Object.assign(Object.create(PromotionGateEntity.prototype) as PromotionGateEntity, g, {
    state: view.state,
    blockers: view.blockers,
    // Applied once: the lapsed rules are blockers now; `updatedAt` is when the state read now began.
    dateRules: g.dateRules.filter((r) => !lapsed.has(r)),
    updatedAt: view.since,
    openedAt: null,
    openedByLabel: null,
    openStatement: null,
  });
}

function invalid(field: string, message: string): GateError {
  return new GateError(GateErrorCode.INVALID_FIELD, message, { field });
}

function text(value: string, field: string, required: boolean): string {
  const t = value.trim();
  if ((required && !t) || [...t].length > MAX_TEXT) throw invalid(field, `${field} must have ${required ? '1' : '0'} to ${MAX_TEXT} characters`);
  return t;
}

function assertExecutive(actor: Actor, what: string): void {
  if (actor.id !== null && !actor.roles.includes('EXECUTIVE')) {
    throw new GateError(GateErrorCode.NOT_PERMITTED, `Only an executive may ${what}`, { actor: actor.label });
  }
}
