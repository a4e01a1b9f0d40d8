import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from './server-child';

/** Debian's PgBouncer (1.18 on bookworm; CI installs it: .ci/run). */
export const PGBOUNCER = '/usr/sbin/pgbouncer';

export interface PgBouncer {
  /** postgres://...@127.0.0.1:<port>/<database>: the pooler, for DATABASE_URL. */
  url: string;
  port: number;
  /** What PgBouncer wrote (it logs to stderr). */
  output: () => string;
  stop: () => Promise<void>;
}

/**
 * Starts a real PgBouncer in front of one database of `serverUrl`'s server, in
 * pool_mode=transaction with `poolSize` server connections (small, so that the
 * app's connections really share them). `connectQuery`: run by PgBouncer on each
 * server connection it opens (the settings a direct connection gets as startup
 * options). Clients log in as anyone (auth_type any); PgBouncer logs in to the
 * server as the URL's user with its password. As root it runs as the `postgres`
 * user (it refuses to run as root), from a temp folder that user can read.
 */
export async function startPgBouncer(opts: {
  serverUrl: string;
  database: string;
  poolSize: number;
  connectQuery: string;
}): Promise<PgBouncer> {
  const server = new URL(opts.serverUrl);
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-pgbouncer-'));
  fs.chmodSync(dir, 0o755);
  const quote = (v: string) => `'${v.replace(/'/g, "''")}'`;
  const target = [
    `host=${server.hostname}`,
    `port=${server.port || '5432'}`,
    `dbname=${opts.database}`,
    `user=${decodeURIComponent(server.username || 'postgres')}`,
    ...(server.password ? [`password=${quote(decodeURIComponent(server.password))}`] : []),
    `pool_size=${opts.poolSize}`,
    `connect_query=${quote(opts.connectQuery)}`,
  ].join(' ');
  const ini = [
    '[databases]',
    `${opts.database} = ${target}`,
    '',
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${port}`,
    'unix_socket_dir =',
    'auth_type = any',
    'pool_mode = transaction',
    `default_pool_size = ${opts.poolSize}`,
    'max_client_conn = 200',
    // A client waits for a server connection rather than being refused.
    'query_wait_timeout = 120',
    'server_reset_query =',
    'log_connections = 0',
    'log_disconnections = 0',
    '',
  ].join('\n');
  const config = path.join(dir, 'pgbouncer.ini');
  fs.writeFileSync(config, ini, { mode: 0o644 });
  const asRoot = process.getuid?.() === 0;
  const child: ChildProcess = spawn(PGBOUNCER, [...(asRoot ? ['-u', 'postgres'] : []), config], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    fs.rmSync(dir, { recursive: true, force: true });
  };
  // Ready once it accepts connections; an exit before that is a failure with its output.
  let ended = false;
  void exited.then(() => (ended = true));
  while (!(await accepts(port))) {
    if (ended) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw new Error(`pgbouncer exited before it listened:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const url = new URL(`postgres://127.0.0.1:${port}/${opts.database}`);
  url.username = server.username || 'postgres';
  return { url: url.toString(), port, output: () => out, stop };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
