import { Inject, Injectable } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import { IncidentsService } from '@app/incidents';
import { CountermeasureEntity } from './countermeasure.entities';
import { EVIDENCE_PLACEMENT, type EvidencePlacement } from './countermeasure-ports';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';

/** How many kept rows disagree with a recount, per kind of kept state (0 everywhere: in step). */
export interface KeptStateReport {
  /** Cells of countermeasure_status_counts that differ from counting the countermeasures. */
  statusCounts: number;
  /** (incident, day, status) rows of countermeasure_status_days that differ from summing the transitions. */
  statusDays: number;
  /** Countermeasures whose status_changed_at / status_reason are not their latest transition's. */
  statusTimes: number;
  /** Evidence whose incident_id is not its countermeasure's (frozen: reported, never repaired). */
  evidenceIncidents: number;
}

/** The per-day flow recounted from the transitions (the migration DashboardKeptState fills the table the same way). */
const DAYS_RECOUNT = `
  SELECT c.incident_id, (t.at AT TIME ZONE 'Asia/Tokyo')::date AS day, s.status, sum(s.delta)::int AS delta
  FROM countermeasure_transitions t JOIN countermeasures c ON c.id = t.countermeasure_id
  CROSS JOIN LATERAL (VALUES (t.to_status, 1), (t.from_status, -1)) s(status, delta)
  WHERE s.status IS NOT NULL
  GROUP BY 1, 2, 3`;
const COUNTS_RECOUNT = `SELECT incident_id, category, status, required_for_gate, count(*)::int AS count FROM countermeasures GROUP BY 1, 2, 3, 4`;
/** Each countermeasure's latest transition (of two at one instant, the one into its current status). */
const LATEST_TRANSITION = `
  SELECT DISTINCT ON (t.countermeasure_id) t.countermeasure_id, t.at, t.reason
  FROM countermeasure_transitions t JOIN countermeasures x ON x.id = t.countermeasure_id
  ORDER BY t.countermeasure_id, t.at DESC, (t.to_status = x.status) DESC`;

/**
 * The state the dashboard reads instead of scanning — kept by database triggers
 * in the transaction of each change (migration DashboardKeptState) — checked
 * against a recount from the rows it summarises, and rebuilt from them on
 * demand (`npm run cli -- check-kept-state [--repair]`). Drift can only come
 * from bypassing the triggers (replica role, disabled triggers, TRUNCATE); a
 * change that meets it fails instead of counting on.
 */
@Injectable()
export class KeptStateService {
  constructor(
    @Inject(TransactionHost) private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(IncidentsService) private readonly incidents: IncidentsService,
    @Inject(EVIDENCE_PLACEMENT) private readonly evidence: EvidencePlacement,
  ) {}

  private get em() {
    return this.txHost.tx;
  }

  async check(): Promise<KeptStateReport> {
    const [row] = (await this.em.query(`
      SELECT
        (SELECT count(*)::int FROM (
           (SELECT incident_id, category, status, required_for_gate, count FROM countermeasure_status_counts WHERE count > 0 EXCEPT ${COUNTS_RECOUNT})
           UNION ALL (${COUNTS_RECOUNT} EXCEPT SELECT incident_id, category, status, required_for_gate, count FROM countermeasure_status_counts WHERE count > 0)) d) AS status_counts,
        (SELECT count(*)::int FROM (
           (SELECT incident_id, day, status, delta FROM countermeasure_status_days WHERE delta <> 0 EXCEPT SELECT * FROM (${DAYS_RECOUNT}) r WHERE r.delta <> 0)
           UNION ALL (SELECT * FROM (${DAYS_RECOUNT}) r WHERE r.delta <> 0 EXCEPT SELECT incident_id, day, status, delta FROM countermeasure_status_days WHERE delta <> 0)) d) AS status_days,
        (SELECT count(*)::int FROM countermeasures c JOIN (${LATEST_TRANSITION}) l ON l.countermeasure_id = c.id
          WHERE (c.status_changed_at, c.status_reason) IS DISTINCT FROM (l.at, l.reason)) AS status_times`)) as {
      status_counts: number;
      status_days: number;
      status_times: number;
    }[];
    return {
      statusCounts: row!.status_counts,
      statusDays: row!.status_days,
      statusTimes: row!.status_times,
      evidenceIncidents: await this.misplacedEvidence(),
    };
  }

  /** Evidence rows (the evidence context counts them) whose incident is not their countermeasure's. */
  private async misplacedEvidence(): Promise<number> {
    const pairs = await this.evidence.evidenceCountsByCountermeasureAndIncident();
    if (pairs.length === 0) return 0;
    const ids = [...new Set(pairs.map((p) => p.countermeasureId))];
    const items = await this.em
      .getRepository(CountermeasureEntity)
      .createQueryBuilder('c')
      .select(['c.id', 'c.incidentId'])
      .where('c.id = ANY(:ids)', { ids })
      .getMany();
    const incidentOf = new Map(items.map((c) => [c.id, c.incidentId]));
    return pairs.filter((p) => incidentOf.get(p.countermeasureId) !== p.incidentId).reduce((n, p) => n + Number(p.count), 0);
  }

  /**
   * Rebuilds the counts, the daily flow and the status times from the rows, in
   * one transaction holding every incident's lock (the lock every change takes
   * first), so no change runs meanwhile. Answers the check after the rebuild.
   */
  @Transactional()
  async repair(): Promise<KeptStateReport> {
    await this.incidents.lockAll();
    await this.em.query(`DELETE FROM countermeasure_status_counts`);
    await this.em.query(
      `INSERT INTO countermeasure_status_counts (incident_id, category, status, required_for_gate, count) ${COUNTS_RECOUNT}`,
    );
    await this.em.query(`DELETE FROM countermeasure_status_days`);
    await this.em.query(`INSERT INTO countermeasure_status_days (incident_id, day, status, delta) ${DAYS_RECOUNT}`);
    await this.em.query(`UPDATE countermeasures c SET status_changed_at = l.at, status_reason = l.reason
      FROM (${LATEST_TRANSITION}) l WHERE l.countermeasure_id = c.id AND (c.status_changed_at, c.status_reason) IS DISTINCT FROM (l.at, l.reason)`);
    return this.check();
  }
}
