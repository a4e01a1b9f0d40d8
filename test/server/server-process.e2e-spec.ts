import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  builtCli,
  childEnv,
  ensureBuild,
  killLeftoverServers,
  newDataDir,
  repoRoot,
  startServer,
  startServerFails,
} from '../support/server-child';

/**
 * The README's first command, as a user runs it: the built server as its own
 * process, on the embedded default database under DATA_DIR.
 */
/** The server's environment: no DATABASE_URL, so the embedded default. */
const baseEnv = (extra: Record<string, string>) => childEnv({ LOG_LEVEL: 'warn', ...extra });
const start = (env: Record<string, string>) => startServer(baseEnv(env));
const startFails = (env: Record<string, string>) => startServerFails(baseEnv(env));

async function gql(port: number, query: string, variables: Record<string, unknown> = {}, token?: string) {
  const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a smoke test of whole processes reads a few fields of many different answers
  return (await res.json()) as { data?: Record<string, any> | null; errors?: { message: string; extensions?: { code?: string } }[] };
}

const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { accessToken } }`;

describe('the server process on the embedded database', () => {
  let dataDir: string;

  beforeAll(() => {
    ensureBuild();
    dataDir = newDataDir('rt-server-');
  }, 180_000);
  afterAll(() => {
    killLeftoverServers();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts with the demo case, serves GraphQL and health, stops cleanly on SIGTERM, and keeps data across a restart', async () => {
    const first = await start({ DATA_DIR: dataDir });
    try {
      expect(first.stdout()).toContain(`http://localhost:${first.port}/graphql`);
      for (const email of [
        'admin@example.com',
        'president@example.com',
        'security.lead@example.com',
        'systems.lead@example.com',
        'cs.lead@example.com',
        'legal.lead@example.com',
        'auditor@example.com',
        'auditor2@example.com',
      ]) {
        expect(first.stdout()).toContain(email);
      }
      const health = await fetch(`http://127.0.0.1:${first.port}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
      expect((await fetch(`http://127.0.0.1:${first.port}/health/ready`)).status).toBe(200);

      const president = await gql(first.port, LOGIN, { input: { email: 'president@example.com', password: 'demo-password-2026' } });
      const me = await gql(first.port, `{ me { displayName roles } }`, {}, president.data!.login.accessToken);
      expect(me.data!.me).toEqual({ displayName: '佐藤 一郎', roles: ['EXECUTIVE'] });

      const admin = await gql(first.port, LOGIN, { input: { email: 'admin@example.com', password: 'demo-password-2026' } });
      const created = await gql(
        first.port,
        `mutation($input: CreateUserInput!) { createUser(input: $input) { email } }`,
        { input: { email: 'kept@example.test', displayName: '永続 確認', password: 'kept-across-restart', roles: ['AUDITOR'] } },
        admin.data!.login.accessToken,
      );
      expect(created.errors).toBeUndefined();
    } finally {
      first.child.kill('SIGTERM');
    }
    // Nest closes everything, then re-raises the signal: the conventional exit for SIGTERM.
    expect([0, 'SIGTERM']).toContain(await first.exited);
    expect(fs.existsSync(path.join(fs.realpathSync(path.join(dataDir, 'pg')), 'postmaster.pid'))).toBe(false);

    // The CLI on the same DATA_DIR: the trail of the first run verifies, and it can create a user.
    const cli = (args: string[]) =>
      spawnSync(process.execPath, [builtCli, ...args], {
        cwd: repoRoot,
        env: baseEnv({ DATA_DIR: dataDir }),
        encoding: 'utf8',
      });
    const verified = cli(['verify-audit-trail']);
    expect(verified.status).toBe(0);
    expect(verified.stdout).toMatch(/^audit trail intact: \d+ entries, head #\d+ [0-9a-f]{64}$/m);
    const badRole = cli([
      'create-user',
      '--email',
      'cli@example.test',
      '--password',
      'cli-created-password',
      '--name',
      '山田 太郎',
      '--role',
      'OVERLORD',
    ]);
    expect(badRole.status).toBe(2);
    expect(badRole.stderr).toContain('Unknown role(s): OVERLORD');
    const made = cli([
      'create-user',
      '--email',
      'cli@example.test',
      '--password',
      'cli-created-password',
      '--name',
      '山田 太郎',
      '--kana',
      'やまだ たろう',
      '--role',
      'EXECUTIVE',
    ]);
    expect(made.status, made.stderr).toBe(0);

    const second = await start({ DATA_DIR: dataDir });
    try {
      const viaCli = await gql(second.port, LOGIN, { input: { email: 'cli@example.test', password: 'cli-created-password' } });
      expect(viaCli.errors).toBeUndefined();
      const kept = await gql(second.port, LOGIN, { input: { email: 'kept@example.test', password: 'kept-across-restart' } });
      expect(kept.errors).toBeUndefined();
      const users = await gql(second.port, `{ users { totalCount } }`, {}, kept.data!.login.accessToken);
      expect(users.data!.users.totalCount).toBe(10); // eight demo users (loaded once), one created through the API, one by the CLI
      const plan = await gql(second.port, `{ countermeasures(first: 20) { totalCount nodes { key } } }`, {}, kept.data!.login.accessToken);
      expect(plan.data!.countermeasures.totalCount).toBe(10); // the letter's ten promises, loaded once
    } finally {
      second.child.kill('SIGTERM');
    }
    expect([0, 'SIGTERM']).toContain(await second.exited);
  }, 120_000);

  it('DEMO=false loads nothing; ADMIN_EMAIL / ADMIN_PASSWORD create the first admin', async () => {
    const dir = newDataDir('rt-server-');
    const s = await start({
      DATA_DIR: dir,
      DEMO: 'false',
      ADMIN_EMAIL: 'first.admin@example.test',
      ADMIN_PASSWORD: 'first-admin-password',
    });
    try {
      const demo = await gql(s.port, LOGIN, { input: { email: 'president@example.com', password: 'demo-password-2026' } });
      expect(demo.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
      const admin = await gql(s.port, LOGIN, { input: { email: 'first.admin@example.test', password: 'first-admin-password' } });
      const token = admin.data!.login.accessToken;
      // Admins must have a second factor (the default policy): the first sign-in may only enrol one.
      expect((await gql(s.port, `{ me { roles } }`, {}, token)).data).toEqual({ me: { roles: ['ADMIN'] } });
      const users = await gql(s.port, `{ users { totalCount } }`, {}, token);
      expect(users.errors![0]!.extensions).toMatchObject({ code: 'SECOND_FACTOR_REQUIRED', next: 'ENROL' });
      expect(s.stdout()).not.toContain('president@example.com');
    } finally {
      s.child.kill('SIGTERM');
      await s.exited;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('in production: no demo, no introspection, and JWT_SECRET and the signing key files are required', async () => {
    const dir = newDataDir('rt-server-');
    try {
      const refused = await startFails({ DATA_DIR: dir, NODE_ENV: 'production' });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('JWT_SECRET');
      expect(refused.stderr).toMatch(/SECOND_FACTOR_KEY: .*SECOND_FACTOR_KEY is required when NODE_ENV=production/);
      expect(refused.stderr).toMatch(/TRAIL_SIGNING_KEY_FILE: TRAIL_SIGNING_KEY_FILE is required in production/);
      expect(refused.stderr).toMatch(/BUNDLE_SIGNING_KEY_FILE: BUNDLE_SIGNING_KEY_FILE is required in production/);

      // Ed25519 keys only: an RSA key file is refused by name, with no stack trace.
      const keyFile = (name: string, type: 'ed25519' | 'rsa') => {
        const file = path.join(dir, name);
        const { privateKey } = type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ed25519');
        fs.writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
        return file;
      };
      const keys = { TRAIL_SIGNING_KEY_FILE: keyFile('trail.pem', 'ed25519'), BUNDLE_SIGNING_KEY_FILE: keyFile('bundle.pem', 'ed25519') };
      const rsa = await startFails({
        DATA_DIR: dir,
        NODE_ENV: 'production',
        JWT_SECRET: 'x'.repeat(40),
        SECOND_FACTOR_KEY: 'y'.repeat(40),
        ...keys,
        BUNDLE_SIGNING_KEY_FILE: keyFile('rsa.pem', 'rsa'),
      });
      expect(rsa.code).toBe(1);
      expect(rsa.stderr).toMatch(/BUNDLE_SIGNING_KEY_FILE: .*rsa\.pem holds a key of type rsa, not Ed25519/);
      expect(rsa.stderr).not.toMatch(/^\s+at /m);

      const s = await start({
        DATA_DIR: dir,
        NODE_ENV: 'production',
        ...keys,
        JWT_SECRET: 'x'.repeat(40),
        SECOND_FACTOR_KEY: 'y'.repeat(40),
        ADMIN_EMAIL: 'ops@example.test',
        ADMIN_PASSWORD: 'ops-admin-password',
      });
      try {
        const demo = await gql(s.port, LOGIN, { input: { email: 'president@example.com', password: 'demo-password-2026' } });
        expect(demo.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
        const introspection = await gql(s.port, `{ __schema { queryType { name } } }`);
        expect(introspection.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      } finally {
        s.child.kill('SIGTERM');
        await s.exited;
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('refuses to start on a wrong setting and names it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-server-'));
    try {
      for (const [env, name] of [
        [{ PORT: 'abc' }, 'PORT'],
        [{ DEMO: 'maybe' }, 'DEMO'],
        [{ DATABASE_URL: 'mysql://localhost/x' }, 'DATABASE_URL'],
        [{ PUBLIC_BASE_URL: 'ftp://x' }, 'PUBLIC_BASE_URL'],
      ] as const) {
        const r = await startFails({ DATA_DIR: dir, ...env });
        expect({ env, code: r.code }).toEqual({ env, code: 1 });
        expect(r.stderr).toContain(name);
        // The message meant for people, not a crash on an unhandled rejection.
        expect(r.stderr).toContain('The server did not start.');
      }
      expect(fs.existsSync(path.join(dir, 'pg'))).toBe(false); // nothing was started
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
