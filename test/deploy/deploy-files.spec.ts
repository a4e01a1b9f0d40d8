import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { validateConfig } from '@app/common';
import { connectionOptions, poolerConnectQuery } from '@app/database';
import { builtServer, freePort, repoRoot } from '../support/server-child';

/**
 * deploy/ is what an operator copies to run several instances (deploy/README.md):
 * these tests keep it in step with the server it deploys, so that a renamed
 * setting, a moved entry point or a longer drain shows here, not on a
 * production host.
 */
const deploy = (file: string) => path.join(repoRoot, 'deploy', file);
const read = (file: string) => fs.readFileSync(file, 'utf8');

/** NAME=value lines of an environment file (comments and blank lines skipped). */
function envFile(file: string): Map<string, string> {
  const settings = new Map<string, string>();
  for (const line of read(file).split('\n')) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m) settings.set(m[1]!, m[2]!);
  }
  return settings;
}

/** The values of `key` in a systemd unit's [Service] section, in order. */
function unitValues(key: string): string[] {
  const service = read(deploy('remediation-tracker@.service'))
    .split(/^\[Service\]$/m)[1]!
    .split(/^\[/m)[0]!;
  return service
    .split('\n')
    .filter((line) => line.startsWith(`${key}=`))
    .map((line) => line.slice(key.length + 1));
}

/** The unit's Environment= assignments (one per line here), with %i as port 3001. */
function unitEnvironment(): Map<string, string> {
  return new Map(
    unitValues('Environment').map((v) => {
      const [name, ...value] = v.split('=');
      return [name!, value.join('=').replace(/%i/g, '3001')];
    }),
  );
}

const exists = (file: string) => fs.existsSync(file);
const SYSTEMD_ANALYZE = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find(exists);
const HAPROXY = '/usr/sbin/haproxy';
const PGBOUNCER = '/usr/sbin/pgbouncer';

describe('deploy/tracker.env.example: the settings every instance shares', () => {
  const shared = envFile(deploy('tracker.env.example'));

  it('names only settings the server knows (each listed in .env.example)', () => {
    const known = envFile(path.join(repoRoot, '.env.example'));
    expect(shared.size).toBeGreaterThan(20);
    expect([...shared.keys()].filter((name) => !known.has(name))).toEqual([]);
  });

  it('names what several instances need, for several instances behind HAProxy and PgBouncer', () => {
    for (const name of [
      'DATABASE_URL',
      'DATABASE_DIRECT_URL',
      'DATABASE_POOLING',
      'REDIS_URL',
      'INSTANCES',
      'JWT_SECRET',
      'SECOND_FACTOR_KEY',
      'TRAIL_SIGNING_KEY_FILE',
      'BUNDLE_SIGNING_KEY_FILE',
      'CHECKPOINT_DIR',
      'BUNDLE_DIR',
      'EVIDENCE_S3_BUCKET',
      'EVIDENCE_S3_ENDPOINT',
      'EVIDENCE_S3_ACCESS_KEY_ID',
      'EVIDENCE_S3_SECRET_ACCESS_KEY',
      'TRUST_PROXY_HOPS',
    ]) {
      expect(shared.has(name), name).toBe(true);
    }
    expect(Number(shared.get('INSTANCES'))).toBeGreaterThan(1);
    expect(shared.get('DATABASE_POOLING')).toBe('transaction');
    expect(shared.get('TRUST_PROXY_HOPS')).toBe('1');
    expect(shared.get('DEMO')).toBe('false');
  });

  it('holds no secret, and leaves to the unit what it sets per instance (an EnvironmentFile would override it)', () => {
    for (const secret of ['JWT_SECRET', 'SECOND_FACTOR_KEY', 'EVIDENCE_S3_SECRET_ACCESS_KEY', 'OIDC_CLIENT_SECRET']) {
      expect(shared.get(secret), secret).toBe('');
    }
    for (const own of ['PORT', 'DATA_DIR', 'NODE_ENV', 'SHUTDOWN_GRACE_SECONDS']) expect(shared.has(own), own).toBe(false);
  });

  it("passes the server's own validation as a production instance of the unit, once the secrets are filled in", () => {
    const env = {
      ...Object.fromEntries(shared),
      ...Object.fromEntries(unitEnvironment()),
      JWT_SECRET: 'a'.repeat(64),
      SECOND_FACTOR_KEY: 'b'.repeat(64),
    };
    const config = validateConfig(env);
    expect(config.NODE_ENV).toBe('production');
    expect(config.INSTANCES).toBe(Number(shared.get('INSTANCES')));
    expect(config.PORT).toBe(3001);
    // Without the shared values the same instance is refused (several instances cannot each make their own).
    expect(() => validateConfig({ ...env, JWT_SECRET: undefined })).toThrow(/JWT_SECRET/);
  });
});

describe('deploy/remediation-tracker@.service: one instance per port', () => {
  it('runs the built server, the file `npm start` and the tests run, with the node flags `npm start` gives it', () => {
    const [execStart] = unitValues('ExecStart');
    const [node, ...words] = execStart!.split(/\s+/);
    expect(path.isAbsolute(node!) && path.basename(node!)).toBe('node');
    const flags = words.filter((w) => w.startsWith('--'));
    const [entry, ...rest] = words.filter((w) => !w.startsWith('--'));
    expect(rest).toEqual([]);
    const relative = path.relative(repoRoot, builtServer);
    expect(relative).toBe('dist/apps/api/src/main.js');
    expect(entry).toBe(path.posix.join(unitValues('WorkingDirectory')[0]!, relative));
    const pkg = JSON.parse(read(path.join(repoRoot, 'package.json'))) as { scripts: Record<string, string> };
    // The young generation's size (docs/performance.md, item 16): production runs as the benches measured it.
    expect(flags).toContain('--max-semi-space-size=64');
    expect(pkg.scripts.start).toBe(['node', ...flags, relative].join(' '));
  });

  it('listens on the instance name as its port, in production, on a folder of its own', () => {
    const env = unitEnvironment();
    expect(env.get('PORT')).toBe('3001');
    expect(env.get('NODE_ENV')).toBe('production');
    expect(env.get('DATA_DIR')).toBe(path.posix.join('/var/lib', unitValues('StateDirectory')[0]!.replace(/%i/g, '3001')));
    // The shared settings first, then the instance's own optional file.
    expect(unitValues('EnvironmentFile')).toEqual(['/etc/remediation-tracker/tracker.env', '-/etc/remediation-tracker/tracker-%i.env']);
  });

  it('stops with SIGTERM and waits longer than the drain it sets (requests, then jobs) before killing; restarts after a failure', () => {
    expect(unitValues('KillSignal')).toEqual(['SIGTERM']);
    const grace = Number(unitEnvironment().get('SHUTDOWN_GRACE_SECONDS'));
    const timeout = Number(/^(\d+)s?$/.exec(unitValues('TimeoutStopSec')[0]!)![1]);
    expect(grace).toBeGreaterThan(0);
    // The drain of requests and then the stop of the job queue may each take up to the grace.
    expect(timeout).toBeGreaterThan(2 * grace);
    expect(unitValues('Restart')).toEqual(['on-failure']);
  });

  it('leaves out the hardening that would break Node (JIT pages, /proc)', () => {
    expect(unitValues('MemoryDenyWriteExecute')).toEqual([]);
    expect(unitValues('ProcSubset')).toEqual([]);
    expect(unitValues('ProtectSystem')).toEqual(['strict']);
  });

  it('may write the shared folders tracker.env.example names (ProtectSystem=strict makes the rest read-only)', () => {
    const shared = envFile(deploy('tracker.env.example'));
    const writable = unitValues('ReadWritePaths').flatMap((v) => v.split(/\s+/).map((p) => p.replace(/^-/, '')));
    for (const name of ['CHECKPOINT_DIR', 'BUNDLE_DIR']) {
      const dir = shared.get(name)!;
      expect(
        writable.some((w) => dir === w || dir.startsWith(`${w}/`)),
        `${name}=${dir} under ReadWritePaths ${writable.join(' ')}`,
      ).toBe(true);
    }
  });

  it.skipIf(!SYSTEMD_ANALYZE)('is accepted by systemd-analyze verify, without a warning', () => {
    // An instance of the template, with the node that runs these tests (CI's may not be /usr/bin/node).
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-unit-'));
    try {
      const unit = path.join(dir, 'remediation-tracker@3001.service');
      fs.writeFileSync(unit, read(deploy('remediation-tracker@.service')).replace('/usr/bin/node ', `${process.execPath} `));
      const result = spawnSync(SYSTEMD_ANALYZE!, ['verify', unit], { encoding: 'utf8' });
      const aboutUnit = result.stderr.split('\n').filter((line) => line.includes('remediation-tracker@'));
      expect({ status: result.status, aboutUnit }).toEqual({ status: 0, aboutUnit: [] });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('deploy/haproxy.cfg', () => {
  const cfg = deploy('haproxy.cfg');

  it.skipIf(!exists(HAPROXY) || !exists(cfg)).each([1, 3])('passes haproxy -c with %i instance(s) set', (n) => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, TRACKER_LB_BIND: '127.0.0.1:8080' };
    for (let i = 1; i <= n; i++) env[`TRACKER_SERVER_${i}`] = `127.0.0.1:${3000 + i}`;
    const out = execFileSync(HAPROXY, ['-c', '-f', cfg], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toContain('Configuration file is valid');
  });

  it.skipIf(!exists(cfg))("checks the instances' readiness route, the one that answers 503 while an instance drains", () => {
    expect(read(cfg)).toMatch(/http-check send meth GET uri \/health\/ready\b/);
  });
});

describe('deploy/pgbouncer.ini.example', () => {
  const ini = read(deploy('pgbouncer.ini.example'));

  it('pools by transaction', () => {
    expect(ini).toMatch(/^pool_mode = transaction$/m);
  });

  it("gives each server connection, through connect_query, the settings a direct connection gets at start (.env.example's limits)", () => {
    const query = /connect_query='([^']*)'/.exec(ini)?.[1];
    expect(query).toBeDefined();
    const set = query!.split(';').map((s) => {
      const m = /^\s*SET (\w+) = (\S+)\s*$/.exec(s);
      expect(m, s).not.toBeNull();
      return `${m![1]}=${m![2]}`;
    });
    const defaults = envFile(path.join(repoRoot, '.env.example'));
    const timeouts = {
      statementMs: Number(defaults.get('DB_STATEMENT_TIMEOUT_MS')),
      lockMs: Number(defaults.get('DB_LOCK_TIMEOUT_MS')),
      idleInTransactionMs: Number(defaults.get('DB_IDLE_IN_TRANSACTION_TIMEOUT_MS')),
    };
    const direct = connectionOptions(timeouts)
      .split(/\s*-c\s+/)
      .filter(Boolean);
    expect(set).toEqual(direct);
    // Word for word what the server tells an operator to configure when a pooled connection lacks them.
    expect(query).toBe(poolerConnectQuery(timeouts));
    // tracker.env.example names the same limits.
    const shared = envFile(deploy('tracker.env.example'));
    for (const name of ['DB_STATEMENT_TIMEOUT_MS', 'DB_LOCK_TIMEOUT_MS', 'DB_IDLE_IN_TRANSACTION_TIMEOUT_MS']) {
      expect(shared.get(name), name).toBe(defaults.get(name));
    }
  });
  it.skipIf(!exists(PGBOUNCER))('runs in PgBouncer as written, and a connection through it has those settings', async () => {
    // The example as it stands, pointed at the test server: only the addresses, the log and the authentication differ.
    const server = new URL(inject('dbServerUrl'));
    const port = await freePort();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-pgbouncer-example-'));
    fs.chmodSync(dir, 0o755);
    // The embedded test server wants its password (PgBouncer logs in to the server as that user).
    const password = server.password ? ` password=${decodeURIComponent(server.password)}` : '';
    const target = `host=${server.hostname} port=${server.port || '5432'} dbname=${server.pathname.slice(1)} user=${server.username || 'postgres'}${password}`;
    const config = ini
      .replace(/^tracker = host=\S+ port=\d+ dbname=\S+ /m, `tracker = ${target} `)
      .replace(/^listen_port = \d+$/m, `listen_port = ${port}`)
      .replace(/^unix_socket_dir = .*$/m, 'unix_socket_dir =')
      .replace(/^auth_type = .*$/m, 'auth_type = any')
      .replace(/^(auth_file|logfile|pidfile) = .*$/gm, '');
    expect(config).toContain(`tracker = ${target} connect_query=`);
    const file = path.join(dir, 'pgbouncer.ini');
    fs.writeFileSync(file, config, { mode: 0o644 });
    // PgBouncer refuses to run as root: as the postgres user then.
    const asRoot = process.getuid?.() === 0;
    const child = spawn(PGBOUNCER, [...(asRoot ? ['-u', 'postgres'] : []), file], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let client: Client | undefined;
    try {
      // Connected once it listens; an exit first fails with what it wrote.
      while (!client) {
        if (child.exitCode !== null) throw new Error(`pgbouncer exited:\n${out}`);
        const attempt = new Client({ host: '127.0.0.1', port, database: 'tracker', user: server.username || 'postgres' });
        attempt.on('error', () => undefined);
        client = await attempt.connect().then(
          () => attempt,
          () => new Promise<undefined>((r) => setTimeout(() => r(undefined), 50)),
        );
      }
      const names = ['jit', 'statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout'];
      const { rows } = await client.query<{ name: string; setting: string }>(
        `SELECT name, setting FROM pg_settings WHERE name = ANY($1::text[]) ORDER BY array_position($1::text[], name)`,
        [names],
      );
      const defaults = envFile(path.join(repoRoot, '.env.example'));
      expect(rows.map((r) => `${r.name}=${r.setting}`)).toEqual([
        'jit=off',
        `statement_timeout=${defaults.get('DB_STATEMENT_TIMEOUT_MS')}`,
        `lock_timeout=${defaults.get('DB_LOCK_TIMEOUT_MS')}`,
        `idle_in_transaction_session_timeout=${defaults.get('DB_IDLE_IN_TRANSACTION_TIMEOUT_MS')}`,
      ]);
    } finally {
      await client?.end().catch(() => undefined);
      child.kill('SIGTERM');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
