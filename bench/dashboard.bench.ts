/**
 * Dashboard benchmark: seeds one incident with 10k countermeasures, 50k
 * requirements, 100k evidence (90k reviewed), ~22k transitions and 100k
 * audit-trail entries into a fresh test database (INSERT ... SELECT
 * generate_series: seconds), runs the built server on it (`npm run build` first;
 * production mode, as deployed), and prints the latency
 * (p50 / p99) of the `dashboard` GraphQL query over N sequential runs (today
 * and a past day), then the throughput with C concurrent clients. Prints
 * numbers; asserts nothing.
 *
 *   npm run build && npx tsx bench/dashboard.bench.ts   # embedded PostgreSQL in a temp folder
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/dashboard.bench.ts
 *   RUNS=200 CONCURRENCY=10 COUNTERMEASURES=10000 npx tsx bench/dashboard.bench.ts
 *   EXPLAIN=current|history SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npx tsx bench/dashboard.bench.ts
 */
import { Client } from 'pg';
import { addDays, CASE_TIME_ZONE, todayIn } from '../libs/common/src/calendar';
import { dashboardStatement } from '../libs/dashboard/src/dashboard.sql';
import { pct, startBenchServer } from './support';

const RUNS = Number(process.env.RUNS ?? 100);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 10);
const N_CM = Number(process.env.COUNTERMEASURES ?? 10_000);
const REQ_PER_CM = 5; // 50k requirements
const EV_PER_REQ = 2; // 100k evidence
const TRAIL = Number(process.env.TRAIL ?? 100_000);
const DAYS = 150;

const QUERY = `query($asOf: LocalDate) { dashboard(asOf: $asOf) {
  asOf totals { total verified verifiedShare requiredTotal requiredVerified requiredVerifiedShare open overdue dueSoon blocked atRisk }
  byStatus { status count } byCategory { category status count }
  overdue { id key title status dueDate daysOverdue ownerId ownerName } dueSoon { id key dueDate ownerName }
  blocked { key reason blockedSince } atRisk { key } reviewQueue { waiting oldestUploadedAt oldestWaitDays }
  findings { bySeverity { severity open } auditStatus cleared } gate { key state canPromote blockers { kind itemKey message } }
  ownerLoad { ownerId ownerName open overdue } burnUp { day total implemented verified }
  latestActivity { at actorLabel action entityType entityId summary } } }`;

async function seed(url: string, ownerIds: string[]): Promise<void> {
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

async function main(): Promise<void> {
  // SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server (written when it stops).
  const nodeArgs = process.env.SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const { base, url, adminEmail, password, stop } = await startBenchServer({ prefix: 'bench', nodeArgs });
  try {
    console.log('server ready');
    const pg = new Client({ connectionString: url, options: '-c jit=off' }); // as the server's connections
    pg.on('error', () => undefined);
    await pg.connect();
    const owners = (
      await pg.query<{ id: string }>(
        `INSERT INTO users (email, display_name, display_name_kana, password_hash, roles, version)
         SELECT 'owner' || i || '@bench.test', '担当 ' || i, 'たんとう ' || i, 'not-a-hash', '{TASK_FORCE}', 1 FROM generate_series(1, 20) i RETURNING id`,
      )
    ).rows.map((r) => r.id);
    console.log('seeding');
    await seed(url, owners);

    const login = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `mutation { login(input: { email: "${adminEmail}", password: "${password}" }) { accessToken } }` }),
    });
    const token = ((await login.json()) as { data: { login: { accessToken: string } } }).data.login.accessToken;
    const post = (query: string, variables: Record<string, unknown>) =>
      fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      });
    const ask = async (asOf?: string) => {
      const res = await post(QUERY, { asOf });
      const body = (await res.json()) as {
        errors?: unknown;
        data?: { dashboard: { totals: unknown; burnUp: unknown[]; reviewQueue: unknown } };
      };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data!.dashboard;
    };
    const today = todayIn(CASE_TIME_ZONE, new Date());
    const first = await ask();
    console.log('today:', first.totals, first.reviewQueue, `burn-up points: ${first.burnUp.length}`);

    const measure = async (label: string, asOf?: string) => {
      for (let i = 0; i < 5; i++) await ask(asOf); // warm-up
      const ms: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t0 = performance.now();
        await ask(asOf);
        ms.push(performance.now() - t0);
      }
      ms.sort((a, b) => a - b);
      console.log(
        `${label}: runs=${RUNS} p50=${pct(ms, 50).toFixed(1)} ms p99=${pct(ms, 99).toFixed(1)} ms max=${ms.at(-1)!.toFixed(1)} ms`,
      );
    };
    // What any authenticated request costs (token check, user reload, Apollo, logging): the floor under the dashboard's figure.
    {
      const ms: number[] = [];
      for (let i = 0; i < RUNS + 5; i++) {
        const t0 = performance.now();
        const body = (await (await post('{ me { id } }', {})).json()) as { errors?: unknown };
        if (body.errors) throw new Error(JSON.stringify(body.errors));
        if (i >= 5) ms.push(performance.now() - t0);
      }
      ms.sort((a, b) => a - b);
      console.log(`GraphQL { me { id } } (the floor): p50=${pct(ms, 50).toFixed(1)} ms p99=${pct(ms, 99).toFixed(1)} ms`);
    }
    await measure('GraphQL dashboard (today, kept state)');
    await measure(`GraphQL dashboard(asOf: today-30) (rebuilt from history)`, addDays(today, -30));

    // The one statement alone, from a plain client (what PostgreSQL spends).
    const incident = '00000000-0000-4000-8000-000000000001';
    const endOfToday = new Date(`${addDays(today, 1)}T00:00:00.000+09:00`);
    if (process.env.EXPLAIN) {
      // EXPLAIN=current | history: that statement's plan at today.
      const source = process.env.EXPLAIN === 'history' ? 'history' : 'current';
      const plan = await pg.query(`EXPLAIN (ANALYZE, BUFFERS) ${dashboardStatement(source)}`, [
        incident,
        today,
        endOfToday,
        addDays(today, -DAYS),
        50,
        15,
      ]);
      console.log(plan.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n'));
    }
    for (const source of ['current', 'history'] as const) {
      const ms: number[] = [];
      for (let i = 0; i < 30; i++) {
        const t0 = performance.now();
        await pg.query(dashboardStatement(source), [incident, today, endOfToday, addDays(today, -DAYS), 50, 15]);
        ms.push(performance.now() - t0);
      }
      ms.sort((a, b) => a - b);
      console.log(`SQL statement only (${source} source, at today): p50=${pct(ms, 50).toFixed(1)} ms p99=${pct(ms, 99).toFixed(1)} ms`);
    }
    await pg.end();

    // Throughput: CONCURRENCY clients asking in a loop for ~5 s.
    let done = 0;
    const until = Date.now() + 5_000;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (Date.now() < until) {
          await ask();
          done++;
        }
      }),
    );
    console.log(`throughput (today, ${CONCURRENCY} concurrent clients, 5 s): ${(done / 5).toFixed(1)} req/s`);
  } catch (err) {
    console.error(err);
    process.exitCode = 1;
  } finally {
    await stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
