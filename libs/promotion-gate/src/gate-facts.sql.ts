import type { EntityManager } from 'typeorm';
import type { FindingSeverity, FindingStatus } from '@app/audits';
import type { CountermeasureEntity } from '@app/countermeasures';
import { hydrate } from '@app/database';
import { PromotionGateEntity } from './gate.entities';

/** A countermeasure the gate depends on (required for the gate), with its owner's name. */
export interface RequiredItemRow extends Pick<
  CountermeasureEntity,
  'id' | 'seq' | 'title' | 'status' | 'ownerId' | 'resumeStatus' | 'ongoing'
> {
  ownerName: string | null;
}

/** A finding that may block (CRITICAL or HIGH, not RESOLVED), its standing risk acceptance's last day, and its item's number. */
export interface FindingCandidateRow {
  id: string;
  seq: number;
  severity: FindingSeverity;
  status: FindingStatus;
  title: string;
  acceptanceExpiresOn: string | null;
  countermeasureId: string | null;
  countermeasureSeq: number | null;
}

/** The gate's facts as one statement reads them (see `readGateFacts`). */
export interface GateFactRows {
  required: RequiredItemRow[];
  clearance: { id: string; engagementId: string; clearedById: string | null; clearedByLabel: string; clearedAt: Date } | null;
  /** The status of the incident's latest engagement (by creation), or null when it has none. */
  latestEngagementStatus: string | null;
  findingCandidates: FindingCandidateRow[];
}

/**
 * The gate's facts from the other contexts in one statement (a declared read
 * model, test/architecture/table-owners.ts: SELECTs only), read under the
 * incident lock that every writer of these rows takes, in the caller's
 * transaction. Each part reads as its owner's method does:
 * - the required items in key order with their owners' names
 *   (CountermeasuresService.requiredForGate, UsersService.findByIds);
 * - the standing clearance, the latest not withdrawn
 *   (AuditEngagementsService.standingClearanceOf);
 * - the latest engagement's status (AuditEngagementsService.latestOf);
 * - the blocking candidates among the findings, by number, with the standing
 *   acceptance's last day (AuditClearanceService.findingFacts(id, true)) and
 *   the number of the item each concerns (CountermeasuresService.findByIds).
 * Which candidate blocks today stays the audits' pure rule (isBlockingFinding).
 */
export async function readGateFacts(em: EntityManager, incidentId: string): Promise<GateFactRows> {
  const [row] = (await em.query(FACTS_SQL, [incidentId])) as FactColumns[];
  return factsOf(row!);
}

/**
 * The incident's gate rows (its own table) each with the incident's facts
 * (`readGateFacts`), in one statement: what re-evaluating every gate of the
 * incident reads. The facts are the incident's, the same for each gate; with
 * no gate, none are computed.
 */
export async function readGatesWithFacts(
  em: EntityManager,
  incidentId: string,
): Promise<{ gate: PromotionGateEntity; facts: GateFactRows }[]> {
  const rows = (await em.query(`SELECT g.*, f.* FROM "promotion_gates" g CROSS JOIN LATERAL (${FACTS_SQL}) f WHERE g.incident_id = $1`, [
    incidentId,
  ])) as (FactColumns & Record<string, unknown>)[];
  return rows.map((row) => ({ gate: hydrate(em, PromotionGateEntity, row), facts: factsOf(row) }));
}

/** One row of the facts (the incident id is $1). */
const FACTS_SQL = `SELECT
       cl.id AS "clearanceId", cl.engagement_id AS "clearanceEngagementId", cl.cleared_by_id AS "clearedById",
       cl.cleared_by_label AS "clearedByLabel", cl.cleared_at AS "clearedAt",
       (SELECT e.status FROM audit_engagements e WHERE e.incident_id = $1 ORDER BY e.created_at DESC LIMIT 1) AS "latestEngagementStatus",
       (SELECT COALESCE(json_agg(json_build_object(
            'id', c.id, 'seq', c.seq, 'title', c.title, 'status', c.status, 'ownerId', c.owner_id,
            'ownerName', u.display_name, 'resumeStatus', c.resume_status, 'ongoing', c.ongoing) ORDER BY c.seq), '[]'::json)
        FROM countermeasures c LEFT JOIN users u ON u.id = c.owner_id
        WHERE c.incident_id = $1 AND c.required_for_gate) AS "requiredItems",
       (SELECT COALESCE(json_agg(json_build_object(
            'id', f.id, 'seq', f.seq, 'severity', f.severity, 'status', f.status, 'title', f.title,
            'acceptanceExpiresOn', to_char(a.expires_on, 'YYYY-MM-DD'),
            'countermeasureId', f.countermeasure_id, 'countermeasureSeq', fc.seq) ORDER BY f.seq), '[]'::json)
        FROM audit_findings f
        LEFT JOIN audit_risk_acceptances a ON a.finding_id = f.id AND a.ended_at IS NULL
        LEFT JOIN countermeasures fc ON fc.id = f.countermeasure_id
        WHERE f.incident_id = $1 AND f.severity IN ('CRITICAL', 'HIGH') AND f.status <> 'RESOLVED') AS "findingCandidates"
     FROM (SELECT 1) AS one
     LEFT JOIN LATERAL (
       SELECT k.* FROM audit_clearances k WHERE k.incident_id = $1 AND k.withdrawn_at IS NULL ORDER BY k.cleared_at DESC LIMIT 1
     ) cl ON true`;

/** The columns of FACTS_SQL (camel-case names: none is a column of the gate row beside them). */
interface FactColumns {
  clearanceId: string | null;
  clearanceEngagementId: string;
  clearedById: string | null;
  clearedByLabel: string;
  clearedAt: Date;
  latestEngagementStatus: string | null;
  requiredItems: RequiredItemRow[];
  findingCandidates: FindingCandidateRow[];
}

function factsOf(r: FactColumns): GateFactRows {
  return {
    required: r.requiredItems,
    clearance:
      r.clearanceId === null
        ? null
        : {
            id: r.clearanceId,
            engagementId: r.clearanceEngagementId,
            clearedById: r.clearedById,
            clearedByLabel: r.clearedByLabel,
            clearedAt: r.clearedAt,
          },
    latestEngagementStatus: r.latestEngagementStatus,
    findingCandidates: r.findingCandidates,
  };
}
