/**
 * The benchmarks' data set: one incident with N countermeasures, 5 requirements
 * each, 2 evidence per requirement (the second of every fifth requirement waits
 * for review, the rest reviewed), their history, 100k audit-trail entries, an
 * engagement with 40 findings and the gate: INSERT ... SELECT generate_series,
 * seconds for 10k items. Shared by dashboard.bench.ts and nested-page.bench.ts.
 */
import { Client } from 'pg';
import { addDays, CASE_TIME_ZONE, todayIn } from '../libs/common/src/calendar';

export const BENCH_INCIDENT = '00000000-0000-4000-8000-000000000001';
export const REQ_PER_CM = 5;
export const EV_PER_REQ = 2;
export const DAYS = 150;

/** 20 task-force users to own the items (inserted directly: they never sign in). */
export async function makeOwners(pg: Client): Promise<string[]> {
  return (
    await pg.query<{ id: string }>(
      `INSERT INTO users (email, display_name, display_name_kana, password_hash, roles, version)
       SELECT 'owner' || i || '@bench.test', '担当 ' || i, 'たんとう ' || i, 'not-a-hash', '{TASK_FORCE}', 1 FROM generate_series(1, 20) i RETURNING id`,
    )
  ).rows.map((r) => r.id);
}

export async function seedRemediation(url: string, ownerIds: string[], opts: { countermeasures: number; trail: number }): Promise<void> {
  const N_CM = opts.countermeasures;
  const TRAIL = opts.trail;
  const c = new Client({ connectionString: url });
  c.on('error', () => undefined);
  await c.connect();
  const today = todayIn(CASE_TIME_ZONE, new Date());
  const q = (sql: string, params: unknown[] = []) => c.query(sql, params);
  const t0 = Date.now();
  await q(
    `INSERT INTO incidents (id, title, summary, detected_on, version) VALUES ('00000000-0000-4000-8000-000000000001', 'ベンチマーク事案', '概要', $1, 1)`,
    [addDays(today, -DAYS)],
  );
  // Countermeasures: statuses spread over the workflow, due dates around today, created over the 150 days.
  await q(
    `INSERT INTO countermeasures (id, incident_id, seq, title, description, category, owner_id, priority, due_date, required_for_gate, ongoing, status, resume_status, created_at, updated_at, version)
     SELECT md5('cm' || i)::uuid, '00000000-0000-4000-8000-000000000001', i, '対策 ' || i, '', 
       (ARRAY['DB_SHUTDOWN','ACCESS_RESTRICTION','EXPORT_RESTRICTION','MONITORING','EXTERNAL_AUDIT','GOVERNANCE','CUSTOMER_PROTECTION','COMMUNICATION','OTHER'])[1 + i % 9],
       ($2::uuid[])[1 + i % array_length($2::uuid[], 1)], (ARRAY['LOW','MEDIUM','HIGH','CRITICAL'])[1 + i % 4],
       $1::date + (i % 120 - 60), i % 50 = 0, i % 7 = 0,
       CASE WHEN i % 7 = 0 THEN (ARRAY['VERIFIED','OPERATING','DEGRADED','IN_PROGRESS'])[1 + i % 4]
            ELSE (ARRAY['PLANNED','IN_PROGRESS','BLOCKED','IMPLEMENTED','CHANGES_REQUESTED','VERIFIED','REOPENED','CANCELLED','IN_PROGRESS','VERIFIED'])[1 + i % 10] END,
       CASE WHEN i % 7 <> 0 AND i % 10 = 2 THEN 'IN_PROGRESS' END, now() - ((${DAYS} - 1 - i % ${DAYS}) || ' days')::interval, now(), 1
     FROM generate_series(1, ${N_CM}) i`,
    [today, ownerIds],
  );
  // History: the creation, and the move to the current status some days later.
  await q(
    `INSERT INTO countermeasure_transitions (countermeasure_id, from_status, to_status, cause, reason, actor_label, at)
     SELECT id, NULL, 'PLANNED', 'USER', NULL, 'bench', created_at FROM countermeasures`,
  );
  await q(
    `INSERT INTO countermeasure_transitions (countermeasure_id, from_status, to_status, cause, reason, actor_label, at)
     SELECT id, 'PLANNED', status, 'USER', CASE WHEN status = 'BLOCKED' THEN '調達待ち' END, 'bench', least(now(), created_at + ((seq % 20) || ' days')::interval)
     FROM countermeasures WHERE status <> 'PLANNED'`,
  );
  await q(
    `INSERT INTO countermeasure_due_date_changes (countermeasure_id, old_due_date, new_due_date, reason, actor_label, at)
     SELECT id, due_date - 14, due_date, '再計画', 'bench', created_at + interval '1 day' FROM countermeasures WHERE seq % 10 = 0 AND created_at + interval '1 day' < now()`,
  );
  await q(
    `INSERT INTO countermeasure_requirements (id, countermeasure_id, position, title, description, recurrence_days, evidence_total, live_evidence_count, accepted_evidence_count, latest_accepted_effective_on)
     SELECT md5('rq' || c.seq || '-' || p)::uuid, c.id, p, '要件 ' || p, '', CASE WHEN c.ongoing AND p = 1 THEN 30 END,
       ${EV_PER_REQ}, ${EV_PER_REQ}, ${EV_PER_REQ - 1}, CASE WHEN c.ongoing AND p = 1 THEN $1::date - (c.seq % 60) END
     FROM countermeasures c CROSS JOIN generate_series(1, ${REQ_PER_CM}) p`,
    [today],
  );
  // Evidence: two per requirement; the second of every fifth requirement waits for review.
  await q(
    `INSERT INTO evidence (id, countermeasure_id, requirement_id, kind, name, description, sha256, statement, effective_on, version_no, uploaded_by_id, uploaded_by_label, uploaded_at, status, review_decision, reviewed_at, version)
     SELECT md5('ev' || r.id || k)::uuid, r.countermeasure_id, r.id, 'ATTESTATION', '証跡 ' || k, '', md5(r.id::text || k) || md5(k || r.id::text), '確認済み',
       $1::date - (k * 3), 1, $2::uuid, 'bench', now() - ((k * 2 + r.position) || ' days')::interval, 'SUBMITTED',
       CASE WHEN k = 2 AND r.position = 1 THEN NULL ELSE 'ACCEPTED' END,
       CASE WHEN k = 2 AND r.position = 1 THEN NULL ELSE now() - (r.position || ' hours')::interval END, 1
     FROM countermeasure_requirements r CROSS JOIN generate_series(1, ${EV_PER_REQ}) k`,
    [today, ownerIds[0]],
  );
  await q(
    `INSERT INTO evidence_reviews (evidence_id, sha256, decision, comment, reviewer_id, reviewer_label, at)
     SELECT id, sha256, 'ACCEPTED', '', $1::uuid, 'bench', reviewed_at FROM evidence WHERE review_decision IS NOT NULL`,
    [ownerIds[1]],
  );
  // The audit trail (read only by the latest activity): hashes are not checked here.
  await q(
    `INSERT INTO audit_trail (seq, id, occurred_at, actor_id, actor_label, action, entity_type, entity_id, before, after, request_id, prev_hash, hash)
     SELECT (SELECT coalesce(max(seq), 0) FROM audit_trail) + i, md5('at' || i)::uuid, now() - ((${TRAIL} - i) || ' seconds')::interval, NULL, 'bench', 'countermeasure.status_changed', 'Countermeasure',
       md5('cm' || (1 + i % ${N_CM}))::uuid::text, '{"status":"PLANNED"}', '{"status":"IN_PROGRESS"}', NULL, repeat('0', 64), repeat('0', 64)
     FROM generate_series(1, ${TRAIL}) i`,
  );
  await q(
    `INSERT INTO audit_engagements (id, incident_id, title, firm, lead_auditor_id, status, created_at, updated_at, version)
     VALUES ('00000000-0000-4000-8000-0000000000e1', '00000000-0000-4000-8000-000000000001', '外部監査', '監査法人', $1, 'FIELDWORK', now() - interval '30 days', now(), 1)`,
    [ownerIds[1]],
  );
  await q(
    `INSERT INTO audit_engagement_transitions (engagement_id, from_status, to_status, actor_label, at) VALUES
     ('00000000-0000-4000-8000-0000000000e1', NULL, 'PLANNED', 'bench', now() - interval '30 days'),
     ('00000000-0000-4000-8000-0000000000e1', 'PLANNED', 'FIELDWORK', 'bench', now() - interval '20 days')`,
  );
  await q(
    `INSERT INTO audit_findings (incident_id, engagement_id, seq, severity, title, description, status, raised_by_label, raised_at, version)
     SELECT '00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-0000000000e1', i, (ARRAY['CRITICAL','HIGH','MEDIUM','LOW'])[1 + i % 4], '指摘 ' || i, '', 'OPEN', 'bench', now() - (i || ' days')::interval, 1
     FROM generate_series(1, 40) i`,
  );
  await q(
    `INSERT INTO promotion_gates (id, incident_id, key, name, description, created_reason, state, blockers, created_at, updated_at, version)
     VALUES ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-000000000001', 'new-customer-promotion', '新規顧客向け販促', '', '監査完了まで停止', 'SUSPENDED',
       '[{"kind":"NO_AUDIT_CLEARANCE","itemId":null,"itemKey":null,"itemTitle":null,"ownerId":null,"ownerName":null,"message":"The external audit is FIELDWORK"}]', now() - interval '100 days', now(), 1)`,
  );
  await q(
    `INSERT INTO promotion_gate_history (gate_id, from_state, to_state, cause, reason, blockers, actor_label, at)
     VALUES ('00000000-0000-4000-8000-0000000000a1', NULL, 'SUSPENDED', 'CREATED', '監査完了まで停止', '[]', 'bench', now() - interval '100 days')`,
  );
  await q('VACUUM ANALYZE'); // as autovacuum would have: index-only scans need the visibility map
  const counts = await q(`SELECT (SELECT count(*) FROM countermeasures) cm, (SELECT count(*) FROM countermeasure_requirements) rq,
    (SELECT count(*) FROM evidence) ev, (SELECT count(*) FROM evidence_reviews) rv, (SELECT count(*) FROM countermeasure_transitions) tr,
    (SELECT count(*) FROM audit_trail) at, (SELECT count(*) FROM evidence WHERE status = 'SUBMITTED' AND review_decision IS NULL) waiting`);
  console.log(`seeded in ${Date.now() - t0} ms:`, counts.rows[0]);
  await c.end();
}
