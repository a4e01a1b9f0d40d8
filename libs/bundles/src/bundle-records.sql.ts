import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import type { BundleScope } from './evidence-bundle.entity';

/**
 * What a bundle holds of the records, read in one REPEATABLE READ, READ ONLY
 * transaction (one consistent picture), as plain JSON-ready objects.
 *
 * A declared read model (test/architecture/table-owners.ts, READ_MODELS): it
 * SELECTs the owners' tables for the scope and writes nothing of theirs.
 *
 * A record is in the bundle when it existed at the as-of instant (created,
 * uploaded, reviewed, signed, raised, cleared, accepted at or before it); it is
 * shown as it stands when the bundle is built.
 */
export interface BundleRecords {
  incidentId: string;
  incident: Row[];
  countermeasures: Row[];
  requirements: Row[];
  evidence: EvidenceRow[];
  reviews: Row[];
  signOffs: Row[];
  engagements: Row[];
  findings: Row[];
  clearances: Row[];
  riskAcceptances: Row[];
  gateHistory: Row[];
  /** Every id of the scope's records: the trail entries about them are the trail in scope. */
  entityIds: string[];
}

export type Row = Record<string, unknown>;

export interface EvidenceRow extends Row {
  id: string;
  kind: string;
  sha256: string;
  fileName: string;
  size: number | null;
}

const iso = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(v as string).toISOString());
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

@Injectable()
export class BundleRecordsReader {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private q<T = Row>(sql: string, params: unknown[]): Promise<T[]> {
    return this.txHost.tx.query(sql, params);
  }

  /** The incident a scope belongs to, or null when the scope's record does not exist. */
  async incidentOf(scope: BundleScope, id: string): Promise<string | null> {
    const sql = {
      INCIDENT: 'SELECT id AS incident_id FROM incidents WHERE id = $1',
      ENGAGEMENT: 'SELECT incident_id FROM audit_engagements WHERE id = $1',
      COUNTERMEASURE: 'SELECT incident_id FROM countermeasures WHERE id = $1',
    }[scope];
    const rows = await this.q<{ incident_id: string }>(sql, [id]);
    return rows[0]?.incident_id ?? null;
  }

  async read(scope: BundleScope, scopeId: string, asOf: Date): Promise<BundleRecords> {
    return this.txHost.withTransaction({ isolationLevel: 'REPEATABLE READ' }, async () => {
      await this.txHost.tx.query('SET TRANSACTION READ ONLY');
      const incidentId = await this.incidentOf(scope, scopeId);
      if (!incidentId) throw new Error(`${scope} ${scopeId} does not exist`);
      const cmIds = await this.countermeasureIds(scope, scopeId, incidentId, asOf);
      const engagementIds = await this.engagementIds(scope, scopeId, incidentId, cmIds, asOf);
      const incident = (
        await this.q(
          `SELECT id, title, summary, detected_on::text, police_reported_on::text, regulator_reported_on::text, disclosed_on::text, created_at
             FROM incidents WHERE id = $1`,
          [incidentId],
        )
      ).map((r) => ({
        id: r.id,
        title: r.title,
        summary: r.summary,
        detectedOn: r.detected_on,
        policeReportedOn: r.police_reported_on,
        regulatorReportedOn: r.regulator_reported_on,
        disclosedOn: r.disclosed_on,
        createdAt: iso(r.created_at),
      }));
      const countermeasures = (
        await this.q(
          `SELECT id, seq, parent_id, title, description, category, owner_id, priority, due_date::text, required_for_gate, ongoing,
                  status, status_reason, created_at, status_changed_at
             FROM countermeasures WHERE id = ANY($1::uuid[]) ORDER BY seq, id`,
          [cmIds],
        )
      ).map((r) => ({
        id: r.id,
        seq: r.seq,
        parentId: r.parent_id,
        title: r.title,
        description: r.description,
        category: r.category,
        ownerId: r.owner_id,
        priority: r.priority,
        dueDate: r.due_date,
        requiredForGate: r.required_for_gate,
        ongoing: r.ongoing,
        status: r.status,
        statusReason: r.status_reason,
        statusChangedAt: iso(r.status_changed_at),
        createdAt: iso(r.created_at),
      }));
      const requirements = (
        await this.q(
          `SELECT id, countermeasure_id, position, title, description, recurrence_days
             FROM countermeasure_requirements WHERE countermeasure_id = ANY($1::uuid[]) ORDER BY countermeasure_id, position, id`,
          [cmIds],
        )
      ).map((r) => ({
        id: r.id,
        countermeasureId: r.countermeasure_id,
        position: r.position,
        title: r.title,
        description: r.description,
        recurrenceDays: r.recurrence_days,
      }));
      const evidence: EvidenceRow[] = (
        await this.q(
          `SELECT id, countermeasure_id, requirement_id, target_id, version_no, kind, status, sha256, name, description, media_type,
                  size_bytes, url, statement, effective_on::text, supersedes_id, uploaded_by_label, uploaded_at, review_decision,
                  reviewed_at, withdrawn_at, withdrawal_reason
             FROM evidence WHERE countermeasure_id = ANY($1::uuid[]) AND uploaded_at <= $2
            ORDER BY countermeasure_id, requirement_id, version_no, id`,
          [cmIds, asOf],
        )
      ).map((r) => ({
        id: r.id as string,
        countermeasureId: r.countermeasure_id,
        requirementId: r.requirement_id,
        targetId: r.target_id,
        versionNo: r.version_no,
        kind: r.kind as string,
        status: r.status,
        sha256: r.sha256 as string,
        fileName: r.name as string,
        description: r.description,
        mediaType: r.media_type,
        size: num(r.size_bytes),
        url: r.url,
        statement: r.statement,
        effectiveOn: r.effective_on,
        supersedesId: r.supersedes_id,
        uploadedByLabel: r.uploaded_by_label,
        uploadedAt: iso(r.uploaded_at),
        reviewDecision: r.review_decision,
        reviewedAt: iso(r.reviewed_at),
        withdrawnAt: iso(r.withdrawn_at),
        withdrawalReason: r.withdrawal_reason,
      }));
      const evidenceIds = evidence.map((e) => e.id);
      const reviews = (
        await this.q(
          `SELECT id, evidence_id, sha256, decision, comment, reviewer_id, reviewer_label, at
             FROM evidence_reviews WHERE evidence_id = ANY($1::uuid[]) AND at <= $2 ORDER BY at, id`,
          [evidenceIds, asOf],
        )
      ).map((r) => ({
        id: r.id,
        evidenceId: r.evidence_id,
        sha256: r.sha256,
        decision: r.decision,
        comment: r.comment,
        reviewerId: r.reviewer_id,
        reviewerLabel: r.reviewer_label,
        at: iso(r.at),
      }));
      const signOffs = (
        await this.q(
          `SELECT id, countermeasure_id, auditor_id, auditor_label, statement, payload, digest, signed_at, revoked_at, revoked_reason
             FROM countermeasure_sign_offs WHERE countermeasure_id = ANY($1::uuid[]) AND signed_at <= $2 ORDER BY signed_at, id`,
          [cmIds, asOf],
        )
      ).map((r) => ({
        id: r.id,
        countermeasureId: r.countermeasure_id,
        auditorId: r.auditor_id,
        auditorLabel: r.auditor_label,
        statement: r.statement,
        payload: r.payload,
        digest: r.digest,
        signedAt: iso(r.signed_at),
        revokedAt: iso(r.revoked_at),
        revokedReason: r.revoked_reason,
      }));
      const engagements = (
        await this.q(
          `SELECT e.id, e.title, e.firm, e.lead_auditor_id, e.status, e.starts_on::text, e.ends_on::text, e.conclusion, e.created_at,
                  coalesce((SELECT array_agg(s.countermeasure_id ORDER BY s.countermeasure_id)
                              FROM audit_scope_countermeasures s WHERE s.engagement_id = e.id), '{}') AS scope_ids
             FROM audit_engagements e WHERE e.id = ANY($1::uuid[]) ORDER BY e.created_at, e.id`,
          [engagementIds],
        )
      ).map((r) => ({
        id: r.id,
        title: r.title,
        firm: r.firm,
        leadAuditorId: r.lead_auditor_id,
        status: r.status,
        startsOn: r.starts_on,
        endsOn: r.ends_on,
        conclusion: r.conclusion,
        scopeCountermeasureIds: r.scope_ids,
        createdAt: iso(r.created_at),
      }));
      const findingWhere =
        scope === 'INCIDENT'
          ? 'incident_id = $1'
          : scope === 'ENGAGEMENT'
            ? 'engagement_id = ANY($1::uuid[])'
            : 'countermeasure_id = ANY($1::uuid[])';
      const findings = (
        await this.q(
          `SELECT id, engagement_id, seq, severity, title, description, countermeasure_id, status, raised_by_label, raised_at,
                  resolution_note, resolved_at, resolved_by_label
             FROM audit_findings WHERE ${findingWhere} AND raised_at <= $2 ORDER BY seq, id`,
          [scope === 'INCIDENT' ? incidentId : scope === 'ENGAGEMENT' ? engagementIds : cmIds, asOf],
        )
      ).map((r) => ({
        id: r.id,
        engagementId: r.engagement_id,
        seq: r.seq,
        severity: r.severity,
        title: r.title,
        description: r.description,
        countermeasureId: r.countermeasure_id,
        status: r.status,
        raisedByLabel: r.raised_by_label,
        raisedAt: iso(r.raised_at),
        resolutionNote: r.resolution_note,
        resolvedAt: iso(r.resolved_at),
        resolvedByLabel: r.resolved_by_label,
      }));
      const clearances = (
        await this.q(
          `SELECT id, engagement_id, cleared_by_label, cleared_at, statement, payload, digest, withdrawn_at, withdrawal_reason, withdrawn_by_label
             FROM audit_clearances WHERE engagement_id = ANY($1::uuid[]) AND cleared_at <= $2 ORDER BY cleared_at, id`,
          [engagementIds, asOf],
        )
      ).map((r) => ({
        id: r.id,
        engagementId: r.engagement_id,
        clearedByLabel: r.cleared_by_label,
        clearedAt: iso(r.cleared_at),
        statement: r.statement,
        payload: r.payload,
        digest: r.digest,
        withdrawnAt: iso(r.withdrawn_at),
        withdrawalReason: r.withdrawal_reason,
        withdrawnByLabel: r.withdrawn_by_label,
      }));
      const riskAcceptances = (
        await this.q(
          `SELECT id, finding_id, requirement_id, justification, compensating_controls, expires_on::text, accepted_by_label, accepted_at,
                  ended_at, end_kind, end_reason, ended_by_label
             FROM audit_risk_acceptances
            WHERE (finding_id = ANY($1::uuid[]) OR requirement_id = ANY($2::uuid[])) AND accepted_at <= $3 ORDER BY accepted_at, id`,
          [findings.map((f) => f.id), requirements.map((r) => r.id), asOf],
        )
      ).map((r) => ({
        id: r.id,
        findingId: r.finding_id,
        requirementId: r.requirement_id,
        justification: r.justification,
        compensatingControls: r.compensating_controls,
        expiresOn: r.expires_on,
        acceptedByLabel: r.accepted_by_label,
        acceptedAt: iso(r.accepted_at),
        endedAt: iso(r.ended_at),
        endKind: r.end_kind,
        endReason: r.end_reason,
        endedByLabel: r.ended_by_label,
      }));
      const gateHistory =
        scope !== 'INCIDENT'
          ? []
          : (
              await this.q(
                `SELECT h.id, h.gate_id, g.key AS gate_key, h.from_state, h.to_state, h.cause, h.reason, h.blockers, h.actor_label, h.at
                   FROM promotion_gate_history h JOIN promotion_gates g ON g.id = h.gate_id
                  WHERE g.incident_id = $1 AND h.at <= $2 ORDER BY h.at, h.id`,
                [incidentId, asOf],
              )
            ).map((r) => ({
              id: r.id,
              gateId: r.gate_id,
              gateKey: r.gate_key,
              fromState: r.from_state,
              toState: r.to_state,
              cause: r.cause,
              reason: r.reason,
              blockers: r.blockers,
              actorLabel: r.actor_label,
              at: iso(r.at),
            }));
      const gateIds = [...new Set(gateHistory.map((h) => h.gateId as string))];
      const ids = (rows: Row[]) => rows.map((r) => r.id as string);
      const entityIds = [
        ...new Set([
          ...(scope === 'INCIDENT' ? [incidentId] : [scopeId]),
          ...cmIds,
          ...ids(requirements),
          ...evidenceIds,
          ...ids(reviews),
          ...ids(signOffs),
          ...engagementIds,
          ...ids(findings),
          ...ids(clearances),
          ...ids(riskAcceptances),
          ...gateIds,
        ]),
      ].sort();
      return {
        incidentId,
        incident,
        countermeasures,
        requirements,
        evidence,
        reviews,
        signOffs,
        engagements,
        findings,
        clearances,
        riskAcceptances,
        gateHistory,
        entityIds,
      };
    });
  }

  private async countermeasureIds(scope: BundleScope, scopeId: string, incidentId: string, asOf: Date): Promise<string[]> {
    const sql = {
      INCIDENT: 'SELECT id FROM countermeasures WHERE incident_id = $1 AND created_at <= $2',
      ENGAGEMENT: `SELECT c.id FROM audit_scope_countermeasures s JOIN countermeasures c ON c.id = s.countermeasure_id
                    WHERE s.engagement_id = $1 AND c.created_at <= $2`,
      COUNTERMEASURE: 'SELECT id FROM countermeasures WHERE id = $1 AND created_at <= $2',
    }[scope];
    const rows = await this.q<{ id: string }>(sql, [scope === 'INCIDENT' ? incidentId : scopeId, asOf]);
    return rows.map((r) => r.id).sort();
  }

  private async engagementIds(scope: BundleScope, scopeId: string, incidentId: string, cmIds: string[], asOf: Date): Promise<string[]> {
    const rows = await this.q<{ id: string }>(
      {
        INCIDENT: 'SELECT id FROM audit_engagements WHERE incident_id = $1 AND created_at <= $2',
        ENGAGEMENT: 'SELECT id FROM audit_engagements WHERE id = $1 AND created_at <= $2',
        COUNTERMEASURE: `SELECT DISTINCT e.id FROM audit_engagements e JOIN audit_scope_countermeasures s ON s.engagement_id = e.id
                          WHERE s.countermeasure_id = ANY($1::uuid[]) AND e.created_at <= $2`,
      }[scope],
      [scope === 'INCIDENT' ? incidentId : scope === 'ENGAGEMENT' ? scopeId : cmIds, asOf],
    );
    return rows.map((r) => r.id).sort();
  }
}
