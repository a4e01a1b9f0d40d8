import { JwtService } from '@nestjs/jwt';
import { sign } from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SystemClock } from '@app/common';
import { errorCode, TestApp } from '../support/test-app';

const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { accessToken } }`;
const ME = `{ me { id email } }`;

describe('sign-in: bad input gets a clear error and writes nothing', () => {
  let t: TestApp;
  let user: Awaited<ReturnType<TestApp['createUser']>>;
  let snapshot: unknown[];

  beforeAll(async () => {
    // Many failures follow: a high limit keeps the throttle out of these cases.
    t = await TestApp.start({ LOGIN_MAX_FAILURES: '1000' });
    user = await t.createUser(['TASK_FORCE']);
    snapshot = await t.sql('SELECT * FROM users ORDER BY id');
  });
  afterAll(async () => t?.close());

  const login = (email: unknown, password: unknown) => t.gql<{ login: unknown }>(LOGIN, { input: { email, password } });

  it('a wrong password is UNAUTHENTICATED (INVALID_CREDENTIALS) and returns no token', async () => {
    const res = await login(user.user.email, 'not-the-password');
    expect(errorCode(res)).toBe('UNAUTHENTICATED');
    expect(res.errors![0]!.extensions!.reason).toBe('INVALID_CREDENTIALS');
    expect(res.data).toBeNull();
  });

  it('an unknown user gets exactly the same answer as a wrong password (no account probing)', async () => {
    const unknown = await login('nobody@example.test', 'whatever-password');
    const wrong = await login(user.user.email, 'whatever-password');
    expect(errorCode(unknown)).toBe('UNAUTHENTICATED');
    expect(unknown.errors![0]!.message).toBe(wrong.errors![0]!.message);
    expect(unknown.errors![0]!.extensions!.reason).toBe(wrong.errors![0]!.extensions!.reason);
  });

  it('a malformed e-mail is BAD_USER_INPUT, checked before any password check', async () => {
    const res = await login('not-an-email', 'whatever-password');
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0]!.message).toMatch(/email/);
  });

  it('an empty password is BAD_USER_INPUT', async () => {
    const res = await login(user.user.email, '');
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0]!.message).toMatch(/password/);
  });

  it('a missing field is refused by the schema with BAD_USER_INPUT', async () => {
    const res = await t.gql(LOGIN, { input: { email: user.user.email } });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
  });

  it('an expired token is UNAUTHENTICATED and says so', async () => {
    const expired = sign({ sub: user.user.id }, process.env.JWT_SECRET!, { algorithm: 'HS256', expiresIn: -10 });
    const res = await t.gql(ME, {}, expired);
    expect(errorCode(res)).toBe('UNAUTHENTICATED');
    expect(res.errors![0]!.message).toMatch(/expired/);
  });

  it('a token signed with another secret, or with alg none, is UNAUTHENTICATED', async () => {
    const forged = sign({ sub: user.user.id }, 'another-secret-another-secret-123', { algorithm: 'HS256', expiresIn: 600 });
    expect(errorCode(await t.gql(ME, {}, forged))).toBe('UNAUTHENTICATED');
    const unsigned = sign({ sub: user.user.id }, '', { algorithm: 'none', expiresIn: 600 });
    expect(errorCode(await t.gql(ME, {}, unsigned))).toBe('UNAUTHENTICATED');
  });

  it('a valid signature for a user id that does not exist is UNAUTHENTICATED', async () => {
    const token = await t.app.get(JwtService).signAsync({ sub: '00000000-0000-4000-8000-000000000000' });
    expect(errorCode(await t.gql(ME, {}, token))).toBe('UNAUTHENTICATED');
  });

  it('none of the failures above wrote anything', async () => {
    expect(await t.sql('SELECT * FROM users ORDER BY id')).toEqual(snapshot);
  });
});

describe('sign-in: deactivated users', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(async () => t?.close());

  it('a deactivated user is refused at once, even with a token issued before', async () => {
    const admin = await t.createUser(['ADMIN']);
    const member = await t.createUser(['EXECUTIVE']);
    const memberToken = await member.signIn();
    expect((await t.gql<{ me: { id: string } }>(ME, {}, memberToken)).data!.me.id).toBe(member.user.id);

    const res = await t.gql<{ deactivateUser: { active: boolean } }>(
      `mutation($input: UserVersionInput!) { deactivateUser(input: $input) { active } }`,
      { input: { id: member.user.id, expectedVersion: member.user.version } },
      await admin.signIn(),
    );
    expect(res.data!.deactivateUser.active).toBe(false);

    const after = await t.gql(ME, {}, memberToken);
    expect(errorCode(after)).toBe('UNAUTHENTICATED');
    expect(after.errors![0]!.extensions!.reason).toBe('ACCOUNT_DEACTIVATED');

    const relogin = await t.gql(LOGIN, { input: { email: member.user.email, password: member.password } });
    expect(errorCode(relogin)).toBe('UNAUTHENTICATED');
    expect(relogin.errors![0]!.extensions!.reason).toBe('ACCOUNT_DEACTIVATED');
  });
});

describe('sign-in: repeated failures are throttled', () => {
  let t: TestApp;
  beforeAll(async () => {
    // The app's clock stands still: a pair's delay (1 s after the free failures) never ends on its own here.
    const at = new Date();
    vi.spyOn(SystemClock.prototype, 'now').mockImplementation(() => new Date(at));
    // One trusted proxy hop: X-Forwarded-For tells the client address apart.
    t = await TestApp.start({
      LOGIN_MAX_FAILURES: '3',
      LOGIN_ADDRESS_MAX_FAILURES: '6',
      LOGIN_WINDOW_SECONDS: '600',
      TRUST_PROXY_HOPS: '1',
    });
  });
  afterAll(async () => {
    await t?.close();
    vi.restoreAllMocks();
  });

  const loginFrom = (address: string, email: string, password: string) =>
    t.gql(LOGIN, { input: { email, password } }, undefined, { 'x-forwarded-for': address });

  it('after 3 failures for one account from one address, even the right password from there is refused with TOO_MANY_REQUESTS; from another address it signs in', async () => {
    const victim = await t.createUser(['AUDITOR']);
    for (let i = 0; i < 3; i++) {
      expect(errorCode(await loginFrom('10.0.0.1', victim.user.email, 'wrong-password'))).toBe('UNAUTHENTICATED');
    }
    const blocked = await loginFrom('10.0.0.1', victim.user.email, victim.password);
    expect(errorCode(blocked)).toBe('TOO_MANY_REQUESTS');
    expect(blocked.errors![0]!.extensions!.reason).toBe('LOGIN_THROTTLED');
    expect(blocked.errors![0]!.extensions!.retryAfterSeconds).toBeGreaterThan(0);
    // The same account from its owner's address, and another account, are not affected.
    expect(errorCode(await loginFrom('10.0.0.99', victim.user.email, victim.password))).toBeUndefined();
    const other = await t.createUser(['AUDITOR']);
    expect(errorCode(await loginFrom('10.0.0.1', other.user.email, other.password))).toBeUndefined();
  });

  it('after LOGIN_ADDRESS_MAX_FAILURES failures from one address, that address is refused for every account', async () => {
    const a = await t.createUser(['TASK_FORCE']);
    const b = await t.createUser(['TASK_FORCE']);
    for (const n of [1, 2, 3, 4, 5, 6]) {
      expect(errorCode(await loginFrom('192.0.2.7', `x${n}@example.test`, 'wrong-password'))).toBe('UNAUTHENTICATED');
    }
    const refused = await loginFrom('192.0.2.7', a.user.email, a.password);
    expect(errorCode(refused)).toBe('TOO_MANY_REQUESTS');
    expect(refused.errors![0]!.extensions!.reason).toBe('LOGIN_THROTTLED');
    expect(errorCode(await loginFrom('192.0.2.8', b.user.email, b.password))).toBeUndefined();
  });

  it('a success clears the pair: failures must then start over', async () => {
    const u = await t.createUser(['EXECUTIVE']);
    for (let i = 0; i < 2; i++) expect(errorCode(await loginFrom('198.51.100.1', u.user.email, 'wrong-password'))).toBe('UNAUTHENTICATED');
    expect(errorCode(await loginFrom('198.51.100.1', u.user.email, u.password))).toBeUndefined();
    // Without the reset, the 4th attempt from this address would already wait.
    for (let i = 0; i < 2; i++) expect(errorCode(await loginFrom('198.51.100.1', u.user.email, 'wrong-password'))).toBe('UNAUTHENTICATED');
    expect(errorCode(await loginFrom('198.51.100.1', u.user.email, u.password))).toBeUndefined();
  });

  it('IPv6 clients are counted by their /64: changing the host part gets no new free attempts', async () => {
    const u = await t.createUser(['TASK_FORCE']);
    for (let i = 1; i <= 3; i++) {
      expect(errorCode(await loginFrom(`2001:db8:1:2::${i}`, u.user.email, 'wrong-password'))).toBe('UNAUTHENTICATED');
    }
    expect(errorCode(await loginFrom('2001:db8:1:2:ffff::9', u.user.email, 'wrong-password'))).toBe('TOO_MANY_REQUESTS');
    expect(errorCode(await loginFrom('2001:db8:1:3::1', u.user.email, u.password))).toBeUndefined();
  });
});
