import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CASE_TIME_ZONE, SystemClock, todayIn } from '@app/common';
import { PasswordHasher } from '@app/identity';
import { upload } from '../evidence/support-files-http';
import { TEXT_JA } from '../evidence/support-files';
import { makeCountermeasure, makeIncident } from '../support/remediation-factory';
import { errorCode, type GqlResponse, reasonOf, TestApp } from '../support/test-app';

const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { accessToken } }`;
const ME = `{ me { id displayName } }`;

/** Waits (polling, no time asserted) until `check` holds; the cap only stops a hung run. */
async function until(check: () => boolean): Promise<void> {
  const stop = Date.now() + 120_000;
  while (!check()) {
    if (Date.now() > stop) throw new Error('condition never held');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Replaces PasswordHasher.verify in the running app by one that counts the
 * password checks and holds each until `release()` (then checks for real):
 * what a crowd of sign-ins can make the server hash, made visible and certain.
 */
function holdPasswordChecks(t: TestApp) {
  const hasher = t.app.get(PasswordHasher);
  const verify = hasher.verify.bind(hasher);
  let open!: () => void;
  const held = new Promise<void>((resolve) => (open = resolve));
  const spy = vi.spyOn(hasher, 'verify').mockImplementation(async (hash, password) => {
    probe.checks++;
    await held;
    return verify(hash, password);
  });
  const probe = {
    checks: 0,
    release: () => open(),
    restore: () => spy.mockRestore(),
  };
  return probe;
}

/**
 * Pins the app's Clock (every SystemClock reading) to a time only the test
 * moves: a delay ends when the test says so, never because the machine was slow.
 */
function pinAppClock() {
  let at = Date.now();
  const spy = vi.spyOn(SystemClock.prototype, 'now').mockImplementation(() => new Date(at));
  return {
    advance: (ms: number) => (at += ms),
    restore: () => spy.mockRestore(),
  };
}

describe('sign-in abuse: the attempt is counted before the password is checked', () => {
  let t: TestApp;
  let clock: ReturnType<typeof pinAppClock>;
  beforeAll(async () => {
    clock = pinAppClock();
    // The hashing cap is lifted here so that only the count decides how many passwords are checked.
    t = await TestApp.start({ TRUST_PROXY_HOPS: '1', LOGIN_MAX_FAILURES: '5', LOGIN_MAX_CONCURRENT_HASHES: '60' });
  });
  afterAll(async () => {
    await t?.close();
    clock.restore();
  });

  /** 60 wrong sign-ins at once for `email` from `address`; every password check is held until all the others have answered. */
  async function crowd(email: string, address: string) {
    const probe = holdPasswordChecks(t);
    let answered = 0;
    const all = Array.from({ length: 60 }, () =>
      t.gql(LOGIN, { input: { email, password: 'wrong-password' } }, undefined, { 'x-forwarded-for': address }).then((res) => {
        answered++;
        return res;
      }),
    );
    await until(() => answered + probe.checks === 60);
    probe.release();
    const answers = await Promise.all(all);
    probe.restore();
    return { probe, answers };
  }

  it('60 parallel wrong sign-ins for the president from one address get 5 password checks (the limit), the rest LOGIN_THROTTLED', async () => {
    const president = await t.createUser(['EXECUTIVE'], { displayName: '代表取締役 山田 花子' });
    const { probe, answers } = await crowd(president.user.email, '203.0.113.5');
    expect(probe.checks).toBe(5);
    const codes = answers.map((a) => `${errorCode(a)}/${String(reasonOf(a))}`);
    expect(codes.filter((c) => c === 'UNAUTHENTICATED/INVALID_CREDENTIALS')).toHaveLength(5);
    expect(codes.filter((c) => c === 'TOO_MANY_REQUESTS/LOGIN_THROTTLED')).toHaveLength(55);
    for (const a of answers.filter((x) => errorCode(x) === 'TOO_MANY_REQUESTS')) {
      expect(a.errors![0]!.extensions!.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(a.data).toBeNull();
    }
  }, 120_000);

  it('an unknown e-mail is counted the same way, and each admitted attempt still costs a password check (no probing by timing)', async () => {
    const { probe, answers } = await crowd('nobody-here@example.test', '203.0.113.6');
    expect(probe.checks).toBe(5);
    expect(answers.filter((a) => reasonOf(a) === 'INVALID_CREDENTIALS')).toHaveLength(5);
    expect(answers.filter((a) => reasonOf(a) === 'LOGIN_THROTTLED')).toHaveLength(55);
  }, 120_000);
});

describe('sign-in abuse: failures from other addresses are no lever against the account', () => {
  let t: TestApp;
  let clock: ReturnType<typeof pinAppClock>;
  beforeAll(async () => {
    clock = pinAppClock();
    t = await TestApp.start({ TRUST_PROXY_HOPS: '1', LOGIN_MAX_FAILURES: '3', LOGIN_ACCOUNT_MAX_FAILURES: '16' });
  });
  afterAll(async () => {
    await t?.close();
    clock.restore();
  });

  const loginFrom = (address: string, email: string, password: string) =>
    t.gql<{ login: { accessToken: string } }>(LOGIN, { input: { email, password } }, undefined, { 'x-forwarded-for': address });

  it('after attackers exhaust the president from 5 addresses, she still signs in from her own address', async () => {
    const president = await t.createUser(['EXECUTIVE'], { displayName: '代表取締役 山田 花子' });
    for (let a = 1; a <= 5; a++) {
      for (let i = 0; i < 3; i++)
        expect(reasonOf(await loginFrom(`192.0.2.${a}`, president.user.email, `guess-${a}-${i}`))).toBe('INVALID_CREDENTIALS');
      // That attacker's own pair is now delayed, even with the right password.
      expect(reasonOf(await loginFrom(`192.0.2.${a}`, president.user.email, president.password))).toBe('LOGIN_THROTTLED');
    }
    const own = await loginFrom('198.51.100.20', president.user.email, president.password);
    expect(own.errors).toBeUndefined();
    const me = await t.gql<{ me: { id: string; displayName: string } }>(ME, {}, own.data!.login.accessToken);
    expect(me.data!.me).toEqual({ id: president.user.id, displayName: '代表取締役 山田 花子' });
  }, 300_000);

  it('past LOGIN_ACCOUNT_MAX_FAILURES from new addresses, only new addresses wait: one she signed in from keeps working', async () => {
    const president = await t.createUser(['EXECUTIVE']);
    expect((await loginFrom('198.51.100.30', president.user.email, president.password)).errors).toBeUndefined();
    // 16 failures from 8 addresses (2 each, under the pair's free 3), then the 17th from a new address is refused.
    for (let a = 0; a < 8; a++) {
      for (let i = 0; i < 2; i++)
        expect(reasonOf(await loginFrom(`203.0.113.${100 + a}`, president.user.email, `guess-${i}`))).toBe('INVALID_CREDENTIALS');
    }
    const fresh = await loginFrom('203.0.113.200', president.user.email, 'guess-x');
    expect(errorCode(fresh)).toBe('TOO_MANY_REQUESTS');
    expect(reasonOf(fresh)).toBe('LOGIN_THROTTLED');
    // Her known address is not refused, and her success does not open the account to the others.
    expect((await loginFrom('198.51.100.30', president.user.email, president.password)).errors).toBeUndefined();
    expect(reasonOf(await loginFrom('203.0.113.201', president.user.email, president.password))).toBe('LOGIN_THROTTLED');
  }, 300_000);
});

describe('sign-in abuse: after the free failures each attempt of the pair waits a growing delay (app clock)', () => {
  let t: TestApp;
  let clock: ReturnType<typeof pinAppClock>;
  beforeAll(async () => {
    clock = pinAppClock();
    t = await TestApp.start({ TRUST_PROXY_HOPS: '1', LOGIN_MAX_FAILURES: '3', LOGIN_WINDOW_SECONDS: '600' });
  });
  afterAll(async () => {
    await t?.close();
    clock.restore();
  });

  const loginFrom = (address: string, email: string, password: string) =>
    t.gql<{ login: { accessToken: string } }>(LOGIN, { input: { email, password } }, undefined, { 'x-forwarded-for': address });
  const retryAfter = (res: GqlResponse) => {
    expect(errorCode(res)).toBe('TOO_MANY_REQUESTS');
    expect(reasonOf(res)).toBe('LOGIN_THROTTLED');
    return res.errors![0]!.extensions!.retryAfterSeconds as number;
  };

  it('1 s, 2 s, 4 s ... up to LOGIN_WINDOW_SECONDS; refused fast meanwhile even with the right password; a right password after the delay signs in and starts over', async () => {
    const u = await t.createUser(['TASK_FORCE'], { displayName: '佐藤 次郎' });
    const from = '198.51.100.7';
    for (let i = 0; i < 3; i++) expect(reasonOf(await loginFrom(from, u.user.email, 'wrong-password'))).toBe('INVALID_CREDENTIALS');

    expect(retryAfter(await loginFrom(from, u.user.email, 'wrong-password'))).toBe(1);
    expect(retryAfter(await loginFrom(from, u.user.email, u.password))).toBe(1);
    // Another address of the same account is not delayed.
    expect((await loginFrom('198.51.100.8', u.user.email, u.password)).errors).toBeUndefined();

    const delays: number[] = [];
    let wait = 1;
    for (let step = 0; step < 11; step++) {
      clock.advance(wait * 1000 - 1);
      // One millisecond before the delay ends: still refused.
      expect(retryAfter(await loginFrom(from, u.user.email, 'wrong-password'))).toBe(1);
      clock.advance(1);
      expect(reasonOf(await loginFrom(from, u.user.email, 'wrong-password'))).toBe('INVALID_CREDENTIALS');
      wait = retryAfter(await loginFrom(from, u.user.email, 'wrong-password'));
      delays.push(wait);
    }
    expect(delays).toEqual([2, 4, 8, 16, 32, 64, 128, 256, 512, 600, 600]);

    clock.advance(wait * 1000);
    const ok = await loginFrom(from, u.user.email, u.password);
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.login.accessToken).toEqual(expect.any(String));
    // The success cleared the pair: three free failures again, then 1 s.
    for (let i = 0; i < 3; i++) expect(reasonOf(await loginFrom(from, u.user.email, 'wrong-password'))).toBe('INVALID_CREDENTIALS');
    expect(retryAfter(await loginFrom(from, u.user.email, u.password))).toBe(1);
  }, 300_000);
});

describe('sign-in abuse: password hashing is capped, so health, reads and downloads stay served', () => {
  let t: TestApp;
  let reader: { token: string; evidenceId: string; email: string; password: string };
  beforeAll(async () => {
    t = await TestApp.start({ TRUST_PROXY_HOPS: '1', LOGIN_MAX_CONCURRENT_HASHES: '2', LOGIN_MAX_QUEUED_HASHES: '8' });
    const ctx = await makeIncident(t);
    const owner = await ctx.addMember();
    const token = await owner.signIn();
    const cm = await makeCountermeasure(t, ctx.incident.id, owner.user.id);
    const [{ id: requirementId }] = await t.sql<{ id: string }>(`SELECT id FROM countermeasure_requirements WHERE countermeasure_id = $1`, [
      cm.id,
    ]);
    const up = await upload(t, token, { requirementId, effectiveOn: todayIn(CASE_TIME_ZONE, new Date()) }, [
      { bytes: Buffer.from(TEXT_JA, 'utf8'), name: '棚卸し結果.txt', type: 'text/plain' },
    ]);
    expect(up.status).toBe(201);
    reader = { token, evidenceId: up.body.id as string, email: owner.user.email, password: owner.password };
  });
  afterAll(async () => t?.close());

  it('five people signing in at the same moment all get in: beyond the 2 slots they wait their turn, not SIGN_IN_BUSY', async () => {
    const people = await Promise.all(Array.from({ length: 5 }, () => t.createUser(['TASK_FORCE'])));
    const answers = await Promise.all(
      people.map((p, i) =>
        t.gql<{ login: { accessToken: string } }>(LOGIN, { input: { email: p.user.email, password: p.password } }, undefined, {
          'x-forwarded-for': `10.2.0.${i + 1}`,
        }),
      ),
    );
    for (const a of answers) {
      expect(a.errors).toBeUndefined();
      expect(a.data!.login.accessToken).toEqual(expect.any(String));
    }
  }, 120_000);

  it('100 wrong sign-ins at once from 100 addresses: 2 are checked, 8 wait their turn, 90 are refused SIGN_IN_BUSY at once; health, `me` and a download answer meanwhile', async () => {
    const probe = holdPasswordChecks(t);
    let answered = 0;
    const all = Array.from({ length: 100 }, (_, i) =>
      t
        .gql(LOGIN, { input: { email: reader.email, password: `guess-${i}` } }, undefined, {
          'x-forwarded-for': `10.1.${Math.floor(i / 250)}.${(i % 250) + 1}`,
        })
        .then((res) => {
          answered++;
          return res;
        }),
    );
    // The two checks are held and 8 sign-ins wait behind them: the other 90 answer without waiting for any hash.
    await until(() => answered === 90 && probe.checks === 2);

    const health = await fetch(`${t.baseUrl}/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { status: string }).status).toBe('ok');
    const me = await t.gql<{ me: { id: string } }>(ME, {}, reader.token);
    expect(me.errors).toBeUndefined();
    const download = await fetch(`${t.baseUrl}/evidence/${reader.evidenceId}/content`, {
      headers: { authorization: `Bearer ${reader.token}` },
    });
    expect(download.status).toBe(200);
    expect(await download.text()).toBe(TEXT_JA);
    // Still saturated: a right password is refused too, fast, and told to come back.
    const busy = await t.gql(LOGIN, { input: { email: reader.email, password: reader.password } });
    expect(errorCode(busy)).toBe('TOO_MANY_REQUESTS');
    expect(busy.errors![0]!.extensions).toMatchObject({ reason: 'SIGN_IN_BUSY', retryAfterSeconds: 1 });

    expect(probe.checks).toBe(2);

    probe.release();
    const answers = await Promise.all(all);
    // The 8 that waited got their turn, two at a time, once the held checks ended.
    expect(probe.checks).toBe(10);
    expect(answers.filter((a) => reasonOf(a) === 'SIGN_IN_BUSY')).toHaveLength(90);
    expect(answers.filter((a) => reasonOf(a) === 'INVALID_CREDENTIALS')).toHaveLength(10);
    for (const a of answers.filter((x) => reasonOf(x) === 'SIGN_IN_BUSY')) {
      expect(errorCode(a)).toBe('TOO_MANY_REQUESTS');
      expect(a.errors![0]!.extensions!.retryAfterSeconds).toBe(1);
    }
    // The slots are given back: the owner signs in again.
    probe.restore();
    expect(await t.login(reader.email, reader.password)).toEqual(expect.any(String));
  }, 120_000);
});
