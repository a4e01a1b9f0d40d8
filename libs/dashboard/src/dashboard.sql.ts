import { ALL_COUNTERMEASURE_STATUSES, COUNTERMEASURE_CATEGORIES, isOpen } from '@app/countermeasures';
import { FINDING_SEVERITIES } from '@app/audits';

/**
 * The dashboard as ONE SQL statement that builds the whole picture as JSON:
 * one round trip, one snapshot (every block sees the same committed state,
 * so `totals` always agrees with `byStatus` and the burn-up's last day), and a
 * fixed cost in statements whatever the data size. Each block is its own
 * fragment below (aggregations only: Node never loops over rows).
 *
 * Parameters: $1 incident id, $2 the day (asOf, date), $3 the end of that day
 * in Asia/Tokyo (timestamptz, exclusive), $4 the incident's first day (date),
 * $5 the bound of each list, $6 the number of activity entries.
 *
 * Two sources of "the state then", one set of blocks:
 * - `current` (asOf = today): the state kept where it is read, in the
 *   transaction of each change: the counts per (category, status, required)
 *   in countermeasure_status_counts, the status and its time and reason on the
 *   countermeasure row, the partial indexes of open, blocked and ongoing work,
 *   evidence.review_decision and evidence.incident_id through the partial index
 *   IDX_evidence_incident_review_queue, requirements' latest accepted day,
 *   findings' status, the gate row. The live dashboard reads index entries of
 *   the few rows it shows, never the whole plan;
 * - `history` (a past day): the same blocks over the state rebuilt from the
 *   history tables as it stood at $3 (see the CTE and the fragments).
 * At today both give the same answer (a test compares them) as long as the gate's
 * blockers have not changed since its last recorded change: the gate's history
 * records its blockers at its creation and at each state change, so a past day
 * shows the blockers of its last recorded change before that day.
 *
 * Decisions: a countermeasure exists on a day when its first transition (its
 * creation) happened before the end of that day; its owner, title, category and
 * "required for the gate" flag are today's (their changes are in the audit
 * trail, not in history tables); recurring requirements are today's set.
 */
export type DashboardSource = 'current' | 'history';

const list = (values: readonly string[]) => values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ');
const textArray = (values: readonly string[]) => `ARRAY[${list(values)}]::text[]`;

const OPEN = list(ALL_COUNTERMEASURE_STATUSES.filter(isOpen));
/** Standing for the totals and the burn-up: every status but CANCELLED. */
const STANDING = list(ALL_COUNTERMEASURE_STATUSES.filter((s) => s !== 'CANCELLED'));
/** Verified for the totals and the gate: signed off (VERIFIED), or signed off and running (OPERATING). */
const VERIFIED = list(['VERIFIED', 'OPERATING']);
/** Implemented for the burn-up: the work is done (waiting for, or past, the sign-off; a DEGRADED measure was done and verified). */
const IMPLEMENTED = list(['IMPLEMENTED', 'VERIFIED', 'OPERATING', 'DEGRADED']);
/** What an ongoing measure can be when a stale recurring requirement puts it at risk (as the countermeasures' `atRisk` filter). */
const AT_RISK_STATUSES = list(['VERIFIED', 'OPERATING', 'DEGRADED']);

/** CM-001 ... CM-999, CM-1000 (as countermeasureKey). */
const CM_KEY = `'CM-' || CASE WHEN c.seq < 1000 THEN lpad(c.seq::text, 3, '0') ELSE c.seq::text END`;
const F_KEY = (alias: string) => `'F-' || CASE WHEN ${alias}.seq < 1000 THEN lpad(${alias}.seq::text, 3, '0') ELSE ${alias}.seq::text END`;
/** An entity id of the audit trail (text) as a uuid, or null (never a cast error). */
const TRAIL_UUID = `CASE WHEN a.entity_id ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN a.entity_id::uuid END`;

const CM_COLUMNS = `c.id, c.seq, c.title, c.category, c.owner_id, c.required_for_gate, c.ongoing`;

/** The incident's countermeasures as they are now. */
const CM_CURRENT = `
  SELECT ${CM_COLUMNS}, c.status, c.due_date, c.status_changed_at, c.status_reason
  FROM countermeasures c
  WHERE c.incident_id = $1`;

/**
 * The incident's countermeasures as they stood at $3: the status of the last
 * transition before it (none: not created yet), the due date in force then
 * (the last re-planning before it; else the date the first later re-planning
 * replaced; else today's).
 * An item whose status has not changed since $3 (status_changed_at, the time
 * of its latest transition, is before it) had its current status then: only
 * items moved since are looked up in their history (the lateral runs only for
 * them). The re-plannings are few (one row per change of a due date): they are
 * read once as sets, not looked up per item.
 */
const CM_HISTORY = `
  SELECT ${CM_COLUMNS}, CASE WHEN c.status_changed_at < $3 THEN c.status ELSE st.to_status END AS status,
    COALESCE(dd_then.new_due_date, dd_next.old_due_date, c.due_date) AS due_date
  FROM countermeasures c
  LEFT JOIN LATERAL (
    SELECT t.to_status FROM countermeasure_transitions t
    WHERE c.status_changed_at >= $3 AND t.countermeasure_id = c.id AND t.at < $3 ORDER BY t.at DESC LIMIT 1) st ON true
  LEFT JOIN (
    SELECT DISTINCT ON (d.countermeasure_id) d.countermeasure_id, d.new_due_date FROM countermeasure_due_date_changes d
    WHERE d.countermeasure_id IN (SELECT i.id FROM countermeasures i WHERE i.incident_id = $1) AND d.at < $3 ORDER BY d.countermeasure_id, d.at DESC) dd_then ON dd_then.countermeasure_id = c.id
  LEFT JOIN (
    SELECT DISTINCT ON (d.countermeasure_id) d.countermeasure_id, d.old_due_date FROM countermeasure_due_date_changes d
    WHERE d.countermeasure_id IN (SELECT i.id FROM countermeasures i WHERE i.incident_id = $1) AND d.at >= $3 ORDER BY d.countermeasure_id, d.at ASC) dd_next ON dd_next.countermeasure_id = c.id
  WHERE c.incident_id = $1 AND (c.status_changed_at < $3 OR st.to_status IS NOT NULL)`;

/**
 * A recurring requirement of `cm` is fresh on $2 when accepted evidence is
 * effective within its period (effective on D with a period of N days: fresh
 * through D + N). Now: the requirement's kept `latest_accepted_effective_on`.
 */
const FRESH_CURRENT = `r.latest_accepted_effective_on IS NOT NULL AND r.latest_accepted_effective_on + r.recurrence_days >= $2`;

/** Evidence `e` was live at $3: uploaded before, not withdrawn before, not superseded by a version uploaded before. */
const LIVE_THEN = `e.uploaded_at < $3 AND (e.withdrawn_at IS NULL OR e.withdrawn_at >= $3)
  AND NOT EXISTS (SELECT 1 FROM evidence n WHERE n.supersedes_id = e.id AND n.uploaded_at < $3)`;

/** Then: some evidence live at $3 whose latest review before $3 accepted it, effective recently enough. */
const FRESH_HISTORY = `EXISTS (
  SELECT 1 FROM evidence e
  WHERE e.requirement_id = r.id AND e.effective_on + r.recurrence_days >= $2 AND ${LIVE_THEN}
    AND (SELECT rv.decision FROM evidence_reviews rv WHERE rv.evidence_id = e.id AND rv.at < $3 ORDER BY rv.at DESC LIMIT 1) = 'ACCEPTED')`;

/** Evidence waiting for an auditor's review. Now: the partial index IDX_evidence_review_queue. */
const WAITING_CURRENT = `e.status = 'SUBMITTED' AND e.review_decision IS NULL`;
/**
 * Then: live at $3 and not reviewed before $3. The row knows its latest review
 * (review_decision, reviewed_at; never reset): never reviewed, it had no review
 * then; last reviewed before $3, it had one; only evidence reviewed since $3 is
 * looked up in the reviews (no anti-join over all evidence and all reviews).
 */
const WAITING_HISTORY = `${LIVE_THEN} AND (e.review_decision IS NULL OR (e.reviewed_at >= $3
  AND NOT EXISTS (SELECT 1 FROM evidence_reviews rv WHERE rv.evidence_id = e.id AND rv.at < $3)))`;

/** An open finding (OPEN, or ACCEPTED_RISK without a standing acceptance through $2), as isFindingOpen. */
const FINDING_OPEN_CURRENT = `(f.status = 'OPEN' OR (f.status = 'ACCEPTED_RISK' AND NOT EXISTS (
  SELECT 1 FROM audit_risk_acceptances ra WHERE ra.finding_id = f.id AND ra.ended_at IS NULL AND ra.expires_on >= $2)))`;
/** Then: raised before $3, not resolved before $3, no acceptance standing at $3 through $2. */
const FINDING_OPEN_HISTORY = `(f.raised_at < $3 AND (f.resolved_at IS NULL OR f.resolved_at >= $3) AND NOT EXISTS (
  SELECT 1 FROM audit_risk_acceptances ra WHERE ra.finding_id = f.id AND ra.accepted_at < $3
    AND (ra.ended_at IS NULL OR ra.ended_at >= $3) AND ra.expires_on >= $2))`;

/** The audit's state: the incident's latest engagement (as the gate names it). */
const AUDIT_STATUS_CURRENT = `(SELECT g.status FROM audit_engagements g WHERE g.incident_id = $1 ORDER BY g.created_at DESC LIMIT 1)`;
const AUDIT_STATUS_HISTORY = `(SELECT s.to_status FROM audit_engagements g
  CROSS JOIN LATERAL (SELECT tr.to_status FROM audit_engagement_transitions tr WHERE tr.engagement_id = g.id AND tr.at < $3 ORDER BY tr.at DESC LIMIT 1) s
  WHERE g.incident_id = $1 ORDER BY g.created_at DESC LIMIT 1)`;

const CLEARED_CURRENT = `EXISTS (SELECT 1 FROM audit_clearances k WHERE k.incident_id = $1 AND k.withdrawn_at IS NULL)`;
const CLEARED_HISTORY = `EXISTS (SELECT 1 FROM audit_clearances k WHERE k.incident_id = $1 AND k.cleared_at < $3 AND (k.withdrawn_at IS NULL OR k.withdrawn_at >= $3))`;

/**
 * The incident's gate (its first, when it has several): the row now (the same blockers as `gate(key)`,
 * with its date rules, which the service applies at the Clock's now), its last change before $3 then.
 */
const GATE_CURRENT = `(SELECT json_build_object('key', g.key, 'state', g.state, 'blockers', g.blockers, 'dateRules', g.date_rules, 'updatedAt', g.updated_at)
  FROM promotion_gates g WHERE g.incident_id = $1 ORDER BY g.created_at, g.key LIMIT 1)`;
const GATE_HISTORY = `(SELECT json_build_object('key', g.key, 'state', h.to_state, 'blockers', h.blockers)
  FROM promotion_gates g
  CROSS JOIN LATERAL (SELECT h.to_state, h.blockers FROM promotion_gate_history h WHERE h.gate_id = g.id AND h.at < $3 ORDER BY h.at DESC LIMIT 1) h
  WHERE g.incident_id = $1 ORDER BY g.created_at, g.key LIMIT 1)`;

/** A listed countermeasure (`x`, at most $5 of them, joined to its owner `u`). */
const ITEM_FIELDS = `'id', x.id, 'key', ${CM_KEY.replace(/c\.seq/g, 'x.seq')}, 'title', x.title, 'status', x.status, 'dueDate', x.due_date,
  'daysOverdue', $2::date - x.due_date, 'ownerId', x.owner_id, 'ownerName', u.display_name`;
const ITEM = `json_build_object(${ITEM_FIELDS})`;

/**
 * Burn-up: for every day from $4 to $2, how many countermeasures stood (not
 * CANCELLED), implemented, verified at the end of that day (Asia/Tokyo). The
 * table countermeasure_status_days holds, per day and status, how many entered
 * minus how many left (kept by a trigger on the transitions), so a day's change
 * of a count is the sum of the deltas of the statuses it counts, and a running
 * sum over the days gives the series: at most (days × statuses) rows read,
 * whatever the size of the plan. (Days before $4 count on $4.)
 */
const delta = (set: string) => `sum(s.delta) FILTER (WHERE s.status IN (${set}))`;
const BURN_UP = `
per_day AS (
  SELECT greatest(s.day, $4::date) AS d, ${delta(STANDING)} AS dt, ${delta(IMPLEMENTED)} AS di, ${delta(VERIFIED)} AS dv
  FROM countermeasure_status_days s
  WHERE s.incident_id = $1 AND s.day <= $2::date
  GROUP BY 1),
burn AS (
  SELECT day::date AS day,
         sum(coalesce(p.dt, 0)) OVER w AS total, sum(coalesce(p.di, 0)) OVER w AS implemented, sum(coalesce(p.dv, 0)) OVER w AS verified
  FROM generate_series($4::date, $2::date, interval '1 day') AS day
  LEFT JOIN per_day p ON p.d = day::date
  WINDOW w AS (ORDER BY day))`;

/**
 * The latest audit-trail entries of this incident before $3: entries about the
 * incident itself or about something that belongs to it (a countermeasure, its
 * targets and evidence, the audit's engagements, findings, clearances, risk
 * acceptances, its gates). Entries about users and API keys belong to no
 * incident and are left out. Each entry gets a label (CM-004 and its title...)
 * and, when it moved a status or state, "FROM → TO". Only these words leave
 * the trail (no before/after snapshots: `auditTrail` is for auditors), and,
 * for the page to say it in its reader's language, the same parts apart: the
 * actor's display name (null for the system and API keys), the label, the
 * status or state moved from and to, and a review's decision.
 */
const ACTIVITY = `(SELECT coalesce(json_agg(json_build_object(
    'seq', s.seq, 'at', s.occurred_at, 'actorLabel', s.actor_label, 'action', s.action, 'entityType', s.entity_type, 'entityId', s.entity_id,
    'summary', s.label || coalesce(': ' || (s.before ->> 'status') || ' → ' || (s.after ->> 'status'), ': ' || (s.before ->> 'state') || ' → ' || (s.after ->> 'state'), ''),
    'actorName', s.actor_name, 'subject', s.label,
    'fromState', coalesce(CASE WHEN s.after ->> 'status' IS NOT NULL THEN s.before ->> 'status' END, CASE WHEN s.after ->> 'state' IS NOT NULL THEN s.before ->> 'state' END),
    'toState', coalesce(CASE WHEN s.before ->> 'status' IS NOT NULL THEN s.after ->> 'status' END, CASE WHEN s.before ->> 'state' IS NOT NULL THEN s.after ->> 'state' END),
    'decision', s.after ->> 'reviewDecision'
  ) ORDER BY s.occurred_at DESC, s.seq DESC), '[]'::json)
  FROM (
    SELECT a.seq, a.occurred_at, a.actor_label, a.action, a.entity_type, a.entity_id, a.before, a.after, l.label, u.display_name AS actor_name
    FROM audit_trail a
    CROSS JOIN LATERAL (
      SELECT i.title AS label FROM incidents i WHERE a.entity_type = 'Incident' AND i.id = ${TRAIL_UUID} AND i.id = $1
      UNION ALL SELECT ${CM_KEY} || ' ' || c.title FROM countermeasures c WHERE a.entity_type = 'Countermeasure' AND c.id = ${TRAIL_UUID} AND c.incident_id = $1
      UNION ALL SELECT ${CM_KEY} || ' ' || e.name FROM evidence e JOIN countermeasures c ON c.id = e.countermeasure_id
        WHERE a.entity_type = 'Evidence' AND e.id = ${TRAIL_UUID} AND c.incident_id = $1
      UNION ALL SELECT ${CM_KEY} || ' ' || c.title FROM countermeasure_targets tg JOIN countermeasures c ON c.id = tg.countermeasure_id
        WHERE a.entity_type = 'CountermeasureTarget' AND tg.id = ${TRAIL_UUID} AND c.incident_id = $1
      UNION ALL SELECT g.title FROM audit_engagements g WHERE a.entity_type = 'AuditEngagement' AND g.id = ${TRAIL_UUID} AND g.incident_id = $1
      UNION ALL SELECT ${F_KEY('f')} || ' ' || f.title FROM audit_findings f WHERE a.entity_type = 'AuditFinding' AND f.id = ${TRAIL_UUID} AND f.incident_id = $1
      UNION ALL SELECT g.title FROM audit_clearances k JOIN audit_engagements g ON g.id = k.engagement_id
        WHERE a.entity_type = 'AuditClearance' AND k.id = ${TRAIL_UUID} AND k.incident_id = $1
      UNION ALL SELECT coalesce((SELECT ${F_KEY('f')} FROM audit_findings f WHERE f.id = ra.finding_id), 'requirement')
        FROM audit_risk_acceptances ra WHERE a.entity_type = 'RiskAcceptance' AND ra.id = ${TRAIL_UUID} AND ra.incident_id = $1
      UNION ALL SELECT p.key FROM promotion_gates p WHERE a.entity_type = 'PromotionGate' AND p.id = ${TRAIL_UUID} AND p.incident_id = $1
      LIMIT 1) l
    LEFT JOIN users u ON u.id = a.actor_id
    WHERE a.occurred_at < $3
    ORDER BY a.occurred_at DESC, a.seq DESC
    LIMIT $6) s)`;

/**
 * The countermeasures per (category, status, required-for-gate) cell: now, the
 * kept counts (at most a few hundred rows); then, counted from `cm`.
 */
const COUNTS_CURRENT = `SELECT k.category, k.status, k.required_for_gate, k.count FROM countermeasure_status_counts k WHERE k.incident_id = $1 AND k.count > 0`;
const COUNTS_HISTORY = `SELECT category, status, required_for_gate, count(*)::int AS count FROM cm GROUP BY category, status, required_for_gate`;

/** Blocked work with its reason and since when: now, kept on the row; then, its last move to BLOCKED before $3. */
const BLOCKED_CURRENT = `SELECT cm.*, cm.status_reason AS reason, cm.status_changed_at AS since FROM cm WHERE cm.status = 'BLOCKED' ORDER BY cm.status_changed_at, cm.seq LIMIT $5`;
const BLOCKED_HISTORY = `SELECT cm.*, b.reason, b.at AS since FROM cm
  LEFT JOIN LATERAL (SELECT t.reason, t.at FROM countermeasure_transitions t
    WHERE t.countermeasure_id = cm.id AND t.to_status = 'BLOCKED' AND t.at < $3 ORDER BY t.at DESC LIMIT 1) b ON true
  WHERE cm.status = 'BLOCKED' ORDER BY b.at, cm.seq LIMIT $5`;

const sum = (where: string) => `coalesce(sum(count) FILTER (WHERE ${where}), 0)::int`;

/** The whole dashboard, one row with one JSON column `dashboard`. */
export function dashboardStatement(source: DashboardSource): string {
  const h = source === 'history';
  // Now, `cm` is inlined into each block (NOT MATERIALIZED), so each block's conditions reach the partial
  // indexes of countermeasures (open work by due date and owner, blocked, ongoing verified) and it reads only
  // the index entries it needs; then, `cm` is the state rebuilt once from the history and shared.
  return `
WITH cm AS ${h ? 'MATERIALIZED' : 'NOT MATERIALIZED'} (
  SELECT x.*, x.status IN (${OPEN}) AS open, x.status IN (${VERIFIED}) AS verified FROM (${h ? CM_HISTORY : CM_CURRENT}) x),
counts AS MATERIALIZED (${h ? COUNTS_HISTORY : COUNTS_CURRENT}),
at_risk AS MATERIALIZED (
  SELECT x.* FROM cm x
  WHERE x.ongoing AND x.status IN (${AT_RISK_STATUSES}) AND EXISTS (
    SELECT 1 FROM countermeasure_requirements r
    WHERE r.countermeasure_id = x.id AND r.recurrence_days IS NOT NULL AND NOT (${h ? FRESH_HISTORY : FRESH_CURRENT}))),
${BURN_UP}
SELECT json_build_object(
  'totals', (SELECT json_build_object(
      'total', ${sum(`status <> 'CANCELLED'`)},
      'verified', ${sum(`status IN (${VERIFIED})`)},
      'requiredTotal', ${sum('required_for_gate')},
      'requiredVerified', ${sum(`required_for_gate AND status IN (${VERIFIED})`)},
      'open', ${sum(`status IN (${OPEN})`)},
      'overdue', (SELECT count(*) FROM cm WHERE open AND due_date < $2),
      'dueSoon', (SELECT count(*) FROM cm WHERE open AND due_date BETWEEN $2 AND $2::date + 7),
      'blocked', ${sum(`status = 'BLOCKED'`)},
      'atRisk', (SELECT count(*) FROM at_risk)) FROM counts),
  'byStatus', (SELECT json_agg(json_build_object('status', s.status, 'count', coalesce(n.count, 0)) ORDER BY s.ord)
      FROM unnest(${textArray(ALL_COUNTERMEASURE_STATUSES)}) WITH ORDINALITY s(status, ord)
      LEFT JOIN (SELECT status, sum(count)::int AS count FROM counts GROUP BY status) n ON n.status = s.status),
  'byCategory', (SELECT coalesce(json_agg(json_build_object('category', n.category, 'status', n.status, 'count', n.count)
        ORDER BY array_position(${textArray(COUNTERMEASURE_CATEGORIES)}, n.category), array_position(${textArray(ALL_COUNTERMEASURE_STATUSES)}, n.status)), '[]'::json)
      FROM (SELECT category, status, sum(count)::int AS count FROM counts GROUP BY category, status) n),
  'overdue', (SELECT coalesce(json_agg(${ITEM} ORDER BY x.due_date, x.seq), '[]'::json)
      FROM (SELECT * FROM cm WHERE open AND due_date < $2 ORDER BY due_date, seq LIMIT $5) x JOIN users u ON u.id = x.owner_id),
  'dueSoon', (SELECT coalesce(json_agg(${ITEM} ORDER BY x.due_date, x.seq), '[]'::json)
      FROM (SELECT * FROM cm WHERE open AND due_date BETWEEN $2 AND $2::date + 7 ORDER BY due_date, seq LIMIT $5) x JOIN users u ON u.id = x.owner_id),
  'blocked', (SELECT coalesce(json_agg(json_build_object(${ITEM_FIELDS}, 'reason', x.reason, 'blockedSince', x.since) ORDER BY x.since, x.seq), '[]'::json)
      FROM (${h ? BLOCKED_HISTORY : BLOCKED_CURRENT}) x JOIN users u ON u.id = x.owner_id),
  'atRisk', (SELECT coalesce(json_agg(${ITEM} ORDER BY x.due_date, x.seq), '[]'::json)
      FROM (SELECT * FROM at_risk ORDER BY due_date, seq LIMIT $5) x JOIN users u ON u.id = x.owner_id),
  'reviewQueue', (SELECT json_build_object('waiting', count(*), 'oldestUploadedAt', min(e.uploaded_at),
        'oldestWaitDays', $2::date - (min(e.uploaded_at) AT TIME ZONE 'Asia/Tokyo')::date)
      FROM evidence e WHERE e.incident_id = $1 AND ${h ? WAITING_HISTORY : WAITING_CURRENT}),
  'findings', json_build_object(
      'bySeverity', (SELECT json_agg(json_build_object('severity', s.severity, 'open', coalesce(n.open, 0)) ORDER BY s.ord)
        FROM unnest(${textArray(FINDING_SEVERITIES)}) WITH ORDINALITY s(severity, ord)
        LEFT JOIN (SELECT f.severity, count(*) AS open FROM audit_findings f
          WHERE f.incident_id = $1 AND ${h ? FINDING_OPEN_HISTORY : FINDING_OPEN_CURRENT} GROUP BY f.severity) n ON n.severity = s.severity),
      'auditStatus', ${h ? AUDIT_STATUS_HISTORY : AUDIT_STATUS_CURRENT},
      'cleared', ${h ? CLEARED_HISTORY : CLEARED_CURRENT}),
  'gate', ${h ? GATE_HISTORY : GATE_CURRENT},
  'ownerLoad', (SELECT coalesce(json_agg(json_build_object('ownerId', o.owner_id, 'ownerName', o.owner_name, 'open', o.open, 'overdue', o.overdue)
        ORDER BY o.overdue DESC, o.open DESC, o.owner_name, o.owner_id), '[]'::json)
      FROM (SELECT n.*, u.display_name AS owner_name FROM (
          SELECT owner_id, count(*) AS open, count(*) FILTER (WHERE due_date < $2) AS overdue FROM cm WHERE open GROUP BY owner_id) n
        JOIN users u ON u.id = n.owner_id
        ORDER BY n.overdue DESC, n.open DESC, u.display_name, n.owner_id LIMIT $5) o),
  'burnUp', (SELECT json_agg(json_build_object('day', b.day, 'total', b.total, 'implemented', b.implemented, 'verified', b.verified) ORDER BY b.day) FROM burn b),
  'latestActivity', ${ACTIVITY}
) AS dashboard`;
}

/** The incident named (or the most recent one), with the days its dashboard may show. */
export const INCIDENT_STATEMENT = `
SELECT i.id, i.title, i.detected_on::text AS detected_on, (i.created_at AT TIME ZONE 'Asia/Tokyo')::date::text AS created_on
FROM incidents i
WHERE $1::uuid IS NULL OR i.id = $1::uuid
ORDER BY i.created_at DESC, i.id DESC
LIMIT 1`;

/** For the live subscriptions: which incident an audit-trail entry belongs to (null: none, e.g. a user). */
export const ENTRY_INCIDENT_STATEMENT = `
SELECT (
  SELECT x.incident_id FROM (
    SELECT i.id AS incident_id FROM incidents i WHERE $1 = 'Incident' AND i.id = $2::uuid
    UNION ALL SELECT c.incident_id FROM countermeasures c WHERE $1 = 'Countermeasure' AND c.id = $2::uuid
    UNION ALL SELECT c.incident_id FROM evidence e JOIN countermeasures c ON c.id = e.countermeasure_id WHERE $1 = 'Evidence' AND e.id = $2::uuid
    UNION ALL SELECT c.incident_id FROM countermeasure_targets tg JOIN countermeasures c ON c.id = tg.countermeasure_id WHERE $1 = 'CountermeasureTarget' AND tg.id = $2::uuid
    UNION ALL SELECT g.incident_id FROM audit_engagements g WHERE $1 = 'AuditEngagement' AND g.id = $2::uuid
    UNION ALL SELECT f.incident_id FROM audit_findings f WHERE $1 = 'AuditFinding' AND f.id = $2::uuid
    UNION ALL SELECT k.incident_id FROM audit_clearances k WHERE $1 = 'AuditClearance' AND k.id = $2::uuid
    UNION ALL SELECT ra.incident_id FROM audit_risk_acceptances ra WHERE $1 = 'RiskAcceptance' AND ra.id = $2::uuid
    UNION ALL SELECT p.incident_id FROM promotion_gates p WHERE $1 = 'PromotionGate' AND p.id = $2::uuid
  ) x LIMIT 1) AS incident_id,
  (SELECT ${CM_KEY} FROM countermeasures c WHERE $1 = 'Countermeasure' AND c.id = $2::uuid) AS countermeasure_key`;
