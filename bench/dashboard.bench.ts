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
import { DAYS, makeOwners, seedRemediation } from './remediation-seed';
import { pct, startBenchServer } from './support';

const RUNS = Number(process.env.RUNS ?? 100);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 10);
const N_CM = Number(process.env.COUNTERMEASURES ?? 10_000);
const TRAIL = Number(process.env.TRAIL ?? 100_000);

const QUERY = `query($asOf: LocalDate) { dashboard(asOf: $asOf) {
  asOf totals { total verified verifiedShare requiredTotal requiredVerified requiredVerifiedShare open overdue dueSoon blocked atRisk }
  byStatus { status count } byCategory { category status count }
  overdue { id key title status dueDate daysOverdue ownerId ownerName } dueSoon { id key dueDate ownerName }
  blocked { key reason blockedSince } atRisk { key } reviewQueue { waiting oldestUploadedAt oldestWaitDays }
  findings { bySeverity { severity open } auditStatus cleared } gate { key state canPromote blockers { kind itemKey message } }
  ownerLoad { ownerId ownerName open overdue } burnUp { day total implemented verified }
  latestActivity { at actorLabel action entityType entityId summary } } }`;

async function main(): Promise<void> {
  // SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server (written when it stops).
  const nodeArgs = process.env.SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const { base, url, adminEmail, password, stop } = await startBenchServer({ prefix: 'bench', nodeArgs });
  try {
    console.log('server ready');
    const pg = new Client({ connectionString: url, options: '-c jit=off' }); // as the server's connections
    pg.on('error', () => undefined);
    await pg.connect();
    const owners = await makeOwners(pg);
    console.log('seeding');
    await seedRemediation(url, owners, { countermeasures: N_CM, trail: TRAIL });

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
