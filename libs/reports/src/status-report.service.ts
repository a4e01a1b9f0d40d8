import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Actor, CASE_TIME_ZONE, Clock, todayIn } from '@app/common';
import { AuditTrailService } from '@app/audit-trail';
import { FINDING_SEVERITIES, findingKey } from '@app/audits';
import { ALL_COUNTERMEASURE_STATUSES, countermeasureKey, isOverdue, type CountermeasureStatus } from '@app/countermeasures';
import { IncidentsService } from '@app/incidents';
import { PromotionGateService } from '@app/promotion-gate';
import {
  localIso,
  STATUS_REPORT_VERSION,
  type ReportCountermeasure,
  type ReportEngagement,
  type ReportFormat,
  type StatusReport,
} from './domain/status-report';
import { namedIncidentId, onlyIncident } from './domain/report-request';
import { renderCsv } from './render/csv';
import { renderPdf } from './render/pdf';

/** Who asks for the report (named on it, and in the audit trail). */
export interface ReportRequester {
  id: string;
  email: string;
  displayName: string;
  roles: readonly string[];
}

export interface GeneratedReport {
  report: StatusReport;
  format: ReportFormat;
  bytes: Buffer;
  mediaType: string;
  /** Suggested file name: ASCII, and the Japanese one for `filename*`. */
  fileName: string;
  fileNameJa: string;
  sha256: string;
}

/** The gate counts these as verified (gate-rules.ts, rule 1). */
const GATE_VERIFIED: ReadonlySet<string> = new Set(['VERIFIED', 'OPERATING']);

/**
 * The status report for the board and the regulator: reads the case, every
 * countermeasure with its evidence state, the audit and the gates in one
 * REPEATABLE READ, read-only transaction (one consistent snapshot; at most
 * seven statements whatever the number of countermeasures), renders it,
 * and records in the audit trail that it was generated (`report.generated`)
 * before a byte leaves the server.
 *
 * A declared read model: for speed it SELECTs other contexts' tables in its
 * own statements (incidents, countermeasures, countermeasure_requirements,
 * countermeasure_sign_offs, users, audit_engagements, audit_clearances,
 * audit_findings), in a READ ONLY transaction; it writes nothing of theirs.
 * Its one write, the trail entry, goes through AuditTrailService.
 */
@Injectable()
export class StatusReportService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(IncidentsService) private readonly incidents: IncidentsService,
    @Inject(PromotionGateService) private readonly gates: PromotionGateService,
    @Inject(AuditTrailService) private readonly trail: AuditTrailService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  private get em() {
    return this.txHost.tx;
  }

  /**
   * Renders the report in `format` and records its generation in the audit
   * trail (format, incident, SHA-256 of the bytes). If the entry cannot be
   * written, the report is not handed out.
   */
  async generate(requester: ReportRequester, format: ReportFormat, incidentId?: string | null): Promise<GeneratedReport> {
    const report = await this.build(incidentId, this.clock.now(), { name: requester.displayName, email: requester.email });
    const bytes = format === 'csv' ? renderCsv(report) : await renderPdf(report);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await this.recordGenerated(Actor.user(requester), report, format, bytes.length, sha256);
    const stamp = report.generatedAtLocal.slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
    return {
      report,
      format,
      bytes,
      sha256,
      mediaType: format === 'csv' ? 'text/csv; charset=utf-8' : 'application/pdf',
      fileName: `status-report-${stamp}.${format}`,
      fileNameJa: `再発防止策進捗報告書_${stamp}.${format}`,
    };
  }

  /**
   * The report as data, read at `now`. Without `incidentId`: the only incident
   * (several: INVALID_INPUT, name one; none: NOT_FOUND).
   */
  async build(incidentId: string | null | undefined, now: Date, generatedBy: StatusReport['generatedBy']): Promise<StatusReport> {
    return this.txHost.withTransaction({ isolationLevel: 'REPEATABLE READ' }, async () => {
      await this.em.query('SET TRANSACTION READ ONLY');
      const incident = await this.incidents.getById(await this.resolveIncident(incidentId));
      const id = incident.id;
      const asOfDay = todayIn(CASE_TIME_ZONE, now);
      const categories = await this.incidents.dataCategories([id]);
      const countermeasures = await this.countermeasures(id, asOfDay);
      const audit = await this.audit(id);
      const gates = await this.gates.list(id);
      const byStatus = ALL_COUNTERMEASURE_STATUSES.map((status) => ({
        status,
        count: countermeasures.filter((c) => c.status === status).length,
      })).filter((s) => s.count > 0);
      const required = countermeasures.filter((c) => c.requiredForGate);
      return {
        version: STATUS_REPORT_VERSION,
        generatedAt: now.toISOString(),
        generatedAtLocal: localIso(now, CASE_TIME_ZONE),
        timeZone: CASE_TIME_ZONE,
        asOfDay,
        generatedBy,
        incident: {
          id: incident.id,
          title: incident.title,
          summary: incident.summary,
          detectedOn: incident.detectedOn,
          policeReportedOn: incident.policeReportedOn,
          regulatorReportedOn: incident.regulatorReportedOn,
          disclosedOn: incident.disclosedOn,
          leakedData: categories.filter((c) => c.leaked).map((c) => c.name),
          notLeakedData: categories.filter((c) => !c.leaked).map((c) => c.name),
        },
        totals: {
          countermeasures: countermeasures.length,
          byStatus,
          overdue: countermeasures.filter((c) => c.overdue).length,
          requiredForGate: required.length,
          requiredForGateVerified: required.filter((c) => GATE_VERIFIED.has(c.status)).length,
        },
        countermeasures,
        audit,
        gates: gates.map((g) => ({
          key: g.key,
          name: g.name,
          state: g.state,
          canPromote: g.state === 'OPEN',
          since: g.updatedAt.toISOString(),
          blockers: g.blockers.map((b) => ({ kind: b.kind, itemKey: b.itemKey, message: b.message })),
        })),
      };
    });
  }

  @Transactional()
  private async recordGenerated(
    actor: Actor,
    report: StatusReport,
    format: ReportFormat,
    sizeBytes: number,
    sha256: string,
  ): Promise<void> {
    await this.trail.append({
      actor,
      action: 'report.generated',
      entityType: 'Incident',
      entityId: report.incident.id,
      after: {
        report: report.version,
        format,
        incidentId: report.incident.id,
        generatedAt: report.generatedAt,
        asOfDay: report.asOfDay,
        countermeasures: report.countermeasures.length,
        sizeBytes,
        sha256,
      },
    });
  }

  private async resolveIncident(incidentId: string | null | undefined): Promise<string> {
    const named = namedIncidentId(incidentId);
    if (named !== null) return named;
    const rows: { id: string }[] = await this.em.query('SELECT id FROM incidents ORDER BY created_at DESC, id DESC LIMIT 2');
    return onlyIncident(rows.map((r) => r.id));
  }

  /** Every countermeasure of the incident with its owner, evidence state and standing sign-off: one statement. */
  private async countermeasures(incidentId: string, asOfDay: string): Promise<ReportCountermeasure[]> {
    const rows: {
      seq: number;
      title: string;
      category: string;
      status: CountermeasureStatus;
      due_date: string;
      required_for_gate: boolean;
      ongoing: boolean;
      owner_name: string;
      requirements: number;
      with_live: number;
      with_accepted: number;
      risk_accepted: number;
      sign_off_digest: string | null;
      signed_at: Date | null;
      auditor_label: string | null;
    }[] = await this.em.query(
      `SELECT c.seq, c.title, c.category, c.status, c.due_date::text AS due_date, c.required_for_gate, c.ongoing,
              u.display_name AS owner_name,
              q.requirements, q.with_live, q.with_accepted, q.risk_accepted,
              s.digest AS sign_off_digest, s.signed_at, s.auditor_label
         FROM countermeasures c
         JOIN users u ON u.id = c.owner_id
         CROSS JOIN LATERAL (
           SELECT count(*)::int AS requirements,
                  (count(*) FILTER (WHERE r.live_evidence_count > 0))::int AS with_live,
                  (count(*) FILTER (WHERE r.accepted_evidence_count > 0))::int AS with_accepted,
                  (count(*) FILTER (WHERE r.risk_accepted_until >= $2::date))::int AS risk_accepted
             FROM countermeasure_requirements r WHERE r.countermeasure_id = c.id) q
         LEFT JOIN countermeasure_sign_offs s ON s.countermeasure_id = c.id AND s.revoked_at IS NULL
        WHERE c.incident_id = $1
        ORDER BY c.seq`,
      [incidentId, asOfDay],
    );
    return rows.map((r) => ({
      key: countermeasureKey(r.seq),
      title: r.title,
      category: r.category,
      ownerName: r.owner_name,
      status: r.status,
      dueDate: r.due_date,
      overdue: isOverdue(r.status, r.due_date, asOfDay),
      requiredForGate: r.required_for_gate,
      ongoing: r.ongoing,
      requirements: r.requirements,
      requirementsWithLiveEvidence: r.with_live,
      requirementsWithAcceptedEvidence: r.with_accepted,
      requirementsRiskAccepted: r.risk_accepted,
      signOff: r.sign_off_digest
        ? { digest: r.sign_off_digest, signedAt: new Date(r.signed_at!).toISOString(), auditor: r.auditor_label ?? '' }
        : null,
    }));
  }

  /** The engagements with their standing clearance, and the unresolved findings: two statements. */
  private async audit(incidentId: string): Promise<StatusReport['audit']> {
    const engagements: {
      title: string;
      firm: string;
      status: string;
      lead_auditor: string;
      starts_on: string | null;
      ends_on: string | null;
      digest: string | null;
      cleared_at: Date | null;
      cleared_by: string | null;
    }[] = await this.em.query(
      `SELECT e.title, e.firm, e.status, u.display_name AS lead_auditor, e.starts_on::text AS starts_on, e.ends_on::text AS ends_on,
              k.digest, k.cleared_at, coalesce(cu.display_name, k.cleared_by_label) AS cleared_by
         FROM audit_engagements e
         JOIN users u ON u.id = e.lead_auditor_id
         LEFT JOIN audit_clearances k ON k.engagement_id = e.id AND k.withdrawn_at IS NULL
         LEFT JOIN users cu ON cu.id = k.cleared_by_id
        WHERE e.incident_id = $1
        ORDER BY e.created_at, e.id`,
      [incidentId],
    );
    const findings: { seq: number; severity: string; status: string; title: string; cm_seq: number | null }[] = await this.em.query(
      `SELECT f.seq, f.severity, f.status, f.title, c.seq AS cm_seq
         FROM audit_findings f
         LEFT JOIN countermeasures c ON c.id = f.countermeasure_id
        WHERE f.incident_id = $1 AND f.status <> 'RESOLVED'
        ORDER BY f.seq`,
      [incidentId],
    );
    const mapped: ReportEngagement[] = engagements.map((e) => ({
      title: e.title,
      firm: e.firm,
      status: e.status,
      leadAuditor: e.lead_auditor,
      startsOn: e.starts_on,
      endsOn: e.ends_on,
      clearance: e.digest ? { digest: e.digest, clearedAt: new Date(e.cleared_at!).toISOString(), clearedBy: e.cleared_by ?? '' } : null,
    }));
    return {
      engagements: mapped,
      cleared: mapped.some((e) => e.clearance !== null),
      unresolvedFindingsBySeverity: FINDING_SEVERITIES.map((severity) => ({
        severity,
        open: findings.filter((f) => f.severity === severity && f.status === 'OPEN').length,
        acceptedRisk: findings.filter((f) => f.severity === severity && f.status === 'ACCEPTED_RISK').length,
      })),
      unresolvedFindings: findings.map((f) => ({
        key: findingKey(f.seq),
        severity: f.severity,
        status: f.status,
        title: f.title,
        countermeasureKey: f.cm_seq === null ? null : countermeasureKey(f.cm_seq),
      })),
    };
  }
}
