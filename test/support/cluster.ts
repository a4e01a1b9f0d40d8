import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Pool } from 'pg';
import { evidenceS3Settings, startLocalS3, type LocalS3 } from '../evidence/support-s3';
import { freshDatabase } from './fresh-database';
import { builtServer, childEnv, ensureBuild, freePort, repoRoot, signingKeyFile } from './server-child';
import type { GqlResponse } from './test-app';

/**
 * Several instances of the BUILT server (dist/, as `npm start` runs it) on one
 * fresh test database, with HAProxy in front configured by deploy/haproxy.cfg
 * (the file a deployment uses; addresses from the environment). Evidence goes
 * to the in-process S3 server; the instances share the secrets and signing keys
 * a multi-instance start requires. The demo case is loaded by the first
 * instance, before the others start.
 *
 * Instances are numbered from 1, like HAProxy's servers (instance1..N). Each
 * keeps its port across restarts, since the balancer's configuration names it.
 */
export const HAPROXY = '/usr/sbin/haproxy';
export const HAPROXY_CONFIG = path.join(repoRoot, 'deploy/haproxy.cfg');
export const DEMO_PASSWORD = 'demo-password-2026';

export interface Instance {
  /** 1-based, as in HAProxy's `instance<n>`. */
  readonly n: number;
  readonly port: number;
  readonly baseUrl: string;
  /** The running process, or null while it is stopped. */
  child: ChildProcess | null;
  /** How the current (or last) process ended: exit code or signal name. */
  exited: Promise<number | string | null>;
  /** Everything every process of this instance wrote, for failure messages. */
  output: string;
}

export interface ClusterOptions {
  instances?: number;
  /** Extra settings for every instance. */
  env?: Record<string, string>;
}

export interface SignedIn {
  accessToken: string;
  refreshToken: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value other than undefined; fails after `timeoutMs` (a safety net, not a speed requirement). */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(100);
  }
}

export class Cluster {
  readonly instances: Instance[] = [];
  lbUrl = '';
  private haproxy: ChildProcess | null = null;
  private haproxyOutput = '';
  private adminSocket = '';
  private workDir = '';
  private s3: LocalS3 | null = null;
  private env: NodeJS.ProcessEnv = {};
  private pool: Pool | null = null;

  private constructor(readonly databaseUrl: string) {}

  /** Starts `instances` (default 3) servers and the balancer; resolves once every instance is in the balancer's pool. */
  static async start(opts: ClusterOptions = {}): Promise<Cluster> {
    ensureBuild();
    const count = opts.instances ?? 3;
    const cluster = new Cluster(await freshDatabase({ infix: '_cl' }));
    try {
      await cluster.boot(count, opts.env ?? {});
    } catch (err) {
      await cluster.close();
      throw err;
    }
    return cluster;
  }

  private async boot(count: number, extra: Record<string, string>): Promise<void> {
    this.workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-cluster-'));
    fs.chmodSync(this.workDir, 0o755);
    this.s3 = await startLocalS3();
    this.env = childEnv({
      NODE_ENV: 'test',
      INSTANCES: String(count),
      DATABASE_URL: this.databaseUrl,
      // Shared by every instance, as a deployment shares them (none generated into one DATA_DIR).
      JWT_SECRET: randomBytes(32).toString('hex'),
      SECOND_FACTOR_KEY: randomBytes(32).toString('hex'),
      TRAIL_SIGNING_KEY_FILE: signingKeyFile(this.workDir, 'trail'),
      BUNDLE_SIGNING_KEY_FILE: signingKeyFile(this.workDir, 'bundle'),
      ...evidenceS3Settings(this.s3),
      // Directories every instance of a deployment mounts (here: one folder on this machine).
      CHECKPOINT_DIR: sharedDir(this.workDir, 'checkpoints'),
      BUNDLE_DIR: sharedDir(this.workDir, 'bundles'),
      DEMO: 'true',
      PASSWORD_HASHING: 'fast',
      LOG_LEVEL: 'warn',
      // Behind HAProxy: the client's address is the one in X-Forwarded-For.
      TRUST_PROXY_HOPS: '1',
      SHUTDOWN_GRACE_SECONDS: '10',
      // Two clusters may run at once (one per test worker) beside other tests on one PostgreSQL
      // (max_connections 100): a small pool each.
      DATABASE_POOL_SIZE: '4',
      ...extra,
    });
    for (let n = 1; n <= count; n++) {
      const port = await freePort();
      this.instances.push({
        n,
        port,
        baseUrl: `http://127.0.0.1:${port}`,
        child: null,
        exited: Promise.resolve(null),
        output: '',
      });
    }
    // The first instance migrates and loads the demo into the empty database; the others find it loaded.
    await this.startInstance(1);
    await Promise.all(this.instances.slice(1).map((i) => this.startInstance(i.n)));
    await this.startBalancer();
  }

  instance(n: number): Instance {
    const i = this.instances[n - 1];
    if (!i) throw new Error(`no instance ${n}`);
    return i;
  }

  /** Base URL of instance `n` (1-based), reached directly. */
  url(n: number): string {
    return this.instance(n).baseUrl;
  }

  /** Starts instance `n` on its port; resolves once it says it is ready (GET /health/ready 200). */
  async startInstance(n: number): Promise<void> {
    const i = this.instance(n);
    if (i.child) throw new Error(`instance ${n} is running`);
    const child = spawn(process.execPath, [builtServer], {
      cwd: repoRoot,
      env: { ...this.env, PORT: String(i.port), DATA_DIR: this.dataDir(n) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    i.child = child;
    i.output += `\n--- instance ${n} started (pid ${child.pid}) ---\n`;
    const append = (c: Buffer) => void (i.output += c.toString());
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    i.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        if (i.child === child) i.child = null;
        resolve(code ?? signal);
      }),
    );
    let dead = false;
    void i.exited.then(() => (dead = true));
    await waitFor(
      `instance ${n} to be ready`,
      async () => {
        if (dead) throw new Error(`instance ${n} exited before it was ready:\n${i.output.slice(-4000)}`);
        const res = await fetch(`${i.baseUrl}/health/ready`).catch(() => null);
        return res?.status === 200 ? true : undefined;
      },
      180_000,
    ).catch((err: unknown) => {
      if (dead) throw new Error(`instance ${n} exited before it was ready:\n${i.output.slice(-4000)}`);
      throw err;
    });
  }

  /** SIGTERM (what a service manager sends for a rolling restart); resolves with how it ended. */
  async stopInstance(n: number): Promise<number | string | null> {
    const i = this.instance(n);
    if (!i.child) return null;
    i.child.kill('SIGTERM');
    return i.exited;
  }

  /** SIGKILL: the instance dies wherever it is, with requests in flight. */
  async killInstance(n: number): Promise<number | string | null> {
    const i = this.instance(n);
    if (!i.child) return null;
    i.child.kill('SIGKILL');
    return i.exited;
  }

  /** SIGTERM, start again, and wait until the balancer sends it requests again. */
  async restartInstance(n: number): Promise<number | string | null> {
    const ended = await this.stopInstance(n);
    await this.startInstance(n);
    await this.waitInPool(n);
    return ended;
  }

  // ---- the balancer

  private async startBalancer(): Promise<void> {
    const port = await freePort();
    this.lbUrl = `http://127.0.0.1:${port}`;
    this.adminSocket = path.join(this.workDir, 'haproxy.sock');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      TRACKER_LB_BIND: `127.0.0.1:${port}`,
      TRACKER_LB_ADMIN_SOCKET: this.adminSocket,
    };
    for (const i of this.instances) env[`TRACKER_SERVER_${i.n}`] = `127.0.0.1:${i.port}`;
    const child = spawn(HAPROXY, ['-f', HAPROXY_CONFIG, '-db'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.haproxy = child;
    const append = (c: Buffer) => void (this.haproxyOutput += c.toString());
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    let exited = false;
    child.once('exit', () => (exited = true));
    for (const i of this.instances) {
      await this.waitInPool(i.n).catch((err: unknown) => {
        throw new Error(`${String(err)}${exited ? ' (haproxy exited)' : ''}\n${this.haproxyOutput.slice(-4000)}`);
      });
    }
  }

  /** What HAProxy's runtime API answers to `command`. */
  async haproxyCommand(command: string): Promise<string> {
    return new Promise((resolve, reject) => {
      let out = '';
      const s = net.connect(this.adminSocket);
      s.on('connect', () => s.end(`${command}\n`));
      s.on('data', (c: Buffer) => (out += c.toString()));
      s.on('error', reject);
      s.on('close', () => resolve(out));
    });
  }

  /** The balancer's view of each instance: `UP`, `DOWN`, `UP 1/2`, `MAINT`, ... */
  async poolStatus(): Promise<Record<string, string>> {
    const csv = await this.haproxyCommand('show stat');
    const lines = csv.split('\n').filter((l) => l && !l.startsWith('#'));
    const header = csv.split('\n')[0]!.replace(/^# /, '').split(',');
    const svname = header.indexOf('svname');
    const status = header.indexOf('status');
    const out: Record<string, string> = {};
    for (const l of lines) {
      const cols = l.split(',');
      if (cols[0] === 'instances' && /^instance\d+$/.test(cols[svname]!)) out[cols[svname]!] = cols[status]!;
    }
    return out;
  }

  /** Waits until the balancer has instance `n` in its pool (its health checks pass). */
  async waitInPool(n: number): Promise<void> {
    await waitFor(`instance ${n} in the balancer's pool`, async () =>
      (await this.poolStatus())[`instance${n}`] === 'UP' ? true : undefined,
    );
  }

  /** Waits until the balancer has taken instance `n` out of its pool. */
  async waitOutOfPool(n: number): Promise<void> {
    await waitFor(`instance ${n} out of the balancer's pool`, async () =>
      (await this.poolStatus())[`instance${n}`]?.startsWith('DOWN') ? true : undefined,
    );
  }

  /** The balancer's log so far (for failure messages). */
  balancerOutput(): string {
    return this.haproxyOutput;
  }

  // ---- requests

  /** POST /graphql at `baseUrl` (an instance's or the balancer's), with `headers` added. Throws on a network error or a non-JSON answer. */
  async gql<T = Record<string, unknown>>(
    baseUrl: string,
    query: string,
    variables: Record<string, unknown> = {},
    token?: string,
    headers: Record<string, string> = {},
  ): Promise<GqlResponse<T> & { status: number }> {
    const res = await fetch(`${baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body: JSON.stringify({ query, variables }),
    });
    const text = await res.text();
    let body: GqlResponse<T>;
    try {
      body = JSON.parse(text) as GqlResponse<T>;
    } catch {
      throw new Error(`HTTP ${res.status} with no GraphQL answer: ${text.slice(0, 300)}`);
    }
    return { ...body, status: res.status };
  }

  /** The data of a GraphQL call that must succeed; throws with the errors otherwise. */
  async data<T = Record<string, unknown>>(
    baseUrl: string,
    query: string,
    variables: Record<string, unknown> = {},
    token?: string,
  ): Promise<T> {
    const res = await this.gql<T>(baseUrl, query, variables, token);
    if (res.errors?.length || !res.data) throw new Error(`GraphQL failed (HTTP ${res.status}): ${JSON.stringify(res.errors)}`);
    return res.data;
  }

  /** A password sign-in at `baseUrl` (the demo's password by default). */
  async signIn(baseUrl: string, email: string, password = DEMO_PASSWORD): Promise<SignedIn> {
    const d = await this.data<{ login: SignedIn }>(
      baseUrl,
      `mutation($input: LoginInput!) { login(input: $input) { accessToken refreshToken } }`,
      { input: { email, password } },
    );
    return d.login;
  }

  /** One statement on the shared database (for checks after the fact), on a pool of two connections of the test's own. */
  async sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
    if (!this.pool) {
      this.pool = new Pool({ connectionString: this.databaseUrl, max: 2 });
      this.pool.on('error', () => undefined);
    }
    return (await this.pool.query(text, params)).rows as T[];
  }

  /** Stops the balancer (SIGTERM) and every instance (SIGKILL: nothing of them is kept), and the S3 server. */
  async close(): Promise<void> {
    if (this.haproxy && this.haproxy.exitCode === null) {
      const ended = new Promise((r) => this.haproxy!.once('exit', r));
      this.haproxy.kill('SIGTERM');
      await ended;
    }
    await Promise.all(
      this.instances.map(async (i) => {
        if (i.child) {
          i.child.kill('SIGKILL');
          await i.exited;
        }
      }),
    );
    await this.pool?.end();
    await this.s3?.stop();
    if (this.workDir) fs.rmSync(this.workDir, { recursive: true, force: true });
  }

  private dataDir(n: number): string {
    const dir = path.join(this.workDir, `instance${n}`);
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    return dir;
  }
}

function sharedDir(dir: string, name: string): string {
  const made = path.join(dir, name);
  fs.mkdirSync(made, { recursive: true, mode: 0o755 });
  return made;
}
