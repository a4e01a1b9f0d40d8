import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, ensureBuild, killLeftoverServers, newDataDir, startServer, stopServer, type ServerChild } from '../support/server-child';
import { errorCode, type GqlResponse, reasonOf, TestApp } from '../support/test-app';

/**
 * Issue 17: the sign-in throttle counts across instances. Two servers on ONE database: A (this process, a TestApp)
 * and B (the built server as a child process, same secrets). Wrong passwords or wrong second-factor codes sent to A
 * make B refuse (LOGIN_THROTTLED), with the counts in PostgreSQL (the default) or in Redis (REDIS_URL). The limit
 * used is the address's (LOGIN_ADDRESS_MAX_FAILURES, refused for LOGIN_WINDOW_SECONDS), which no speed of the
 * machine can outlast here; the pair's delays, kept on the app Clock, are proven across two throttles on each store
 * with a pinned Clock in login-throttle-stores.spec.ts. A store that does not answer refuses sign-in instead of
 * letting guesses through uncounted (here the table gone; Redis at a closed port: login-throttle-stores.spec.ts).
 *
 * Two TestApps in one process are no proof here: they answer GraphQL through the resolvers of the last one started
 * (the schema's types are shared in the process), so "instance A" would count on B's throttle.
 */

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const redisPrefix = `rt-test-${randomBytes(6).toString('hex')}:`;

const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { accessToken } }`;
const START = `mutation($label: String!) { startTotpEnrolment(label: $label) { factorId secret } }`;
const CONFIRM = `mutation($factorId: ID!, $code: String!) { confirmTotpEnrolment(factorId: $factorId, code: $code) { factor { id } } }`;
const VERIFY = `mutation($code: String!) { verifySecondFactor(code: $code) { state } }`;
const CURRENT = `{ currentSession { state } }`;
const ME = `{ me { id } }`;

const ok = <T>(res: GqlResponse<T>): T => {
  expect(res.errors).toBeUndefined();
  return res.data!;
};

/** The app's code for a 30-second step (RFC 6238 as an authenticator app computes it). */
const codeAt = (secret: string, step: number) =>
  new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: step * 30_000 });
const stepNow = () => Math.floor(Date.now() / 30_000);

/** GraphQL over HTTP to `baseUrl`, as from `address` (both servers trust one proxy hop). */
async function gqlAt<T = Record<string, unknown>>(
  baseUrl: string,
  address: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<GqlResponse<T>> {
  const res = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as GqlResponse<T>;
}

describe.each([
  { store: 'PostgreSQL (the default)', env: { REDIS_URL: '' } as Record<string, string> },
  { store: 'Redis (REDIS_URL)', env: { REDIS_URL, REDIS_KEY_PREFIX: redisPrefix } },
])('the sign-in throttle shared by two instances: $store', ({ env }) => {
  let a: TestApp;
  let b: ServerChild;
  let dataDirB: string;
  beforeAll(async () => {
    ensureBuild();
    // One deployment: the same secrets and limits on both instances (a token or a sealed TOTP secret from A is good on B).
    const shared = {
      JWT_SECRET: randomBytes(32).toString('hex'),
      SECOND_FACTOR_KEY: randomBytes(32).toString('hex'),
      TRUST_PROXY_HOPS: '1',
      LOGIN_ADDRESS_MAX_FAILURES: '3',
      LOGIN_WINDOW_SECONDS: '3600',
      ...env,
    };
    a = await TestApp.start(shared);
    dataDirB = newDataDir('rt-instance-b-');
    b = await startServer(
      childEnv({
        NODE_ENV: 'test',
        DATABASE_URL: a.databaseUrl,
        DATA_DIR: dataDirB,
        DEMO: 'false',
        LOG_LEVEL: 'warn',
        PASSWORD_HASHING: 'fast',
        ...shared,
      }),
    );
  }, 240_000);
  afterAll(async () => {
    if (b) await stopServer(b);
    killLeftoverServers();
    await a?.close();
    if (dataDirB) fs.rmSync(dataDirB, { recursive: true, force: true });
  });

  const login = (baseUrl: string, address: string, email: string, password: string) =>
    gqlAt<{ login: { accessToken: string } }>(baseUrl, address, LOGIN, { input: { email, password } });

  it('wrong passwords through A: B refuses that address, even with the right password; unknown e-mails count the same', async () => {
    const u = await a.createUser(['TASK_FORCE']);
    for (let i = 0; i < 3; i++)
      expect(reasonOf(await login(a.baseUrl, '203.0.113.7', `nobody${i}@example.test`, 'guess'))).toBe('INVALID_CREDENTIALS');
    const refused = await login(b.baseUrl, '203.0.113.7', u.user.email, u.password);
    expect(errorCode(refused)).toBe('TOO_MANY_REQUESTS');
    expect(refused.errors![0]!.extensions!.reason).toBe('LOGIN_THROTTLED');
    expect(refused.errors![0]!.extensions!.retryAfterSeconds).toBeGreaterThan(60);
    expect(refused.data).toBeNull();
    // Refused on A as well; from another address the same account signs in through either instance.
    expect(reasonOf(await login(a.baseUrl, '203.0.113.7', u.user.email, u.password))).toBe('LOGIN_THROTTLED');
    expect(ok(await login(b.baseUrl, '198.51.100.9', u.user.email, u.password)).login.accessToken).toMatch(/^ey/);
    expect(ok(await login(a.baseUrl, '198.51.100.9', u.user.email, u.password)).login.accessToken).toMatch(/^ey/);
  });

  it('wrong second-factor codes through A: B refuses the right code from that address unchecked (LOGIN_THROTTLED)', async () => {
    const u = await a.createUser(['TASK_FORCE']);
    const home = '198.51.100.20';
    const session = ok(await login(a.baseUrl, home, u.user.email, u.password)).login.accessToken;
    const started = ok(
      await gqlAt<{ startTotpEnrolment: { factorId: string; secret: string } }>(a.baseUrl, home, START, { label: '業務用 端末' }, session),
    ).startTotpEnrolment;
    ok(await gqlAt(a.baseUrl, home, CONFIRM, { factorId: started.factorId, code: codeAt(started.secret, stepNow()) }, session));
    // Enrolled: the next password sign-in (on A) waits for the second factor; B accepts its token.
    const pending = ok(await login(a.baseUrl, home, u.user.email, u.password)).login.accessToken;
    expect(ok(await gqlAt<{ currentSession: { state: string } }>(b.baseUrl, home, CURRENT, {}, pending)).currentSession.state).toBe(
      'SECOND_FACTOR_PENDING',
    );

    const near = new Set([-3, -2, -1, 0, 1, 2, 3].map((d) => codeAt(started.secret, stepNow() + d)));
    const wrong = ['000000', '111111', '222222', '333333'].find((c) => !near.has(c))!;
    const cafe = '203.0.113.40';
    for (let i = 0; i < 3; i++)
      expect(reasonOf(await gqlAt(a.baseUrl, cafe, VERIFY, { code: wrong }, pending))).toBe('INVALID_SECOND_FACTOR');
    // The next step's code has never been used: refused on B before it is checked.
    const refused = await gqlAt(b.baseUrl, cafe, VERIFY, { code: codeAt(started.secret, stepNow() + 1) }, pending);
    expect(errorCode(refused)).toBe('TOO_MANY_REQUESTS');
    expect(reasonOf(refused)).toBe('LOGIN_THROTTLED');
    expect(ok(await gqlAt<{ currentSession: { state: string } }>(b.baseUrl, cafe, CURRENT, {}, pending)).currentSession.state).toBe(
      'SECOND_FACTOR_PENDING',
    );
    // From her usual address B checks it, and the sign-in completes.
    const verified = await gqlAt<{ verifySecondFactor: { state: string } }>(
      b.baseUrl,
      home,
      VERIFY,
      { code: codeAt(started.secret, stepNow() + 1) },
      pending,
    );
    expect(ok(verified).verifySecondFactor.state).toBe('ACTIVE');
  });
});

describe('the sign-in throttle when its store fails (the login_throttle table gone)', () => {
  let t: TestApp;
  beforeAll(async () => {
    // The default store (TestApp.start leaves the settings of the file's earlier apps in process.env).
    t = await TestApp.start({ REDIS_URL: '' });
  });
  afterAll(async () => t?.close());

  it('refuses every sign-in with SERVICE_UNAVAILABLE (SIGN_IN_UNAVAILABLE) before checking it; signed-in users carry on', async () => {
    const u = await t.createUser(['TASK_FORCE']);
    await t.sql(`ALTER TABLE login_throttle RENAME TO login_throttle_away`);
    try {
      for (const password of [u.password, 'wrong', 'wrong-again', 'wrong-once-more']) {
        const res = await t.gql(LOGIN, { input: { email: u.user.email, password } });
        expect(errorCode(res)).toBe('SERVICE_UNAVAILABLE');
        expect(res.errors![0]!.extensions).toMatchObject({ reason: 'SIGN_IN_UNAVAILABLE', retryAfterSeconds: 1 });
        expect(res.data).toBeNull();
      }
      // Nothing was checked, so nothing failed: no failed sign-in in the trail.
      expect(await t.sql(`SELECT 1 FROM audit_trail WHERE action = 'auth.sign-in-failed'`)).toEqual([]);
      expect(ok(await t.gql<{ me: { id: string } }>(ME, {}, await u.token())).me.id).toBe(u.user.id);
    } finally {
      await t.sql(`ALTER TABLE login_throttle_away RENAME TO login_throttle`);
    }
    // The store answers again: sign-in works again.
    expect(await t.login(u.user.email, u.password)).toMatch(/^ey/);
  });
});

afterAll(async () => {
  // This run's keys out of the shared Redis.
  const client = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await client.del(...keys);
    } while (cursor !== '0');
  } finally {
    await client.quit();
  }
});
