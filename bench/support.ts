/** What the benchmarks share: starting the built server on a test database and reading latencies. */
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { EmbeddedPostgresServer } from '../libs/database/src/embedded/embedded-postgres';

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** The p-th percentile of sorted numbers. */
export function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Until /health/ready answers (the server migrates the database first), or the server exits. */
export async function waitReady(base: string, server: ChildProcess): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`the server exited (${server.exitCode})`);
    try {
      if ((await fetch(`${base}/health/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the server did not become ready');
}

export interface BenchServer {
  /** The built server, a child process. */
  server: ChildProcess;
  /** http://127.0.0.1:<port> */
  base: string;
  /** The fresh test database the server runs on. */
  url: string;
  /** The first admin's e-mail and password (ADMIN_EMAIL / ADMIN_PASSWORD). */
  adminEmail: string;
  password: string;
  /** Stops the server and drops everything the bench made (database, folders, embedded PostgreSQL). */
  stop(): Promise<void>;
  /**
   * Starts another build's server (its dist/apps/api/src/main.js) on the same database, with the
   * same settings and secrets, on another port (e.g. to compare its answers with this build's).
   * Stopped by its own `stop`, or by the bench's.
   */
  startAnother(serverJs: string, nodeArgs?: string[]): Promise<{ base: string; pid: number; stop(): Promise<void> }>;
}

/**
 * The built server (production mode, as deployed) on a fresh test database:
 * on DATABASE_URL's server (whose database name must contain "test"), or on an
 * embedded PostgreSQL in a temp folder. The server migrates at start; this
 * returns once it is ready.
 */
export async function startBenchServer(opts: {
  prefix: string;
  env?: Record<string, string>;
  nodeArgs?: string[];
  /** The address the server itself is given for the fresh database (e.g. through a counting proxy). */
  serverUrlFor?: (url: string) => Promise<string>;
}): Promise<BenchServer> {
  // BENCH_SERVER_JS: another build's server (e.g. an older commit's, to measure before and after in one way).
  const serverJs = path.resolve(process.env.BENCH_SERVER_JS || 'dist/apps/api/src/main.js');
  if (!fs.existsSync(serverJs)) throw new Error('Build first: npm run build (the bench runs the built server, as in production)');
  let embedded: EmbeddedPostgresServer | undefined;
  let tmp: string | undefined;
  let serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    if (!/test/i.test(new URL(serverUrl).pathname)) throw new Error('DATABASE_URL must name a database whose name contains "test"');
  } else {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-bench-'));
    fs.chmodSync(tmp, 0o755);
    embedded = await EmbeddedPostgresServer.start({ dataDir: tmp, database: 'test' });
    serverUrl = embedded.url;
  }
  console.log(`database server: ${serverUrl.replace(/:[^:@/]*@/, ':***@')}`);
  const database = `test_${opts.prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  admin.on('error', () => undefined); // the embedded server stops at the end
  await admin.connect();
  await admin.query(`CREATE DATABASE "${database}"`);
  const url = withDatabase(serverUrl, database);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-bench-app-'));
  // Production start needs its signing keys as files (README, "Checking our proofs without us").
  const keyFile = (name: string) => {
    const file = path.join(dataDir, `${name}.pem`);
    fs.writeFileSync(file, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    return file;
  };
  const trailKey = keyFile('trail-key');
  const bundleKey = keyFile('bundle-key');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const adminEmail = 'admin@bench.test';
  const password = 'bench-password-2026';
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    DATABASE_URL: opts.serverUrlFor ? await opts.serverUrlFor(url) : url,
    DATA_DIR: dataDir,
    TRAIL_SIGNING_KEY_FILE: trailKey,
    BUNDLE_SIGNING_KEY_FILE: bundleKey,
    JWT_SECRET: randomBytes(32).toString('hex'),
    SECOND_FACTOR_KEY: randomBytes(32).toString('hex'),
    DEMO: 'false',
    LOG_LEVEL: 'warn',
    ADMIN_EMAIL: adminEmail,
    ADMIN_PASSWORD: password,
    ...opts.env,
  };
  const server = spawn(process.execPath, [...productionNodeArgs(), ...(opts.nodeArgs ?? []), serverJs], {
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const others: ChildProcess[] = [];
  const startAnother = async (otherJs: string, nodeArgs: string[] = []) => {
    const otherPort = await freePort();
    const other = spawn(process.execPath, [...productionNodeArgs(), ...nodeArgs, path.resolve(otherJs)], {
      env: { ...env, PORT: String(otherPort) },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    others.push(other);
    const otherBase = `http://127.0.0.1:${otherPort}`;
    await waitReady(otherBase, other);
    return { base: otherBase, pid: other.pid!, stop: () => stopChild(other) };
  };
  const stop = async () => {
    for (const child of [server, ...others]) await stopChild(child);
    fs.rmSync(dataDir, { recursive: true, force: true });
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    await embedded?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  };
  try {
    await waitReady(base, server);
    // The benches sign in with a password and measure the request path, not the second factor: no role requires
    // one here (the default policy would leave the admin's session ENROLMENT_PENDING).
    const db = new Client({ connectionString: url });
    await db.connect();
    await db.query(`UPDATE second_factor_policy SET required = false, updated_by_label = 'system:bench'`).finally(() => db.end());
  } catch (err) {
    await stop();
    throw err;
  }
  return { server, base, url, adminEmail, password, stop, startAnother };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** The node flags the product starts with (`npm start`, package.json): the benches run the server as production does. */
export function productionNodeArgs(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.resolve('package.json'), 'utf8')) as { scripts: { start: string } };
  const words = pkg.scripts.start.split(/\s+/);
  if (words[0] !== 'node') throw new Error(`package.json's start script does not start with node: ${pkg.scripts.start}`);
  return words.slice(1).filter((w) => w.startsWith('--'));
}
