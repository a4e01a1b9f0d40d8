import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ADVICE, EmbeddedPostgresError } from './embedded-postgres.errors';
import type { RunAs } from './run-as-postgres';

/**
 * The PostgreSQL programs the embedded server runs: where the binaries are
 * installed, initdb of a new cluster, the postgres process itself (started on
 * a free port, ready when it says so), and the first connections (does a
 * running server answer, create the app's database).
 */

/** The folder holding bin/ and lib/ of the server binaries installed for this platform. */
export async function installedNativeDir(): Promise<string> {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let mod: { postgres?: string };
  try {
    mod = (await import(pkg)) as { postgres?: string };
  } catch (err) {
    throw new EmbeddedPostgresError(
      `the package ${pkg} (server binaries for this platform) is not installed (${(err as Error).message}).`,
      `Run npm ci on this platform. ${ADVICE}`,
    );
  }
  if (!mod.postgres) throw new EmbeddedPostgresError(`${pkg} does not name its postgres binary.`, ADVICE);
  return path.dirname(path.dirname(mod.postgres));
}

export function initdb(binDir: string, clusterDir: string, password: string, runAs: RunAs | undefined): void {
  const pwDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-initdb-'));
  const pwFile = path.join(pwDir, 'pw');
  try {
    fs.writeFileSync(pwFile, password + '\n', { mode: 0o600 });
    if (runAs) {
      fs.chownSync(pwDir, runAs.uid, runAs.gid);
      fs.chownSync(pwFile, runAs.uid, runAs.gid);
    }
    const r = spawnSync(
      path.join(binDir, 'initdb'),
      [
        `--pgdata=${clusterDir}`,
        '--username=postgres',
        '--auth=scram-sha-256',
        `--pwfile=${pwFile}`,
        '--encoding=UTF8',
        '--locale=C',
        '--no-instructions',
      ],
      { ...(runAs ?? {}), encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } },
    );
    if (r.status !== 0) {
      const why = (r.stderr || r.error?.message || `exit ${r.status}`).trim();
      throw new EmbeddedPostgresError(`initdb failed for ${clusterDir}: ${why}`, ADVICE);
    }
  } finally {
    fs.rmSync(pwDir, { recursive: true, force: true });
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export function startServer(
  binDir: string,
  clusterDir: string,
  port: number,
  runAs: RunAs | undefined,
  log: (line: string) => void,
): Promise<{ child: ChildProcess; exited: Promise<void> }> {
  const child = spawn(
    path.join(binDir, 'postgres'),
    ['-D', clusterDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    { ...(runAs ?? {}), stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C' } },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const recent: string[] = [];
  return new Promise((resolve, reject) => {
    let ready = false;
    const timer = setTimeout(() => {
      if (!ready) {
        child.kill('SIGKILL');
        reject(new EmbeddedPostgresError(`the server did not become ready in 60 s:\n${recent.join('')}`, ADVICE));
      }
    }, 60_000);
    // Keep reading stderr for the server's whole life, or it blocks on a full pipe.
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      for (const line of chunk.split('\n').filter(Boolean)) log(line);
      if (!ready) {
        recent.push(chunk);
        if (recent.length > 40) recent.shift();
        if (chunk.includes('ready to accept connections')) {
          ready = true;
          clearTimeout(timer);
          resolve({ child, exited });
        }
      }
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new EmbeddedPostgresError(`could not start ${binDir}/postgres: ${err.message}`, ADVICE));
    });
    child.once('exit', (code, signal) => {
      if (ready) return;
      clearTimeout(timer);
      const output = recent.join('');
      const why = /lock file "postmaster.pid" already exists/.test(output)
        ? `another PostgreSQL server is already running on ${clusterDir} (is another copy of this server running with the same DATA_DIR?)`
        : `the server exited (${signal ?? code}) before it was ready`;
      reject(new EmbeddedPostgresError(`${why}:\n${output}`, ADVICE));
    });
  });
}

export async function answers(url: string): Promise<boolean> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function createDatabase(adminUrl: string, database: string): Promise<void> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}
