import { decode, sign, verify } from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, TestApp } from '../support/test-app';

const ME = `{ me { id email } }`;

/**
 * A token signed with the server's own secret but missing a claim that bounds it
 * (a leaked signing step, a debugging script, a token minted by an old tool)
 * must not open the API: jsonwebtoken checks `exp` only when it is present.
 */
describe('access tokens must carry exp, iat and a user id', () => {
  let t: TestApp;
  let user: Awaited<ReturnType<TestApp['createUser']>>;
  const secret = () => process.env.JWT_SECRET!;
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    t = await TestApp.start();
    user = await t.createUser(['ADMIN']);
  });
  afterAll(async () => t?.close());

  it('the token the server issues works (the control case)', async () => {
    const res = await t.gql<{ me: { id: string } }>(ME, {}, await user.signIn());
    expect(res.data?.me.id).toBe(user.user.id);
  });

  it('a token the tests mint (TestApp.createUser().token) carries the same claims, header and lifetime as the one sign-in returns', async () => {
    const signedIn = await user.signIn();
    const minted = await user.token();
    const a = decode(signedIn, { complete: true })!;
    const b = decode(minted, { complete: true })!;
    expect(b.header).toEqual(a.header);
    const { iat: iatA, exp: expA, sid: sidA, ...restA } = a.payload as Record<string, number | string>;
    const { iat: iatB, exp: expB, sid: sidB, ...restB } = b.payload as Record<string, number | string>;
    // Same claim names and values; only the issue second and the session (two sessions) differ.
    expect(Object.keys(b.payload).sort()).toEqual(Object.keys(a.payload).sort());
    expect(restB).toEqual(restA);
    expect(restA).toEqual({ sub: user.user.id });
    expect(sidA).not.toBe(sidB);
    const sessions = await t.sql<{ id: string; user_id: string }>(`SELECT id, user_id FROM auth_sessions WHERE id = ANY($1)`, [
      [sidA, sidB],
    ]);
    expect(sessions.map((r) => r.user_id)).toEqual([user.user.id, user.user.id]);
    expect((expB as number) - (iatB as number)).toBe((expA as number) - (iatA as number));
    // Both signed with the server's secret, and the server serves both as the same user.
    expect(() => verify(minted, secret(), { algorithms: ['HS256'] })).not.toThrow();
    expect((await t.gql<{ me: { id: string } }>(ME, {}, minted)).data?.me.id).toBe(user.user.id);
  });

  it('a token signed with the right secret but without exp is UNAUTHENTICATED (INVALID_TOKEN), never served', async () => {
    const forever = sign({ sub: user.user.id }, secret(), { algorithm: 'HS256' });
    const res = await t.gql(ME, {}, forever);
    expect(errorCode(res)).toBe('UNAUTHENTICATED');
    expect(res.errors![0]!.extensions!.reason).toBe('INVALID_TOKEN');
    expect(res.data ?? null).toBeNull();
  });

  it('a token without iat, or with exp as text, is refused too', async () => {
    const noIat = sign({ sub: user.user.id, exp: now() + 600 }, secret(), { algorithm: 'HS256', noTimestamp: true });
    expect(errorCode(await t.gql(ME, {}, noIat))).toBe('UNAUTHENTICATED');
    const textExp = sign(JSON.stringify({ sub: user.user.id, iat: now(), exp: String(now() + 600) }), secret(), { algorithm: 'HS256' });
    expect(errorCode(await t.gql(ME, {}, textExp))).toBe('UNAUTHENTICATED');
  });

  it("a token without a session, or naming another user's session, is refused (INVALID_TOKEN)", async () => {
    const other = await t.createUser(['TASK_FORCE']);
    const otherSid = TestApp.sessionOf(await other.token());
    for (const claims of [{ sub: user.user.id }, { sub: user.user.id, sid: otherSid }, { sub: user.user.id, sid: 'x' }]) {
      const token = sign(claims, secret(), { algorithm: 'HS256', expiresIn: 600 });
      const res = await t.gql(ME, {}, token);
      expect(errorCode(res), JSON.stringify(claims)).toBe('UNAUTHENTICATED');
      expect(res.errors![0]!.extensions!.reason).toBe('INVALID_TOKEN');
    }
  });

  it('a sub that is not a user id is UNAUTHENTICATED, not an internal error', async () => {
    for (const sub of ['admin', `${user.user.id}'--`, '']) {
      const token = sign({ sub }, secret(), { algorithm: 'HS256', expiresIn: 600 });
      const res = await t.gql(ME, {}, token);
      expect(errorCode(res), sub).toBe('UNAUTHENTICATED');
      expect(res.errors![0]!.extensions!.reason).toBe('INVALID_TOKEN');
    }
  });
});
