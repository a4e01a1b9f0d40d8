import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `npm start` after the previous server was killed with SIGKILL: its embedded
 * PostgreSQL kept running (no exit hook runs on SIGKILL). The new server must
 * not silently share it and then leave it running on Ctrl-C.
 */
const root = path.resolve(__dirname, '../..');
const main = path.join(root, 'dist/apps/api/src/main.js');

interface Running {
  child: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<number | string | null>;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const started: ChildProcess[] = [];

async function start(dataDir: string): Promise<Running> {
  const port = await freePort();
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'info', DEMO: 'false', DATA_DIR: dataDir, PORT: String(port) };
  const child = spawn(process.execPath, [main], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const ready = await Promise.race([
    (async () => {
      while (!out.includes('GraphQL at')) await new Promise((r) => setTimeout(r, 100));
      return true;
    })(),
    exited.then(() => false),
  ]);
  if (!ready) throw new Error(`server exited before it was ready:\n${out}`);
  return { child, port, output: () => out, exited };
}

/** The postmaster's pid from DATA_DIR/pg/postmaster.pid, or undefined when there is none. */
function postmasterPid(dataDir: string): number | undefined {
  try {
    return Number(fs.readFileSync(path.join(fs.realpathSync(path.join(dataDir, 'pg')), 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return undefined;
  }
}

/** Running, and not a zombie. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true;
  }
}

/** Every running `postgres` process whose command line names this cluster. */
function postgresOn(clusterDir: string): number[] {
  const pids: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (cmdline.some((a) => a.endsWith('/postgres')) && cmdline.includes(clusterDir) && isRunning(Number(name))) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

describe('an embedded PostgreSQL left running by a killed server', () => {
  let dataDir: string;

  beforeAll(() => {
    execFileSync(process.execPath, [path.join(root, 'scripts/ensure-build.cjs')], { cwd: root, stdio: 'inherit' });
    // World-traversable: as root the server runs PostgreSQL as the postgres user.
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-orphan-'));
    fs.chmodSync(dataDir, 0o755);
  }, 180_000);

  afterAll(() => {
    for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    // Whatever a failed run left: stop it, so no server outlives the test.
    const pid = postmasterPid(dataDir);
    if (pid !== undefined && isRunning(pid)) process.kill(pid, 'SIGQUIT');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('is taken over (stopped, started again under the new server, said in the log), and stopped by that server on SIGTERM', async () => {
    const first = await start(dataDir);
    const orphan = postmasterPid(dataDir)!;
    expect(isRunning(orphan)).toBe(true);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    // Nothing stopped it: this is the state the next start meets.
    expect(isRunning(orphan)).toBe(true);

    const second = await start(dataDir);
    expect(second.output()).toContain(`found PostgreSQL left running by an earlier server (pid ${orphan}); restarted it under this server`);
    expect(isRunning(orphan)).toBe(false);
    const owned = postmasterPid(dataDir)!;
    expect(owned).not.toBe(orphan);
    expect(isRunning(owned)).toBe(true);
    const clusterDir = fs.realpathSync(path.join(dataDir, 'pg'));
    expect(postgresOn(clusterDir)).toContain(owned);

    // It serves on the database it took over.
    const health = await fetch(`http://127.0.0.1:${second.port}/health`);
    expect(health.status).toBe(200);

    second.child.kill('SIGTERM');
    expect([0, 'SIGTERM']).toContain(await second.exited);
    // The README's promise: stopping the server stops its database.
    expect(postmasterPid(dataDir)).toBeUndefined();
    expect(isRunning(owned)).toBe(false);
    expect(postgresOn(clusterDir)).toEqual([]);
  }, 120_000);
});
