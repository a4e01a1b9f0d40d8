import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * The built server (dist/) run as its own process, the way a user runs
 * `npm start`: started on a free port, waited for until it serves, its output
 * kept, stopped with a signal.
 */
export const repoRoot = path.resolve(__dirname, '../..');
export const builtServer = path.join(repoRoot, 'dist/apps/api/src/main.js');
export const builtCli = path.join(repoRoot, 'dist/apps/cli/src/main.js');

/** Builds dist/ when it is missing or older than the sources (one build for all test workers). */
export function ensureBuild(): void {
  execFileSync(process.execPath, [path.join(repoRoot, 'scripts/ensure-build.cjs')], { cwd: repoRoot, stdio: 'inherit' });
}

/** A child's environment: only PATH and HOME of this process, then `settings`. */
export function childEnv(settings: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, ...settings };
}

/** A new Ed25519 signing key as a PEM file in `dir` (what TRAIL_SIGNING_KEY_FILE / BUNDLE_SIGNING_KEY_FILE name). */
export function signingKeyFile(dir: string, purpose: string): string {
  const file = path.join(dir, `${purpose}-signing-key.pem`);
  fs.writeFileSync(file, generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  return file;
}

/** A new DATA_DIR under the temp folder, world-traversable: run as root, the server runs the embedded PostgreSQL as the postgres user. */
export function newDataDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  return dir;
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface ServerChild {
  child: ChildProcess;
  port: number;
  baseUrl: string;
  stdout: () => string;
  stderr: () => string;
  /** stdout and stderr as they came. */
  output: () => string;
  /**
   * stdout and stderr once they hold `text`. The server's logs are written
   * asynchronously (pino), so a line logged before the banner may arrive after
   * it: a test waits for the line, never reads the output once and hopes.
   * Rejects with the output if the server exits without writing it.
   */
  waitForOutput: (text: string | RegExp) => Promise<string>;
  /** Exit code, or the signal's name when it ended by a signal. */
  exited: Promise<number | string | null>;
}

const started: ChildProcess[] = [];

/** Starts the built server with `env` (PORT is set to a free port) and resolves once it says where GraphQL is; rejects with its output if it exits first. */
export async function startServer(env: NodeJS.ProcessEnv): Promise<ServerChild> {
  const port = await freePort();
  const child = spawn(process.execPath, [builtServer], {
    cwd: repoRoot,
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let out = '';
  let err = '';
  let all = '';
  const waiters = new Set<() => void>();
  const arrived = () => waiters.forEach((check) => check());
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
    all += c.toString();
    arrived();
  });
  child.stderr!.on('data', (c: Buffer) => {
    err += c.toString();
    all += c.toString();
    arrived();
  });
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const holds = (text: string | RegExp) => (typeof text === 'string' ? all.includes(text) : text.test(all));
  const waitForOutput = (text: string | RegExp) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        if (!holds(text)) return;
        waiters.delete(check);
        resolve(all);
      };
      waiters.add(check);
      check();
      // Whatever the pipes still held has been read when 'close' comes after 'exit'.
      child.once('close', () => {
        if (!waiters.has(check)) return;
        waiters.delete(check);
        if (holds(text)) resolve(all);
        else reject(new Error(`the server ended without writing ${String(text)}:\n${all}`));
      });
    });
  const ready = await Promise.race([
    (async () => {
      while (!out.includes('GraphQL at')) await new Promise((r) => setTimeout(r, 100));
      return true;
    })(),
    exited.then(() => false),
  ]);
  if (!ready) throw new Error(`server exited before it was ready:\n${all}`);
  return {
    child,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    stdout: () => out,
    stderr: () => err,
    output: () => all,
    waitForOutput,
    exited,
  };
}

/** Runs the built command line (`npm run cli -- <args>`) to its end: its exit code and what it wrote. */
export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [builtCli, ...args], { cwd: repoRoot, env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs the built server expecting it to refuse to start; returns its exit code and stderr. */
export async function startServerFails(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [builtServer], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  child.stdout!.resume();
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stderr: err };
}

/** SIGTERM, as Ctrl-C or a service manager stops it; resolves with how it ended. */
export async function stopServer(s: ServerChild): Promise<number | string | null> {
  s.child.kill('SIGTERM');
  return s.exited;
}

/** For afterAll: SIGKILL every server this file started that still runs (what a failed test left). */
export function killLeftoverServers(): void {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/**
 * Signs in at a server's `baseUrl` (GraphQL's login mutation over HTTP) and returns the access token; rejects with
 * the answer's errors when there is no token.
 */
export async function signInAt(baseUrl: string, credentials: { email: string; password: string }): Promise<string> {
  const res = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: `mutation($input: LoginInput!) { login(input: $input) { accessToken } }`,
      variables: { input: credentials },
    }),
  });
  const body = (await res.json()) as { data?: { login?: { accessToken: string } } | null; errors?: unknown[] };
  if (!body.data?.login?.accessToken)
    throw new Error(`sign-in as ${credentials.email} at ${baseUrl} failed: ${JSON.stringify(body.errors)}`);
  return body.data.login.accessToken;
}
