import type { NotificationKind } from './domain/notification-kinds';

/**
 * The SQL that finds who should hear about what. Each query returns one row per
 * (recipient, subject) with the columns of `CandidateRow` and the facts the
 * words are made from; `candidatesSql` wraps it with the recipient's address,
 * preference, activity and the dedupe check, so that the database does the
 * scanning (through the indexes of each table) and Node only words the few
 * rows that come back.
 */

export interface CandidateRow {
  user_id: string;
  dedupe_key: string;
  incident_id?: string | null;
  countermeasure_id?: string | null;
  cm_seq?: number | null;
  requirement_id?: string | null;
  evidence_id?: string | null;
  risk_acceptance_id?: string | null;
  finding_id?: string | null;
  gate_key?: string | null;
  gate_change_id?: string | null;
  facts: Record<string, unknown>;
  /** Added by the wrapper. */
  address: string;
  inbox: boolean;
  email: boolean;
}

export interface KindQuery {
  kind: NotificationKind;
  sql: string;
  params: unknown[];
}

/** Owner and contributors of countermeasure `c` (as `user_id`). */
const OWNER_AND_CONTRIBUTORS = `SELECT c.owner_id AS user_id UNION SELECT cc.user_id FROM countermeasure_contributors cc WHERE cc.countermeasure_id = c.id`;

/** Active executives (as `user_id`). */
const EXECUTIVES = `SELECT u.id AS user_id FROM users u WHERE u.active AND 'EXECUTIVE' = ANY(u.roles)`;

function dueFacts() {
  return `json_build_object('title', c.title, 'dueDate', c.due_date::text, 'daysLeft', c.due_date - $2::date, 'ownerName', o.display_name)`;
}

/** Open items due between `today + from` and `today + to` days (inclusive), to owner and contributors. */
export function dueQuery(
  kind: 'DUE_IN_7_DAYS' | 'DUE_IN_1_DAY',
  openStatuses: readonly string[],
  today: string,
  from: number,
  to: number,
): KindQuery {
  return {
    kind,
    params: [[...openStatuses], today, from, to],
    sql: `
      SELECT r.user_id, '${kind}:' || c.id || ':' || c.due_date::text AS dedupe_key,
             c.incident_id, c.id AS countermeasure_id, c.seq AS cm_seq, ${dueFacts()} AS facts
      FROM countermeasures c
      JOIN users o ON o.id = c.owner_id
      CROSS JOIN LATERAL (${OWNER_AND_CONTRIBUTORS}) r
      WHERE c.status = ANY($1::text[]) AND c.due_date BETWEEN $2::date + $3::int AND $2::date + $4::int`,
  };
}

/** Open items past their due date, to owner, contributors and the incident's task-force chief; once per due date. */
export function overdueQuery(openStatuses: readonly string[], today: string): KindQuery {
  return {
    kind: 'OVERDUE',
    params: [[...openStatuses], today],
    sql: `
      SELECT r.user_id, 'OVERDUE:' || c.id || ':' || c.due_date::text AS dedupe_key,
             c.incident_id, c.id AS countermeasure_id, c.seq AS cm_seq, ${dueFacts()} AS facts
      FROM countermeasures c
      JOIN users o ON o.id = c.owner_id
      CROSS JOIN LATERAL (
        ${OWNER_AND_CONTRIBUTORS}
        UNION SELECT t.user_id FROM task_force_members t WHERE t.incident_id = c.incident_id AND t.is_chief AND t.left_on IS NULL
      ) r
      WHERE c.status = ANY($1::text[]) AND c.due_date < $2::date`,
  };
}

/**
 * Live evidence without a review, uploaded more than `days` days before `now`
 * (the review queue's partial index), to every active auditor who may review
 * it: not its uploader, not the countermeasure's owner or a contributor.
 */
export function reviewWaitingQuery(now: Date, days: number, timeZone: string): KindQuery {
  return {
    kind: 'REVIEW_WAITING',
    params: [now, days, timeZone],
    sql: `
      SELECT a.id AS user_id, 'REVIEW_WAITING:' || e.id AS dedupe_key,
             c.incident_id, c.id AS countermeasure_id, c.seq AS cm_seq, e.requirement_id, e.id AS evidence_id,
             json_build_object('countermeasureTitle', c.title, 'requirementTitle', r.title, 'evidenceName', e.name,
                               'uploadedByLabel', e.uploaded_by_label,
                               'uploadedOn', to_char(e.uploaded_at AT TIME ZONE $3::text, 'YYYY-MM-DD'),
                               'waitingDays', floor(extract(epoch FROM ($1::timestamptz - e.uploaded_at)) / 86400)::int) AS facts
      FROM evidence e
      JOIN countermeasures c ON c.id = e.countermeasure_id
      JOIN countermeasure_requirements r ON r.id = e.requirement_id
      JOIN users a ON a.active AND 'AUDITOR' = ANY(a.roles) AND a.id <> e.uploaded_by_id AND a.id <> c.owner_id
           AND NOT EXISTS (SELECT 1 FROM countermeasure_contributors cc WHERE cc.countermeasure_id = c.id AND cc.user_id = a.id)
      WHERE e.status = 'SUBMITTED' AND e.review_decision IS NULL
        AND e.uploaded_at < $1::timestamptz - make_interval(days => $2::int)
        AND c.status <> 'CANCELLED'`,
  };
}

/**
 * Recurring requirements of OPERATING measures still fresh today whose latest
 * accepted evidence (effective on D, period N: fresh through D + N) turns stale
 * within `within` days, to owner and contributors; once per D.
 */
export function goingStaleQuery(today: string, within: number): KindQuery {
  return {
    kind: 'EVIDENCE_GOING_STALE',
    params: [today, within],
    sql: `
      SELECT rc.user_id, 'EVIDENCE_GOING_STALE:' || r.id || ':' || r.latest_accepted_effective_on::text AS dedupe_key,
             c.incident_id, c.id AS countermeasure_id, c.seq AS cm_seq, r.id AS requirement_id,
             json_build_object('title', c.title, 'requirementTitle', r.title, 'recurrenceDays', r.recurrence_days,
                               'latestAcceptedEffectiveOn', r.latest_accepted_effective_on::text,
                               'staleOn', (r.latest_accepted_effective_on + r.recurrence_days + 1)::text,
                               'daysLeft', (r.latest_accepted_effective_on + r.recurrence_days + 1) - $1::date) AS facts
      FROM countermeasure_requirements r
      JOIN countermeasures c ON c.id = r.countermeasure_id
      CROSS JOIN LATERAL (${OWNER_AND_CONTRIBUTORS}) rc
      WHERE c.status = 'OPERATING' AND r.recurrence_days IS NOT NULL AND r.latest_accepted_effective_on IS NOT NULL
        AND r.latest_accepted_effective_on + r.recurrence_days >= $1::date
        AND r.latest_accepted_effective_on + r.recurrence_days + 1 <= $1::date + $2::int`,
  };
}

/** Standing risk acceptances whose last day is today or within `within` days, to executives and the acceptor; once per last day. */
export function riskExpiringQuery(today: string, within: number): KindQuery {
  return {
    kind: 'RISK_ACCEPTANCE_EXPIRING',
    params: [today, within],
    sql: `
      SELECT rcp.user_id, 'RISK_ACCEPTANCE_EXPIRING:' || a.id || ':' || a.expires_on::text AS dedupe_key,
             a.incident_id, a.id AS risk_acceptance_id, a.finding_id, a.requirement_id,
             COALESCE(rq.countermeasure_id, f.countermeasure_id) AS countermeasure_id, cm.seq AS cm_seq,
             json_build_object('findingSeq', f.seq, 'findingTitle', f.title, 'requirementTitle', rq.title,
                               'expiresOn', a.expires_on::text, 'daysLeft', a.expires_on - $1::date,
                               'acceptedByLabel', a.accepted_by_label, 'justification', a.justification) AS facts
      FROM audit_risk_acceptances a
      LEFT JOIN audit_findings f ON f.id = a.finding_id
      LEFT JOIN countermeasure_requirements rq ON rq.id = a.requirement_id
      LEFT JOIN countermeasures cm ON cm.id = COALESCE(rq.countermeasure_id, f.countermeasure_id)
      CROSS JOIN LATERAL (${EXECUTIVES} UNION SELECT a.accepted_by_id WHERE a.accepted_by_id IS NOT NULL) rcp
      WHERE a.ended_at IS NULL AND a.expires_on BETWEEN $1::date AND $1::date + $2::int`,
  };
}

/**
 * Gate changes — one (`changeId`), or every change since `since` (the daily
 * catch-up) — to the executives and the current task force of the gate's incident.
 */
export function gateChangedQuery(sel: { changeId: string } | { since: Date }, timeZone: string): KindQuery {
  return {
    kind: 'GATE_CHANGED',
    params: ['changeId' in sel ? sel.changeId : null, 'since' in sel ? sel.since : null, timeZone],
    sql: `
      SELECT rcp.user_id, 'GATE_CHANGED:' || h.id AS dedupe_key, g.incident_id, g.key AS gate_key, h.id AS gate_change_id,
             json_build_object('gateKey', g.key, 'gateName', g.name, 'fromState', h.from_state, 'toState', h.to_state,
                               'cause', h.cause, 'reason', h.reason,
                               'at', to_char(h.at AT TIME ZONE $3::text, 'YYYY-MM-DD HH24:MI')) AS facts
      FROM promotion_gate_history h
      JOIN promotion_gates g ON g.id = h.gate_id
      CROSS JOIN LATERAL (
        ${EXECUTIVES}
        UNION SELECT t.user_id FROM task_force_members t WHERE t.incident_id = g.incident_id AND t.left_on IS NULL
      ) rcp
      WHERE ($1::uuid IS NULL OR h.id = $1::uuid) AND ($2::timestamptz IS NULL OR h.at >= $2::timestamptz)`,
  };
}

/** Active executives, for the weekly digest (its facts are the same for each). */
export function digestRecipientsQuery(weekStart: string): KindQuery {
  return {
    kind: 'WEEKLY_DIGEST',
    params: [weekStart],
    sql: `SELECT x.user_id, 'WEEKLY_DIGEST:' || $1::text AS dedupe_key, '{}'::json AS facts FROM (${EXECUTIVES}) x`,
  };
}

/**
 * PPC report reminders of one kind (BREACH_REPORT_DUE or BREACH_REPORT_OVERDUE), from the candidates worked out in
 * Node (domain/breach-reminders.ts, over BreachDeadlineFeed: libs/duties owns the breach tables): each to its
 * incident's chief and legal leads and to the active executives, once per user.
 */
export function breachReportQuery(
  kind: 'BREACH_REPORT_DUE' | 'BREACH_REPORT_OVERDUE',
  candidates: readonly { dedupeKey: string; incidentId: string; userIds: readonly string[]; facts: object }[],
): KindQuery {
  const rows = candidates.map((c) => ({ dedupe_key: c.dedupeKey, incident_id: c.incidentId, user_ids: c.userIds, facts: c.facts }));
  return {
    kind,
    params: [JSON.stringify(rows)],
    sql: `
      SELECT r.user_id, b.dedupe_key, b.incident_id, b.facts
      FROM jsonb_to_recordset($1::jsonb) AS b(dedupe_key text, incident_id uuid, user_ids uuid[], facts jsonb)
      CROSS JOIN LATERAL (${EXECUTIVES} UNION SELECT x.id FROM unnest(b.user_ids) AS x(id)) r`,
  };
}

/**
 * Wraps a kind's query: active recipients only, their address and preference
 * (defaults when they have no row), neither inbox nor e-mail wanted → nothing,
 * and nothing already created with that dedupe key.
 */
export function candidatesSql(q: KindQuery, defaults: { inbox: boolean; email: boolean }): { sql: string; params: unknown[] } {
  const n = q.params.length;
  return {
    params: [...q.params, q.kind, defaults.inbox, defaults.email],
    sql: `
      WITH cand AS (${q.sql})
      SELECT cand.*, u.email AS address, COALESCE(p.inbox, $${n + 2}::boolean) AS inbox, COALESCE(p.email, $${n + 3}::boolean) AS email
      FROM cand
      JOIN users u ON u.id = cand.user_id AND u.active
      LEFT JOIN notification_preferences p ON p.user_id = cand.user_id AND p.kind = $${n + 1}::text
      WHERE (COALESCE(p.inbox, $${n + 2}::boolean) OR COALESCE(p.email, $${n + 3}::boolean))
        AND NOT EXISTS (SELECT 1 FROM notifications x WHERE x.user_id = cand.user_id AND x.dedupe_key = cand.dedupe_key)
      ORDER BY cand.user_id, cand.dedupe_key`,
  };
}
