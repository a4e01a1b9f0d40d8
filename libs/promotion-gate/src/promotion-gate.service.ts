import { Inject, Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { TransactionHost, Transactional } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { AuditTrailService } from '@app/audit-trail';
import { Actor, CASE_TIME_ZONE, Clock, emitInOrder, isSystem, signerProofOf, staleVersion, todayIn } from '@app/common';
import { CountermeasuresService } from '@app/countermeasures';
import { RiskAcceptancesService } from '@app/audits';
import { actorMay, Permission, UsersService } from '@app/identity';
import { uniqueViolationOf } from '@app/database';
import { IncidentsService } from '@app/incidents';
import { GateChangeEntity, PromotionGateEntity, type GateChangeCause } from './gate.entities';
import { GateEvents, type GateDateRulesDue } from './gate.events';
import { GateError, GateErrorCode } from './domain/gate.errors';
import { WebhookTargets } from './webhook-targets';
import { GateFactsReader } from './gate-facts';
import { GateEvaluation } from './gate-evaluation';
import { GateDateRulesService, type GateReevaluationResult } from './gate-date-rules.service';
import { authorizationRefusal, evaluateGate, type Blocker, type GateState } from './domain/gate-rules';

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

/**
 * The promotion gate: its state is derived from the rules (gate-rules.ts) and
 * kept in step in the transaction of every change that feeds them. Every
 * change to an input (a countermeasure's status or gate flag, evidence that
 * reopens work, a clearance, a finding, a risk acceptance) takes the incident
 * lock first and says so with an event; CrossRowRules (cross-row-rules.ts)
 * notes it and, just before the commit, re-evaluates the incident's gates once
 * (`reevaluateIncident`), after the sign-offs and the clearance; so the gate
 * is never OPEN while a rule is broken, whatever runs at the same moment.
 *
 * Rules with a date (gate-rules.ts) change with no change to any row: every
 * read applies them at the Clock's now, catching up first where one lapsed
 * (GateDateRulesService); the facts the rules judge are gathered by
 * GateFactsReader (gate-facts.ts).
 */
@Injectable()
export class PromotionGateService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(IncidentsService) private readonly incidents: IncidentsService,
    @Inject(AuditTrailService) private readonly trail: AuditTrailService,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(RiskAcceptancesService) private readonly riskAcceptances: RiskAcceptancesService,
    @Inject(CountermeasuresService) private readonly countermeasures: CountermeasuresService,
    @Inject(WebhookTargets) private readonly webhookTargets: WebhookTargets,
    @Inject(GateFactsReader) private readonly gateFacts: GateFactsReader,
    @Inject(GateDateRulesService) private readonly dateRules: GateDateRulesService,
    @Inject(EventEmitter2) private readonly events: EventEmitter2,
    @Inject(GateEvaluation) private readonly evaluation: GateEvaluation,
    @Inject(UsersService) private readonly users: UsersService,
  ) {}

  private get em() {
    return this.txHost.tx;
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

  /** The rows as they stand now (GateDateRulesService.current): a lapsed incident catches up with catchUpIncident. */
  private current(rows: PromotionGateEntity[], reread: () => Promise<PromotionGateEntity[]>): Promise<PromotionGateEntity[]> {
    return this.dateRules.current(rows, reread, (incidentId, why) => this.catchUpIncident(incidentId, why));
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
    if (!isSystem(actor) && !actorMay(actor, Permission.GATE_CREATE)) {
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
      const users = await this.users.findByIds(authorizerIds);
      const ok = new Set(users.filter((u) => u.active && actorMay(u, Permission.GATE_DECIDE)).map((u) => u.id));
      const bad = authorizerIds.filter((id) => !ok.has(id));
      if (bad.length)
        throw new GateError(GateErrorCode.INVALID_FIELD, 'Authorizers must be active executives', { field: 'authorizerIds', userIds: bad });
    }
    const keyTaken = () => new GateError(GateErrorCode.KEY_TAKEN, `A gate "${key}" exists already`, { key });
    if (await this.em.getRepository(PromotionGateEntity).existsBy({ key })) throw keyTaken();
    const repo = this.em.getRepository(PromotionGateEntity);
    const now = this.clock.now(); // one clock: the app's, not the database's now()
    // Two creates of one key at once (of two incidents: the incident lock does not order them) both find the
    // key free; the unique index refuses the second: the same KEY_TAKEN as above, not an internal error.
    const gate = await repo
      .save(
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
      )
      .catch((err: unknown) => {
        throw uniqueViolationOf(err) ? keyTaken() : err;
      });
    // The creation is recorded with the blockers it starts with (a past day's dashboard shows the gate
    // with the blockers of its last recorded change); if none, the re-evaluation below records ELIGIBLE.
    await this.evaluation.record(gate, null, 'SUSPENDED', 'CREATED', reason, evaluateGate(await this.gateFacts.facts(gate)), actor);
    await this.trail.append({
      actor,
      action: 'gate.created',
      entityType: 'PromotionGate',
      entityId: gate.id,
      after: { key, name, description, reason, authorizerIds },
    });
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
    const chiefId = await this.incidents.chiefOf(current.incidentId);
    const clearance = await this.gateFacts.standingClearance(current.incidentId);
    const refusal = authorizationRefusal({
      state: current.state,
      actorId: actor.id ?? '',
      isExecutive: actorMay(actor, Permission.GATE_DECIDE),
      chiefId,
      namedAuthorizerIds: current.authorizerIds,
      clearingAuditorId: clearance?.clearedById ?? null,
    });
    if (refusal === 'NOT_AN_AUTHORIZER') {
      throw new GateError(
        GateErrorCode.NOT_PERMITTED,
        current.authorizerIds.length
          ? 'Only the executives this gate names may authorize its reopening'
          : 'Only the task-force chief may authorize the reopening',
        { actor: actor.label },
      );
    }
    if (refusal === 'CLEARING_AUDITOR') {
      throw new GateError(GateErrorCode.CLEARING_AUDITOR, 'The auditor who cleared the audit cannot also authorize the reopening', {
        actor: actor.label,
      });
    }
    if (refusal === 'ALREADY_OPEN')
      throw new GateError(GateErrorCode.ALREADY_OPEN, `Gate "${gate.key}" is already OPEN`, { key: gate.key });
    if (refusal === 'NOT_ELIGIBLE') {
      throw new GateError(
        GateErrorCode.NOT_ELIGIBLE,
        `Gate "${gate.key}" is SUSPENDED: ${current.blockers.map((b) => b.message).join(' ')}`,
        {
          key: gate.key,
          blockers: current.blockers,
        },
      );
    }
    const at = this.clock.now();
    await this.evaluation.updateGate(
      current,
      { state: 'OPEN', openedAt: at, openedByLabel: actor.label, openStatement: why },
      { newVersion: true },
    );
    await this.evaluation.record(current, 'ELIGIBLE', 'OPEN', 'AUTHORIZED', why, [], actor);
    await this.trail.append({
      actor,
      action: 'gate.authorized',
      entityType: 'PromotionGate',
      entityId: gate.id,
      before: { state: 'ELIGIBLE' },
      // How and when the authorizer proved a second factor for this (step-up), covered by the trail's hash chain.
      after: { state: 'OPEN', statement: why, signerProof: signerProofOf(actor) },
    });
    return this.getByKey(key);
  }

  /** An executive suspends the gate by hand at any time (a hold); it stays SUSPENDED until released. */
  @Transactional()
  async hold(actor: Actor, key: string, expectedVersion: number, reason: string): Promise<PromotionGateEntity> {
    assertExecutive(actor, 'suspend the gate');
    const gate = await this.lockGate(key);
    const why = text(reason, 'reason', true);
    if (gate.version !== expectedVersion) throw staleVersion('PromotionGate', gate.key, expectedVersion, gate.version);
    if (gate.heldAt)
      throw new GateError(GateErrorCode.HOLD_STATE, `Gate "${gate.key}" is already held by ${gate.heldByLabel}`, { key: gate.key });
    await this.evaluation.updateGate(gate, { heldAt: this.clock.now(), heldByLabel: actor.label, holdReason: why }, { newVersion: true });
    await this.trail.append({
      actor,
      action: 'gate.held',
      entityType: 'PromotionGate',
      entityId: gate.id,
      before: { state: gate.state },
      after: { hold: why },
    });
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
    await this.evaluation.updateGate(gate, { heldAt: null, heldByLabel: null, holdReason: null }, { newVersion: true });
    await this.trail.append({
      actor,
      action: 'gate.hold_released',
      entityType: 'PromotionGate',
      entityId: gate.id,
      before: { hold: gate.holdReason },
      after: { reason: why },
    });
    await this.reevaluate(gate.id, actor, `hold released: ${why}`, 'HOLD_RELEASED');
    return this.getByKey(key);
  }

  /**
   * Admins set (or clear, with null) the outbound webhook; the secret is write-only.
   * `expectedWebhookVersion` is the configuration the admin replaces (the API always sends it).
   */
  @Transactional()
  async configureWebhook(
    actor: Actor,
    key: string,
    url: string | null,
    secret: string | null,
    expectedWebhookVersion?: number,
  ): Promise<PromotionGateEntity> {
    if (!isSystem(actor) && !actorMay(actor, Permission.INTEGRATIONS_MANAGE)) {
      throw new GateError(GateErrorCode.NOT_PERMITTED, 'Only an admin configures the webhook', { actor: actor.label });
    }
    // http(s), no credentials, a public address (WebhookTargets; WEBHOOK_URL_NOT_ALLOWED otherwise):
    // checked before the gate is locked, as resolving the name may take a moment.
    const clean = url === null ? null : await this.webhookTargets.assertAllowed(url);
    const gate = await this.lockGate(key);
    if (clean !== null) {
      if (!secret || secret.length < 16 || secret.length > 256)
        throw invalid('secret', 'The webhook secret must have 16 to 256 characters');
    }
    if (expectedWebhookVersion !== undefined && gate.webhookVersion !== expectedWebhookVersion)
      throw staleVersion('PromotionGate webhook', gate.key, expectedWebhookVersion, gate.webhookVersion);
    const webhookVersion = gate.webhookVersion + 1;
    await this.evaluation.updateGate(
      gate,
      { webhookUrl: clean, webhookSecret: clean ? secret : null, webhookVersion },
      { newVersion: false },
    );
    await this.trail.append({
      actor,
      action: 'gate.webhook_configured',
      entityType: 'PromotionGate',
      entityId: gate.id,
      before: { url: gate.webhookUrl, webhookVersion: gate.webhookVersion },
      after: { url: clean, webhookVersion },
    });
    return this.getByKey(key);
  }

  // ---- the rule, re-evaluated once per transaction that feeds it (CrossRowRules) ----------------

  /** Every gate of the incident, each read once and re-evaluated once (GateEvaluation; CrossRowRules calls it before the commit). */
  reevaluateIncident(incidentId: string, actor: Actor, why: string): Promise<void> {
    return this.evaluation.reevaluateIncident(incidentId, actor, why);
  }

  /**
   * The catch-up of one incident, in one transaction under its lock: the
   * sweeps of its rules with a date (risk acceptances past their last day end;
   * ongoing measures move OPERATING ⇄ DEGRADED by freshness), then, at the
   * commit, the rules they feed and its gates are re-evaluated (CrossRowRules;
   * which also stores their next date rules).
   */
  @Transactional()
  async catchUpIncident(incidentId: string, why = 'rules with a date re-checked'): Promise<void> {
    await this.incidents.lock(incidentId);
    // Said first: a move the sweeps make is the later, more telling reason in the gate's history.
    await emitInOrder(this.events, GateEvents.DATE_RULES_DUE, {
      incidentId,
      actor: DATE_RULES_ACTOR,
      what: why,
    } satisfies GateDateRulesDue);
    await this.riskAcceptances.expireIn(incidentId, todayIn(CASE_TIME_ZONE, this.clock.now()));
    await this.countermeasures.refreshFreshnessIn(incidentId);
    // The sweeps' consequences (sign-offs, clearances) and every gate of the incident follow at the commit (CrossRowRules).
  }

  /** The gates' sweep (start-up, daily, CLI): GateDateRulesService.reevaluateGates, catching up with catchUpIncident. */
  reevaluateGates(opts: { dueOnly?: boolean } = {}): Promise<GateReevaluationResult> {
    return this.dateRules.reevaluateGates(opts, (incidentId, why) => this.catchUpIncident(incidentId, why));
  }

  private async reevaluate(gateId: string, actor: Actor, why: string, cause?: GateChangeCause): Promise<PromotionGateEntity> {
    const gate = (await this.em.getRepository(PromotionGateEntity).findOneBy({ id: gateId }))!;
    return this.evaluation.reevaluateRow(gate, actor, why, cause);
  }

  private async lockGate(key: string): Promise<PromotionGateEntity> {
    const gate = await this.row(key);
    await this.incidents.lock(gate.incidentId);
    return this.row(key);
  }
}

function invalid(field: string, message: string): GateError {
  return new GateError(GateErrorCode.INVALID_FIELD, message, { field });
}

function text(value: string, field: string, required: boolean): string {
  const t = value.trim();
  if ((required && !t) || [...t].length > MAX_TEXT)
    throw invalid(field, `${field} must have ${required ? '1' : '0'} to ${MAX_TEXT} characters`);
  return t;
}

function assertExecutive(actor: Actor, what: string): void {
  if (!isSystem(actor) && !actorMay(actor, Permission.GATE_DECIDE)) {
    throw new GateError(GateErrorCode.NOT_PERMITTED, `Only an executive may ${what}`, { actor: actor.label });
  }
}
