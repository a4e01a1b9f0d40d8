import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Clock } from '@app/common';
import { PromotionGateEntity } from './gate.entities';
import { gateAsOf } from './domain/gate-rules';

export interface GateReevaluationResult {
  /** Keys of the gates re-evaluated. */
  checked: string[];
  /** Keys whose state changed. */
  changed: string[];
  /** Incidents whose catch-up failed (logged; the reads still apply the lapse). */
  failed: string[];
}

/** The catch-up of one incident in its own transaction (PromotionGateService.catchUpIncident). */
export type IncidentCatchUp = (incidentId: string, why: string) => Promise<void>;

/**
 * The gate's rules with a date, at read time. Rules with a date (gate-rules.ts)
 * change with no change to any row: every read applies the stored date rules
 * at the Clock's now (`gateAsOf`), so a read never answers OPEN past a lapse;
 * a read outside a transaction that finds one lapsed first catches up (the
 * incident's expiry and freshness sweeps and the re-evaluation, in their own
 * transaction) and answers from the result, or from the stored row plus the
 * lapse if that fails. The catch-up itself is PromotionGateService's (it
 * re-evaluates the gates); this service runs one per incident at a time.
 */
@Injectable()
export class GateDateRulesService implements OnModuleDestroy {
  // The log lines keep the context they had before this part left PromotionGateService.
  private readonly logger = new Logger('PromotionGateService');
  /** One catch-up per incident at a time in this process; readers meeting one wait for it. */
  private readonly catchUps = new Map<string, Promise<boolean>>();

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  private get em() {
    return this.txHost.tx;
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([...this.catchUps.values()]);
  }

  /**
   * The rows as they stand now. A row with a lapsed date rule: outside a
   * transaction, its incident catches up first and the rows are read again;
   * whatever is still lapsed then (the catch-up failed, or a transaction is
   * running) is applied on read — SUSPENDED, with the lapsed rule as blocker.
   */
  async current(
    rows: PromotionGateEntity[],
    reread: () => Promise<PromotionGateEntity[]>,
    catchUpIncident: IncidentCatchUp,
  ): Promise<PromotionGateEntity[]> {
    const now = this.clock.now();
    const lapsed = [...new Set(rows.filter((g) => gateAsOf(g, now).lapsed.length > 0).map((g) => g.incidentId))];
    if (lapsed.length > 0 && !this.txHost.isTransactionActive()) {
      const caughtUp = await Promise.all(
        lapsed.map((id) => this.catchUp(id, 'a rule with a date lapsed (caught up when the gate was read)', catchUpIncident)),
      );
      if (caughtUp.some(Boolean)) rows = await reread();
    }
    const at = this.clock.now();
    return rows.map((g) => asOf(g, at));
  }

  /** Runs (or joins) the incident's catch-up in its own transaction; false if it failed (logged). */
  private catchUp(incidentId: string, why: string, catchUpIncident: IncidentCatchUp): Promise<boolean> {
    let running = this.catchUps.get(incidentId);
    if (!running) {
      running = catchUpIncident(incidentId, why).then(
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

  /**
   * The gates' sweep (start-up, daily, CLI): each incident with a gate whose
   * date rule has lapsed (`dueOnly`), or with any gate, catches up in its own
   * transaction; a failure in one does not hold back the others.
   */
  async reevaluateGates(opts: { dueOnly?: boolean }, catchUpIncident: IncidentCatchUp): Promise<GateReevaluationResult> {
    const qb = this.em.getRepository(PromotionGateEntity).createQueryBuilder('g').orderBy('g.key', 'ASC');
    if (opts.dueOnly) qb.where('g.reevaluateAt <= :now', { now: this.clock.now() });
    const before = await qb.getMany();
    const result: GateReevaluationResult = { checked: [], changed: [], failed: [] };
    for (const incidentId of [...new Set(before.map((g) => g.incidentId))]) {
      if (
        !(await this.catchUp(
          incidentId,
          opts.dueOnly ? 'a rule with a date lapsed (sweep)' : 'rules with a date re-checked (sweep)',
          catchUpIncident,
        ))
      )
        result.failed.push(incidentId);
    }
    const after = new Map((await this.em.getRepository(PromotionGateEntity).findBy({})).map((g) => [g.id, g]));
    for (const g of before) {
      result.checked.push(g.key);
      if (after.get(g.id) && after.get(g.id)!.state !== g.state) result.changed.push(g.key);
    }
    return result;
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
