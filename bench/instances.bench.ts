/**
 * Several instances benchmark (issue 17): read and write throughput with 1, 2
 * and 3 instances of the built server (`npm run build` first; production mode,
 * as deployed) on one PostgreSQL, with the load spread over them.
 *
 * Once: a fresh database on DATABASE_URL's server (its name must contain
 * "test"), migrated and loaded with the demo case by the built CLI
 * (`migration:run`, `load-demo`), the second factor required of no role (the
 * bench measures the request path with password sign-ins). Then, for each
 * instance count, a copy of that database (CREATE DATABASE ... TEMPLATE, so
 * every round starts from the same rows), N instances sharing the secrets, the
 * signing keys and an S3 bucket (the in-process s3rver, as the evidence specs
 * use: several instances refuse a local evidence store), each with a DATA_DIR of
 * its own. In front of them HAProxy with deploy/haproxy.cfg when that file
 * exists (BALANCER=none: the clients spread their requests round-robin over
 * the instances themselves). C clients, signed in once (the session lives in
 * the database, so one token serves every instance):
 *   reads:  the countermeasure list page (20 items with owner and requirements);
 *   writes: createCountermeasure (a new row, its kept state, one audit-trail entry
 *           under the trail's lock: the write every client serialises on).
 * After each round: every acknowledged write is in the database, and the
 * audit trail's hash chain is intact (`verify-audit-trail`). Prints a table;
 * asserts nothing else. All databases and folders are removed at the end.
 *
 *   npm run build && DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/instances.bench.ts
 *   INSTANCES=1,2,3 CONCURRENCY=12 SECONDS=10 WARMUP_SECONDS=3 POOL_SIZE=5 BALANCER=none npx tsx bench/instances.bench.ts
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { evidenceS3Settings, startLocalS3 } from '../test/evidence/support-s3';
import {
  builtCli,
  childEnv,
  ensureBuild,
  freePort,
  killLeftoverServers,
  newDataDir,
  repoRoot,
  startServer,
  stopServer,
  type ServerChild,
} from '../test/support/server-child';
import { pct, withDatabase } from './support';

const COUNTS = (process.env.INSTANCES ?? '1,2,3').split(',').map(Number);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 12);
const SECONDS = Number(process.env.SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.WARMUP_SECONDS ?? 3);
// Connections in each instance's pool: small, so that three instances and everything else fit in max_connections (100 by default).
const POOL_SIZE = process.env.POOL_SIZE ?? '5';
const HAPROXY_CFG = path.join(repoRoot, 'deploy/haproxy.cfg');
const USE_HAPROXY = process.env.BALANCER !== 'none' && fs.existsSync(HAPROXY_CFG);
const DEMO_PASSWORD = 'demo-password-2026';
const run = promisify(execFile);

/** The list page: what the task force opens most. */
const READ = `query Page { countermeasures(first: 20) { totalCount pageInfo { hasNextPage endCursor }
  nodes { id key title status priority dueDate overdue version owner { id displayName }
    requirements { id title liveEvidenceCount acceptedEvidenceCount } } } }`;
const WRITE = `mutation Create($input: CreateCountermeasureInput!) { createCountermeasure(input: $input) { id key version } }`;

interface Phase {
  ok: number;
  failed: number;
  firstFailure?: string;
  ms: number[];
  seconds: number;
}

interface Front {
  /** Where request number `n` goes. */
  urlFor(n: number): string;
  describe: string;
  /** How many requests each instance was given so far (and, behind HAProxy, how often its health check took it out). */
  spread(): Promise<string[]>;
  stop(): Promise<void>;
}

/** HAProxy with deploy/haproxy.cfg over `ports`, or the clients' own round-robin. */
async function startFront(instances: ServerChild[]): Promise<Front> {
  if (!USE_HAPROXY) {
    const urls = instances.map((s) => `${s.baseUrl}/graphql`);
    const given = urls.map(() => 0);
    return {
      urlFor: (n) => (given[n % urls.length]!++, urls[n % urls.length]!),
      describe: 'clients round-robin over the instances',
      spread: async () => given.map(String),
      stop: async () => undefined,
    };
  }
  const port = await freePort();
  const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-inst-lb-'));
  const socket = path.join(socketDir, 'admin.sock');
  const env = { ...childEnv(), ...haproxyEnv(port, instances), TRACKER_LB_ADMIN_SOCKET: socket };
  const child: ChildProcess = spawn('/usr/sbin/haproxy', ['-db', '-f', HAPROXY_CFG], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  // It logs every request: only the tail is kept, for an error message.
  child.stdout!.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-10_000)));
  child.stderr!.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-10_000)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited:\n${out}`);
    // Ready when every instance is up behind it: each answers readiness through the balancer in turn.
    const answers = await Promise.all(
      instances.map(() =>
        fetch(`${url}/health/ready`).then(
          (r) => r.ok,
          () => false,
        ),
      ),
    );
    if (answers.every(Boolean)) break;
    if (Date.now() > deadline) throw new Error(`haproxy did not serve:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    urlFor: () => `${url}/graphql`,
    describe: `HAProxy ${HAPROXY_CFG.slice(repoRoot.length + 1)} on :${port}`,
    spread: async () => {
      // "show stat" on the runtime API: CSV with a header; the HTTP requests each server of the backend got.
      const csv = await new Promise<string>((resolve, reject) => {
        let text = '';
        const c = net.connect(socket, () => c.end('show stat\n'));
        c.on('data', (d: Buffer) => (text += d.toString()));
        c.on('end', () => resolve(text));
        c.on('error', reject);
      });
      const [head, ...lines] = csv.split('\n');
      const names = head!.replace(/^# /, '').split(',');
      const column = names.indexOf('req_tot') >= 0 ? names.indexOf('req_tot') : names.indexOf('stot');
      return lines
        .map((line) => line.split(','))
        .filter((f) => f[0] === 'instances' && /^instance\d+$/.test(f[1] ?? ''))
        .map((f) => `${f[column]}${Number(f[names.indexOf('chkdown')]) > 0 ? ` (out of the pool ${f[names.indexOf('chkdown')]}×)` : ''}`);
    },
    stop: async () => {
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
      fs.rmSync(socketDir, { recursive: true, force: true });
    },
  };
}

/** The settings deploy/haproxy.cfg reads (its header): where it listens and the instances' addresses. */
function haproxyEnv(port: number, instances: ServerChild[]): Record<string, string> {
  const env: Record<string, string> = { TRACKER_LB_BIND: `127.0.0.1:${port}` };
  instances.forEach((s, i) => (env[`TRACKER_SERVER_${i + 1}`] = `127.0.0.1:${s.port}`));
  return env;
}

/** `clients` loops of `request` for `seconds`, each request sent to the next address. */
async function drive(front: Front, seconds: number, request: (url: string) => Promise<void>): Promise<Phase> {
  const phase: Phase = { ok: 0, failed: 0, ms: [], seconds };
  let n = 0;
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < until) {
        const t0 = performance.now();
        try {
          await request(front.urlFor(n++));
          phase.ms.push(performance.now() - t0);
          phase.ok++;
        } catch (err) {
          phase.failed++;
          phase.firstFailure ??= (err as Error).message.slice(0, 300);
        }
      }
    }),
  );
  phase.ms.sort((a, b) => a - b);
  return phase;
}

async function post(url: string, token: string | null, query: string, variables: Record<string, unknown> = {}): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  if (!res.ok || text.includes('"errors"')) throw new Error(`${res.status} ${text.slice(0, 300)}`);
  return (JSON.parse(text) as { data: unknown }).data;
}

/** The settings every instance shares (deploy/tracker.env.example), on `url`. */
function sharedSettings(url: string, keysDir: string, s3: Record<string, string>, instances: number): Record<string, string> {
  // One folder of checkpoints and one of bundles per database, shared by its instances (as a mount would be).
  const shared = path.join(keysDir, new URL(url).pathname.slice(1));
  return {
    CHECKPOINT_DIR: path.join(shared, 'checkpoints'),
    BUNDLE_DIR: path.join(shared, 'bundles'),
    NODE_ENV: 'production',
    DATABASE_URL: url,
    INSTANCES: String(instances),
    DATABASE_POOL_SIZE: POOL_SIZE,
    // The bench's few users ask far more than a person would: the per-caller cost budget is not what is measured.
    GRAPHQL_COST_PER_MINUTE: '1000000000',
    JWT_SECRET: sharedSecret(keysDir, 'jwt-secret'),
    SECOND_FACTOR_KEY: sharedSecret(keysDir, 'second-factor-key'),
    TRAIL_SIGNING_KEY_FILE: path.join(keysDir, 'trail-key.pem'),
    BUNDLE_SIGNING_KEY_FILE: path.join(keysDir, 'bundle-key.pem'),
    DEMO: 'false',
    DEMO_PASSWORD,
    LOG_LEVEL: 'warn',
    TRUST_PROXY_HOPS: USE_HAPROXY ? '1' : '0',
    ...s3,
  };
}

function sharedSecret(dir: string, name: string): string {
  const file = path.join(dir, name);
  if (!fs.existsSync(file)) fs.writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  return fs.readFileSync(file, 'utf8');
}

async function round(
  n: number,
  url: string,
  settings: Record<string, string>,
  dataDirs: string[],
): Promise<{ reads: Phase; writes: Phase; front: string; chain: string; lost: number }> {
  const instances = await Promise.all(
    Array.from({ length: n }, () => {
      const dataDir = newDataDir('rt-inst-bench-');
      dataDirs.push(dataDir);
      return startServer(childEnv({ ...settings, DATA_DIR: dataDir }));
    }),
  );
  const front = await startFront(instances);
  try {
    const db = new Client({ connectionString: url });
    await db.connect();
    const incidentId = (await db.query<{ id: string }>(`SELECT id FROM incidents ORDER BY created_at LIMIT 1`)).rows[0]!.id;
    const ownerId = (await db.query<{ id: string }>(`SELECT id FROM users WHERE 'TASK_FORCE' = ANY(roles) ORDER BY email LIMIT 1`)).rows[0]!
      .id;
    const login = (await post(
      front.urlFor(0),
      null,
      `mutation { login(input: { email: "admin@example.com", password: "${DEMO_PASSWORD}" }) { accessToken } }`,
    )) as { login: { accessToken: string } };
    const token = login.login.accessToken;
    const read = async (u: string) => void (await post(u, token, READ));
    let w = 0;
    const tag = `bench-${n}-${randomBytes(3).toString('hex')}`;
    const write = async (u: string) =>
      void (await post(u, token, WRITE, {
        input: { incidentId, ownerId, title: `${tag} 対策 ${w++}`, category: 'MONITORING', priority: 'MEDIUM', dueDate: '2027-03-31' },
      }));
    await drive(front, WARMUP_SECONDS, read);
    const reads = await drive(front, SECONDS, read);
    const writes = await drive(front, SECONDS, write);
    const stored = Number(
      (await db.query<{ n: string }>(`SELECT count(*) n FROM countermeasures WHERE title LIKE $1`, [`${tag} %`])).rows[0]!.n,
    );
    await db.end();
    const check = await run(process.execPath, [builtCli, 'verify-audit-trail'], { cwd: repoRoot, env: childEnv(settings) }).then(
      (r) => `intact (${r.stdout.trim().split('\n')[0]?.slice(0, 80) ?? ''})`,
      (err: { stdout?: string; stderr?: string }) => `BROKEN: ${(err.stdout ?? '') + (err.stderr ?? '')}`.slice(0, 300),
    );
    const spread = (await front.spread()).join(' / ');
    return { reads, writes, front: `${front.describe} (requests per instance: ${spread})`, chain: check, lost: writes.ok - stored };
  } finally {
    await front.stop();
    await Promise.all(instances.map((s) => stopServer(s)));
  }
}

async function main(): Promise<void> {
  const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  if (!/test/i.test(new URL(server).pathname)) throw new Error('DATABASE_URL must name a database whose name contains "test"');
  ensureBuild();
  const load = os.loadavg().map((l) => l.toFixed(2));
  console.log(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), load average ${load.join(' ')} at start`);
  console.log('the instances, PostgreSQL, HAProxy and the clients share these cores: the figures show the shape, not scaling');
  const admin = new Client({ connectionString: server });
  await admin.connect();
  const base = `test_instances_${randomBytes(4).toString('hex')}`;
  const databases: string[] = [];
  const dataDirs: string[] = [];
  const keysDir = newDataDir('rt-inst-keys-');
  for (const name of ['trail-key', 'bundle-key']) {
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' });
    fs.writeFileSync(path.join(keysDir, `${name}.pem`), pem, { mode: 0o600 });
  }
  const s3 = await startLocalS3('evidence-bench');
  const rows: string[] = [];
  try {
    await admin.query(`CREATE DATABASE "${base}"`);
    databases.push(base);
    const baseUrl = withDatabase(server, base);
    const cli = (...args: string[]) =>
      run(process.execPath, [builtCli, ...args], {
        cwd: repoRoot,
        env: childEnv(sharedSettings(baseUrl, keysDir, evidenceS3Settings(s3), 1)),
      });
    await cli('migration:run');
    await cli('load-demo');
    const db = new Client({ connectionString: baseUrl });
    await db.connect();
    await db.query(`UPDATE second_factor_policy SET required = false, updated_by_label = 'system:bench'`);
    const counts = await db.query(`SELECT (SELECT count(*) FROM countermeasures) cm, (SELECT count(*) FROM audit_trail) trail`);
    await db.end();
    console.log(`demo case loaded: ${JSON.stringify(counts.rows[0])}`);
    console.log(
      `${CONCURRENCY} clients, ${WARMUP_SECONDS} s warm-up, ${SECONDS} s of reads then ${SECONDS} s of writes per round; ` +
        `DATABASE_POOL_SIZE=${POOL_SIZE} per instance`,
    );
    for (const n of COUNTS) {
      const name = `${base}_${n}`;
      await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${base}"`);
      databases.push(name);
      const url = withDatabase(server, name);
      const r = await round(n, url, sharedSettings(url, keysDir, evidenceS3Settings(s3), n), dataDirs);
      for (const p of [r.reads, r.writes]) if (p.firstFailure) console.log(`  first failure: ${p.firstFailure}`);
      const cell = (p: Phase) =>
        p.ms.length === 0
          ? `${'0.0'.padStart(9)} ${'-'.padStart(7)} ${'-'.padStart(7)}`
          : `${(p.ok / p.seconds).toFixed(1).padStart(9)} ${pct(p.ms, 50).toFixed(1).padStart(7)} ${pct(p.ms, 99).toFixed(1).padStart(7)}`;
      rows.push(`${String(n).padStart(9)} ${cell(r.reads)} ${cell(r.writes)} ${String(r.reads.failed + r.writes.failed).padStart(7)}`);
      console.log(`${n} instance(s) behind ${r.front}: trail chain ${r.chain}; acknowledged writes missing: ${r.lost}`);
    }
  } finally {
    killLeftoverServers();
    await s3.stop();
    for (const name of databases.reverse()) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    for (const dir of [...dataDirs, keysDir]) fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log('');
  const header = ['instances', 'reads/s', 'p50 ms', 'p99 ms', 'writes/s', 'p50 ms', 'p99 ms', 'failed'];
  console.log(header.map((h, i) => h.padStart([9, 9, 7, 7, 9, 7, 7, 7][i]!)).join(' '));
  for (const row of rows) console.log(row);
  console.log(
    `(${os.cpus().length} cores, shared with PostgreSQL, the balancer, the clients and whatever else runs; load average now ${os.loadavg()[0]!.toFixed(2)})`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
