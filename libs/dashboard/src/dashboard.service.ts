import { Inject, Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { CASE_TIME_ZONE, Clock, isUuid, todayIn } from '@app/common';
import { namedStatementsAllowed } from '@app/database';
import { gateAsOf, withMessage, type DateRule, type GateState } from '@app/promotion-gate';
import { DashboardError, DashboardErrorCode } from './domain/dashboard.errors';
import { endOfDayInTokyo, incidentStartDay, resolveAsOf, share } from './domain/dashboard-day';
import { dashboardStatement, ENTRY_INCIDENT_STATEMENT, INCIDENT_STATEMENT, type DashboardSource } from './dashboard.sql';
import type {
  ActivityEntry,
  BlockedItem,
  Dashboard,
  DashboardRequest,
  DashboardTotals,
  GateSummary,
  ReviewQueueSummary,
} from './dashboard.types';

const STATEMENTS: Record<DashboardSource, string> = { current: dashboardStatement('current'), history: dashboardStatement('history') };

/** Each list of the dashboard holds at most this many items, most urgent first. */
export const DASHBOARD_LIST_LIMIT = 50;
/** The latest activity: this many audit-trail entries. */
export const DASHBOARD_ACTIVITY_LIMIT = 15;

export interface DashboardIncident {
  id: string;
  title: string;
  /** The first day a dashboard of it may show. */
  startsOn: string;
}

type Raw = Omit<
  Dashboard,
  | 'asOf'
  | 'generatedAt'
  | 'incidentId'
  | 'incidentTitle'
  | 'startsOn'
  | 'source'
  | 'totals'
  | 'blocked'
  | 'reviewQueue'
  | 'latestActivity'
  | 'gate'
> & {
  totals: Omit<DashboardTotals, 'verifiedShare' | 'requiredVerifiedShare'>;
  blocked: (Omit<BlockedItem, 'blockedSince'> & { blockedSince: string | null })[];
  reviewQueue: Omit<ReviewQueueSummary, 'oldestUploadedAt'> & { oldestUploadedAt: string | null };
  latestActivity: (Omit<ActivityEntry, 'at' | 'seq'> & { at: string; seq: string | number })[];
  /** `dateRules` and `updatedAt` come with the current row only (a past day shows its recorded change). */
  gate: (Omit<GateSummary, 'canPromote'> & { dateRules?: DateRule[]; updatedAt?: string }) | null;
};

/**
 * The executive dashboard: two SQL statements whatever the data size (the
 * incident, then the whole picture as JSON built by PostgreSQL, see
 * dashboard.sql.ts). Node only renames and converts a bounded result.
 */
@Injectable()
export class DashboardService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  private get em() {
    return this.txHost.tx;
  }

  today(): string {
    return todayIn(CASE_TIME_ZONE, this.clock.now());
  }

  /** The incident named, or the most recent one; INCIDENT_NOT_FOUND otherwise. */
  async incident(incidentId?: string | null): Promise<DashboardIncident> {
    if (incidentId && !isUuid(incidentId)) throw incidentNotFound(incidentId);
    const [row] = (await this.em.query(INCIDENT_STATEMENT, [incidentId ?? null])) as {
      id: string;
      title: string;
      detected_on: string | null;
      created_on: string;
    }[];
    if (!row) throw incidentNotFound(incidentId ?? null);
    return { id: row.id, title: row.title, startsOn: incidentStartDay({ detectedOn: row.detected_on, createdOn: row.created_on }) };
  }

  async dashboard(req: DashboardRequest = {}): Promise<Dashboard> {
    const incident = await this.incident(req.incidentId);
    const generatedAt = this.clock.now();
    const today = todayIn(CASE_TIME_ZONE, generatedAt);
    const asOf = resolveAsOf(req.asOf, incident.startsOn, today);
    const source: DashboardSource = req.source ?? (asOf === today ? 'current' : 'history');
    const d = await this.prepared<Raw>(source, [
      incident.id,
      asOf,
      endOfDayInTokyo(asOf),
      incident.startsOn,
      DASHBOARD_LIST_LIMIT,
      DASHBOARD_ACTIVITY_LIMIT,
    ]);
    return {
      asOf,
      generatedAt,
      incidentId: incident.id,
      incidentTitle: incident.title,
      startsOn: incident.startsOn,
      source,
      totals: {
        ...d.totals,
        verifiedShare: share(d.totals.verified, d.totals.total),
        requiredVerifiedShare: share(d.totals.requiredVerified, d.totals.requiredTotal),
      },
      byStatus: d.byStatus,
      byCategory: d.byCategory,
      overdue: d.overdue,
      dueSoon: d.dueSoon,
      blocked: d.blocked.map((b) => ({ ...b, blockedSince: b.blockedSince ? new Date(b.blockedSince) : null })),
      atRisk: d.atRisk,
      reviewQueue: { ...d.reviewQueue, oldestUploadedAt: d.reviewQueue.oldestUploadedAt ? new Date(d.reviewQueue.oldestUploadedAt) : null },
      findings: d.findings,
      gate: d.gate ? currentGate(d.gate, generatedAt) : null,
      ownerLoad: d.ownerLoad,
      burnUp: d.burnUp,
      latestActivity: d.latestActivity.map((a) => ({ ...a, seq: String(a.seq), at: new Date(a.at) })),
    };
  }

  /**
   * The dashboard statement as a named prepared statement of the connection
   * (node-postgres parses it once per connection; PostgreSQL then reuses its
   * plan): the statement is large, and planning it every time cost more than
   * running it on the kept state. Through the query runner of the current
   * transaction if there is one, else one borrowed from the pool for this call.
   * Not named under DATABASE_POOLING=transaction (namedStatementsAllowed).
   */
  private async prepared<T>(source: DashboardSource, values: unknown[]): Promise<T> {
    const em = this.em;
    const runner = em.queryRunner ?? em.connection.createQueryRunner();
    try {
      const client = (await runner.connect()) as {
        query(config: { name?: string; text: string; values: unknown[] }): Promise<{ rows: { dashboard: T }[] }>;
      };
      // Behind a transaction pooler a name would outlive the server connection it was parsed on: unnamed there.
      const name = namedStatementsAllowed(em.connection) ? `dashboard-${source}` : undefined;
      const { rows } = await client.query({ name, text: STATEMENTS[source], values });
      return rows[0]!.dashboard;
    } finally {
      if (!em.queryRunner) await runner.release();
    }
  }

  /**
   * For the live subscriptions: the incident an audit-trail entry belongs to
   * (null for users, API keys...), and the key when it is a countermeasure.
   */
  async entryScope(entityType: string, entityId: string): Promise<{ incidentId: string | null; countermeasureKey: string | null }> {
    if (!isUuid(entityId)) return { incidentId: null, countermeasureKey: null };
    const [row] = (await this.em.query(ENTRY_INCIDENT_STATEMENT, [entityType, entityId])) as {
      incident_id: string | null;
      countermeasure_key: string | null;
    }[];
    return { incidentId: row?.incident_id ?? null, countermeasureKey: row?.countermeasure_key ?? null };
  }
}

/**
 * The gate's block as it stands at `now`: a date rule that lapsed since the
 * gate was last evaluated makes it SUSPENDED with that rule's blocker, as
 * `gate(key)` and `canPromote` say (gateAsOf, @app/promotion-gate).
 */
function currentGate(g: NonNullable<Raw['gate']>, now: Date): GateSummary {
  const { dateRules, updatedAt, ...summary } = g;
  if (!dateRules) return { ...summary, blockers: summary.blockers.map(withMessage), canPromote: summary.state === 'OPEN' };
  const view = gateAsOf(
    { state: summary.state as GateState, blockers: summary.blockers, dateRules, updatedAt: new Date(updatedAt ?? 0) },
    now,
  );
  return { ...summary, state: view.state, blockers: view.blockers, canPromote: view.state === 'OPEN' };
}

function incidentNotFound(id: string | null): DashboardError {
  return id
    ? new DashboardError(DashboardErrorCode.INCIDENT_NOT_FOUND, `Incident ${id} does not exist`, { incidentId: id })
    : new DashboardError(DashboardErrorCode.INCIDENT_NOT_FOUND, 'There is no incident yet');
}
