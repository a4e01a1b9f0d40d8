/**
 * Nested-page benchmark (issue 14): a page of 50 countermeasures with their
 * owner, requirements, live evidence, the evidence's uploader and reviews,
 * served by the tracker and by PostGraphile 4.14 on the same database, in the
 * same run, with the same clients. Seeds the bench data set (remediation-seed.ts:
 * N countermeasures × 5 requirements × 2 evidence, reviews), runs the built
 * tracker (production mode) and PostGraphile (bench/postgraphile, its own
 * folder and graphql 15; installed there on first use), both connected through a
 * proxy that counts the SQL statements on the wire, checks that both answers
 * hold the same rows, then has C clients ask for pages in a loop and prints
 * req/s, p50/p99 latency, the server process's CPU and statements per request.
 * Prints numbers; asserts nothing but that the answers agree.
 *
 *   npm run build && npx tsx bench/nested-page.bench.ts        # embedded PostgreSQL in a temp folder
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/nested-page.bench.ts
 *   COUNTERMEASURES=100000 SECONDS=20 CONCURRENCY=10 ROUNDS=2 npx tsx bench/nested-page.bench.ts
 *   ONLY=tracker SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npx tsx bench/nested-page.bench.ts
 *   COMPARE_SERVER_JS=/elsewhere/dist/apps/api/src/main.js npx tsx bench/nested-page.bench.ts  # same answer bytes as another build?
 *   ANSWER_OUT=/tmp/page.json npx tsx bench/nested-page.bench.ts   # the tracker's first page, as served
 *   POSTGRAPHILE_NODE_ARGS= npx tsx bench/nested-page.bench.ts   # PostGraphile without the tracker's node flags (package.json start)
 *   SLICES=4 ROUNDS=2 SECONDS=40 npx tsx bench/nested-page.bench.ts   # each round in 4 stretches a server, taking turns
 *   # where the slow answers come from: each answer's latency, the server's collections and stalls
 *   ONLY=tracker LATENCY_OUT=/tmp/lat GC_TRACE_OUT=/tmp/gc.json SERVER_NODE_ARGS="-r ./bench/gc-trace.cjs" npx tsx bench/nested-page.bench.ts
 *   npx tsx bench/tail-summary.ts /tmp/lat-tracker-1.json /tmp/gc.json
 *   TRACKER_INSTANCES=2 npx tsx bench/nested-page.bench.ts   # the tracker as two instances on one database (scale-out),
 *     the clients spread over them as a balancer would (client i on instance i mod 2); CPU is the instances' sum
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { startStatementProxy, type StatementProxy } from './pg-statement-proxy';
import { makeOwners, seedRemediation } from './remediation-seed';
import { freePort, pct, productionNodeArgs, startBenchServer } from './support';

const N_CM = Number(process.env.COUNTERMEASURES ?? 10_000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 10);
const SECONDS = Number(process.env.SECONDS ?? 15);
const ROUNDS = Number(process.env.ROUNDS ?? 1);
const WARMUP = Number(process.env.WARMUP ?? 10);
const SLICES = Number(process.env.SLICES ?? 1);
const ONLY = process.env.ONLY; // tracker | postgraphile
const TRACKER_INSTANCES = Number(process.env.TRACKER_INSTANCES ?? 1);
const PAGE = 50;

/** The tracker's page: the fields PostGraphile can serve from the same columns. */
export const TRACKER_QUERY = `query NestedPage($first: Int!, $after: String) {
  countermeasures(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id key title status priority dueDate version
      owner { id displayName }
      requirements {
        id position title liveEvidenceCount acceptedEvidenceCount
        evidence {
          id name effectiveOn status reviewDecision
          uploadedBy { id displayName }
          reviews { id decision reviewerLabel at }
        }
      }
    }
  }
}`;

/** The same page from PostGraphile's generated schema (its inflection: allX, xByYId). */
const POSTGRAPHILE_QUERY = `query NestedPage($first: Int!, $after: Cursor) {
  allCountermeasures(first: $first, after: $after, orderBy: [INCIDENT_ID_ASC, SEQ_ASC]) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id seq title status priority dueDate version
      userByOwnerId { id displayName }
      countermeasureRequirementsByCountermeasureId(orderBy: [POSITION_ASC]) {
        nodes {
          id position title liveEvidenceCount acceptedEvidenceCount
          evidencesByRequirementId(condition: { status: "SUBMITTED" }, orderBy: [UPLOADED_AT_ASC, ID_ASC]) {
            nodes {
              id name effectiveOn status reviewDecision
              userByUploadedById { id displayName }
              evidenceReviewsByEvidenceId(orderBy: [AT_ASC, ID_ASC]) { nodes { id decision reviewerLabel at } }
            }
          }
        }
      }
    }
  }
}`;

interface Contender {
  name: 'tracker' | 'postgraphile';
  url: string;
  headers: Record<string, string>;
  body: (after: string | null) => string;
  pid: number;
  /** More instances of the same server (TRACKER_INSTANCES): client i asks instance i mod (1 + their number). */
  more?: { url: string; pid: number }[];
}

/** Every process of a contender (its instances), for its CPU. */
const pidsOf = (c: Contender) => [c.pid, ...(c.more ?? []).map((m) => m.pid)];
const cpuOf = (c: Contender) => pidsOf(c).reduce((a, pid) => a + cpuSeconds(pid), 0);

function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks (100 Hz)
}

async function ask(c: Contender, after: string | null = null, url = c.url): Promise<string> {
  const res = await fetch(url, { method: 'POST', headers: c.headers, body: c.body(after) });
  const text = await res.text();
  if (!res.ok || text.includes('"errors"')) throw new Error(`${c.name}: ${res.status} ${text.slice(0, 500)}`);
  return text;
}

/** The rows each answer holds, in one shape, so that the two servers can be compared. */
function rowsOf(name: Contender['name'], text: string): unknown {
  const data = (JSON.parse(text) as { data: Record<string, { nodes: Record<string, unknown>[] }> }).data;
  if (name === 'tracker') {
    return data.countermeasures!.nodes.map((n) => ({ ...n, key: undefined }));
  }
  type Nodes = { nodes: Record<string, unknown>[] };
  return data.allCountermeasures!.nodes.map((n) => {
    const { seq: _seq, userByOwnerId, countermeasureRequirementsByCountermeasureId, ...cm } = n;
    return {
      ...cm,
      owner: userByOwnerId,
      requirements: (countermeasureRequirementsByCountermeasureId as Nodes).nodes.map((r) => {
        const { evidencesByRequirementId, ...req } = r;
        return {
          ...req,
          evidence: (evidencesByRequirementId as Nodes).nodes.map((e) => {
            const { userByUploadedById, evidenceReviewsByEvidenceId, ...ev } = e;
            return { ...ev, uploadedBy: userByUploadedById, reviews: (evidenceReviewsByEvidenceId as Nodes).nodes };
          }),
        };
      }),
      key: undefined,
    };
  });
}

/** Timestamps as instants (the servers format them differently), so rows compare by value. */
function normalized(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v), (_k, x: unknown) =>
    typeof x === 'string' && /^\d{4}-\d\d-\d\dT/.test(x) ? new Date(x).toISOString() : x,
  );
}

/** The CPU time of each PostgreSQL backend serving the database, by process id (the server runs on this machine). */
async function backendCpu(pg: Client, database: string): Promise<Map<number, number>> {
  const pids = (
    await pg.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database])
  ).rows;
  const out = new Map<number, number>();
  for (const { pid } of pids) {
    try {
      out.set(pid, cpuSeconds(pid));
    } catch {
      // ended meanwhile
    }
  }
  return out;
}

/** CPU seconds the backends spent between two readings (a backend started meanwhile counts from zero). */
function backendDelta(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, cpu] of after) sum += cpu - (before.get(pid) ?? 0);
  return sum;
}

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  /** The slowest answer: a stall of the server's thread (a long task, a garbage collection) shows here first. */
  max: number;
  cpu: number;
  dbCpu: number;
  /** This process: the clients and the counting proxy. */
  benchCpu: number;
  n: number;
}

/** One stretch of load on one server: what was measured, summed; `summarize` turns stretches into a result. */
interface Stretch {
  ms: number[];
  /** Wall-clock start ms, latency ms, the page's place in its client's walk of four. */
  answers: [number, number, number][];
  seconds: number;
  cpuSeconds: number;
  dbCpuSeconds: number;
  benchCpuSeconds: number;
}

async function load(c: Contender, seconds: number, db?: { pg: Client; name: string }): Promise<Stretch> {
  const ms: number[] = [];
  const answers: [number, number, number][] = [];
  const cpu0 = cpuOf(c);
  const urls = [c.url, ...(c.more ?? []).map((m) => m.url)];
  const self0 = process.cpuUsage();
  const db0 = db ? await backendCpu(db.pg, db.name) : new Map<number, number>();
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, i) => {
      let after: string | null = null;
      let k = i;
      while (performance.now() < until) {
        const s = performance.now();
        const text = await ask(c, after, urls[i % urls.length]);
        const took = performance.now() - s;
        ms.push(took);
        answers.push([performance.timeOrigin + s, took, k % 4]);
        // Walk a few pages: the first, then the next ones by cursor, back to the first after 4.
        k++;
        after = k % 4 === 0 ? null : (/"endCursor":"([^"]+)"/.exec(text)?.[1] ?? null);
      }
    }),
  );
  const self = process.cpuUsage(self0);
  return {
    ms,
    answers,
    seconds: (performance.now() - t0) / 1000,
    cpuSeconds: cpuOf(c) - cpu0,
    dbCpuSeconds: db ? backendDelta(db0, await backendCpu(db.pg, db.name)) : 0,
    benchCpuSeconds: (self.user + self.system) / 1e6,
  };
}

/** The stretches of one server in one round, as one result (rates over their summed time, percentiles over all answers). */
function summarize(stretches: Stretch[]): LoadResult {
  const sum = (f: (s: Stretch) => number) => stretches.reduce((a, s) => a + f(s), 0);
  const elapsed = sum((s) => s.seconds);
  const ms = stretches.flatMap((s) => s.ms).sort((a, b) => a - b);
  return {
    rps: ms.length / elapsed,
    p50: pct(ms, 50),
    p99: pct(ms, 99),
    max: ms[ms.length - 1] ?? 0,
    cpu: sum((s) => s.cpuSeconds) / elapsed,
    dbCpu: sum((s) => s.dbCpuSeconds) / elapsed,
    benchCpu: sum((s) => s.benchCpuSeconds) / elapsed,
    n: ms.length,
  };
}

function ensurePostGraphile(): string {
  const dir = path.resolve('bench/postgraphile');
  if (!fs.existsSync(path.join(dir, 'node_modules/postgraphile'))) {
    console.log('installing PostGraphile 4.14 into bench/postgraphile (once)');
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
  }
  return path.join(dir, 'serve.cjs');
}

async function startPostGraphile(url: string): Promise<{ child: ChildProcess; base: string }> {
  const port = await freePort();
  // The same node flags as the tracker's production start by default (the young generation's size: it spared
  // the tracker about half its garbage collection), so that the ratio is the code's, not a flag's.
  const nodeArgs = process.env.POSTGRAPHILE_NODE_ARGS?.split(' ').filter(Boolean) ?? productionNodeArgs();
  const child = spawn(process.execPath, [...nodeArgs, ensurePostGraphile()], {
    env: { ...process.env, NODE_ENV: 'production', DATABASE_URL: url, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('postgraphile ready') && resolve());
    child.once('exit', (code) => reject(new Error(`PostGraphile exited (${code})`)));
  });
  return { child, base: `http://127.0.0.1:${port}` };
}

/** The bench admin's access token from the server at `base`. */
async function signIn(base: string, who: { adminEmail: string; password: string }): Promise<string> {
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: `mutation { login(input: { email: "${who.adminEmail}", password: "${who.password}" }) { accessToken } }`,
    }),
  });
  return ((await res.json()) as { data: { login: { accessToken: string } } }).data.login.accessToken;
}

async function main(): Promise<void> {
  let proxy: StatementProxy | undefined;
  const nodeArgs = process.env.SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const tracker = await startBenchServer({
    prefix: 'nested',
    nodeArgs,
    // One signed-in client asks for thousands of pages a minute here; the per-caller cost budget is
    // a guard against abuse, not what this bench measures.
    env: { GRAPHQL_COST_PER_MINUTE: '1000000000' },
    serverUrlFor: async (url) => {
      const u = new URL(url);
      proxy = await startStatementProxy({ host: u.hostname, port: Number(u.port || 5432) });
      return proxy.url(url);
    },
  });
  let graphile: { child: ChildProcess; base: string } | undefined;
  let pgClient: Client | undefined;
  try {
    const pg = new Client({ connectionString: tracker.url });
    pg.on('error', () => undefined);
    await pg.connect();
    pgClient = pg;
    const owners = await makeOwners(pg);
    await seedRemediation(tracker.url, owners, { countermeasures: N_CM, trail: 1000 });
    const db = { pg, name: new URL(tracker.url).pathname.slice(1) };

    const token = await signIn(tracker.base, tracker);
    const contenders: Contender[] = [
      {
        name: 'tracker',
        url: `${tracker.base}/graphql`,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: (after) => JSON.stringify({ query: TRACKER_QUERY, variables: { first: PAGE, after } }),
        pid: tracker.server.pid!,
      },
    ];
    // More instances of the tracker on the same database, with the same settings and secrets (a session is good on each).
    for (let n = 1; n < TRACKER_INSTANCES; n++) {
      const other = await tracker.startAnother(process.env.BENCH_SERVER_JS || 'dist/apps/api/src/main.js', nodeArgs);
      (contenders[0]!.more ??= []).push({ url: `${other.base}/graphql`, pid: other.pid });
    }
    if (TRACKER_INSTANCES > 1) console.log(`tracker: ${TRACKER_INSTANCES} instances on one database, the clients spread over them`);
    if (ONLY !== 'tracker') {
      graphile = await startPostGraphile(proxy!.url(tracker.url));
      contenders.push({
        name: 'postgraphile',
        url: `${graphile.base}/graphql`,
        headers: { 'content-type': 'application/json' },
        body: (after) => JSON.stringify({ query: POSTGRAPHILE_QUERY, variables: { first: PAGE, after } }),
        pid: graphile.child.pid!,
      });
    }
    const first = new Map<string, string>();
    for (const c of contenders) {
      const text = await ask(c);
      first.set(c.name, text);
      const before = proxy!.statements;
      const ms: number[] = [];
      for (let i = 0; i < 20; i++) {
        const t0 = performance.now();
        await ask(c);
        ms.push(performance.now() - t0);
      }
      ms.sort((a, b) => a - b);
      console.log(
        `${c.name}: answer ${(Buffer.byteLength(text) / 1024).toFixed(1)} KiB, ${(proxy!.statements - before) / 20} statements per page, one client: p50 ${pct(ms, 50).toFixed(1)} ms`,
      );
    }
    if (process.env.ANSWER_OUT) fs.writeFileSync(process.env.ANSWER_OUT, first.get('tracker')!);
    // COMPARE_SERVER_JS: another build on the same database; its answers to the same four pages must be the same bytes.
    if (process.env.COMPARE_SERVER_JS) {
      const other = await tracker.startAnother(process.env.COMPARE_SERVER_JS);
      const otherToken = await signIn(other.base, tracker);
      const twin: Contender = {
        ...contenders[0]!,
        url: `${other.base}/graphql`,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${otherToken}` },
      };
      let after: string | null = null;
      for (let page = 1; page <= 4; page++) {
        const body = contenders[0]!.body(after);
        const [mine, theirs] = await Promise.all(
          [contenders[0]!, twin].map(async (c) => (await fetch(c.url, { method: 'POST', headers: c.headers, body })).text()),
        );
        if (mine !== theirs) throw new Error(`page ${page}: the answers of this build and ${process.env.COMPARE_SERVER_JS} differ`);
        after = (JSON.parse(mine) as { data: { countermeasures: { pageInfo: { endCursor: string } } } }).data.countermeasures.pageInfo
          .endCursor;
      }
      console.log(`this build and ${process.env.COMPARE_SERVER_JS}: the same bytes for the first four pages`);
      await other.stop(); // not beside the rounds: its jobs and pool would share the machine
    }
    if (first.has('postgraphile')) {
      const a = JSON.stringify(normalized(rowsOf('tracker', first.get('tracker')!)));
      const b = JSON.stringify(normalized(rowsOf('postgraphile', first.get('postgraphile')!)));
      if (a !== b) throw new Error('the two servers answered with different rows');
      console.log('both answers hold the same rows');
    }
    console.log(`load: ${CONCURRENCY} clients, ${SECONDS} s each, ${N_CM} countermeasures, pages of ${PAGE}`);
    for (let round = 1; round <= ROUNDS; round++) {
      // SLICES > 1: the round's SECONDS in that many stretches, taking turns between the servers, so that a drift of
      // the machine's speed within the round (it shares its cores) weighs on both alike.
      const stretches = new Map<string, Stretch[]>(contenders.map((c) => [c.name, []]));
      for (let slice = 0; slice < SLICES; slice++) {
        for (const c of contenders) {
          // Warm-up (JIT, pools): WARMUP seconds before the first round (a server's code is optimized only after some
          // hundreds of pages: a first round of 2 s' warm-up measured the tracker 10-20 % below its later rounds), 2 s
          // before each later stretch.
          await load(c, round === 1 && slice === 0 ? WARMUP : 2);
          stretches.get(c.name)!.push(await load(c, SECONDS / SLICES, db));
        }
      }
      const results = new Map<string, LoadResult>();
      for (const c of contenders) {
        const mine = stretches.get(c.name)!;
        if (process.env.LATENCY_OUT) {
          fs.writeFileSync(`${process.env.LATENCY_OUT}-${c.name}-${round}.json`, JSON.stringify(mine.flatMap((s) => s.answers)));
        }
        const r = summarize(mine);
        results.set(c.name, r);
        console.log(
          `round ${round} ${c.name.padEnd(12)} ${r.rps.toFixed(1).padStart(6)} req/s  p50 ${r.p50.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms  max ${r.max.toFixed(0)} ms  server CPU ${(r.cpu * 100).toFixed(0)} % (${((r.cpu / r.rps) * 1000).toFixed(1)} ms a request)  PostgreSQL CPU ${(r.dbCpu * 100).toFixed(0)} % (${((r.dbCpu / r.rps) * 1000).toFixed(1)} ms)  clients CPU ${(r.benchCpu * 100).toFixed(0)} %  (${r.n} requests)`,
        );
      }
      const [mine, theirs] = [results.get('tracker'), results.get('postgraphile')];
      if (mine && theirs) console.log(`round ${round} ratio        ${(mine.rps / theirs.rps).toFixed(2)}× PostGraphile's req/s`);
    }
  } catch (err) {
    console.error(err);
    process.exitCode = 1;
  } finally {
    await pgClient?.end();
    graphile?.child.kill('SIGTERM');
    await tracker.stop();
    await proxy?.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
