import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, TestApp, type GqlResponse } from '../support/test-app';
import { SoftAuthenticator } from './soft-authenticator';

/**
 * Passkeys as a second factor over the API (issue 16): registering one (the first factor brings recovery codes
 * and makes an ENROLMENT_PENDING session ACTIVE), proving one at sign-in, and every refusal: a challenge that is
 * unknown, used, expired, of another session; an answer from another origin, by another user's key, malformed.
 * A software authenticator answers as a browser would; each refused answer differs from an accepted one in one
 * thing only. A refusal never adds a factor, never moves a counter, never changes the session.
 */

const ORIGIN = 'https://tracker.example.test';
const START_REG = `mutation($label: String!) { startPasskeyRegistration(label: $label) { challengeId options } }`;
const FINISH_REG = `mutation($challengeId: ID!, $response: JSONObject!) {
  finishPasskeyRegistration(challengeId: $challengeId, response: $response) { factor { id kind label createdAt lastUsedAt } recoveryCodes } }`;
const START_VER = `mutation { startPasskeyVerification { challengeId options } }`;
const FINISH_VER = `mutation($challengeId: ID!, $response: JSONObject!) {
  finishPasskeyVerification(challengeId: $challengeId, response: $response) { id state secondFactorMethod current } }`;
const CURRENT = `{ currentSession { id state secondFactorMethod } }`;

type Challenge = { challengeId: string; options: { challenge: string; rp: { id: string }; rpId: string } & Record<string, unknown> };
type Enrolled = { factor: { id: string; kind: string; label: string; lastUsedAt: string | null }; recoveryCodes: string[] | null };

const ok = <T>(res: GqlResponse<T>): T => {
  expect(res.errors).toBeUndefined();
  return res.data!;
};
const refusal = (res: GqlResponse) => ({
  code: errorCode(res),
  reason: res.errors?.[0]?.extensions?.reason,
  challenge: res.errors?.[0]?.extensions?.challenge,
});

describe('passkeys as a second factor', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start(
      { WEBAUTHN_RP_ID: 'tracker.example.test', WEBAUTHN_ORIGINS: ORIGIN, STEP_UP_MAX_AGE_SECONDS: '300', LOGIN_MAX_FAILURES: '3' },
      { secondFactorPolicy: 'default' },
    );
  });
  afterAll(async () => t?.close());

  const startRegistration = async (token: string, label = '業務用 MacBook の Touch ID') =>
    ok(await t.gql<{ startPasskeyRegistration: Challenge }>(START_REG, { label }, token)).startPasskeyRegistration;
  const finishRegistration = (token: string, challengeId: string, response: unknown) =>
    t.gql<{ finishPasskeyRegistration: Enrolled }>(FINISH_REG, { challengeId, response }, token);
  const startVerification = async (token: string) =>
    ok(await t.gql<{ startPasskeyVerification: Challenge }>(START_VER, {}, token)).startPasskeyVerification;
  const finishVerification = (token: string, challengeId: string, response: unknown) =>
    t.gql<{ finishPasskeyVerification: { id: string; state: string; secondFactorMethod: string; current: boolean } }>(
      FINISH_VER,
      { challengeId, response },
      token,
    );
  const sessionState = async (token: string) =>
    ok(await t.gql<{ currentSession: { state: string } }>(CURRENT, {}, token)).currentSession.state;

  /** An executive who registered a passkey (in an enrolment session), and a fresh password sign-in waiting for it. */
  async function userWithPasskey() {
    const u = await t.createUser(['EXECUTIVE']);
    const authenticator = new SoftAuthenticator(ORIGIN);
    const enrolToken = await u.signIn();
    const started = await startRegistration(enrolToken);
    const enrolled = ok(
      await finishRegistration(enrolToken, started.challengeId, authenticator.create(started.options)),
    ).finishPasskeyRegistration;
    const token = await u.signIn();
    return { ...u, authenticator, token, factorId: enrolled.factor.id };
  }

  /** What a refusal must leave as it was: the user's factors, keys and counters, and the session. */
  async function stateOf(userId: string, token: string) {
    const [row] = await t.sql<{
      factors: { id: string; kind: string; credential: string; counter: number; lastUsed: string }[] | null;
      recovery_codes: number;
      session: Record<string, unknown>;
    }>(
      `SELECT (SELECT json_agg(json_build_object('id', f.id, 'kind', f.kind, 'confirmed', f.confirmed_at, 'lastUsed', f.last_used_at,
                 'credential', c.credential_id, 'counter', c.counter, 'key', encode(c.public_key, 'hex')) ORDER BY f.id)
                FROM user_second_factors f LEFT JOIN webauthn_credentials c ON c.factor_id = f.id WHERE f.user_id = $1) AS factors,
              (SELECT count(*)::int FROM recovery_codes WHERE user_id = $1) AS recovery_codes,
              (SELECT row_to_json(s) FROM (SELECT state, second_factor_method, second_factor_at, version FROM auth_sessions WHERE id = $2) s) AS session`,
      [userId, TestApp.sessionOf(token)],
    );
    return row!;
  }

  const challengeRow = async (id: string) =>
    (await t.sql<{ used_at: Date | null }>(`SELECT used_at FROM webauthn_challenges WHERE id = $1`, [id]))[0];
  const trailActions = async (userId: string) =>
    (await t.sql<{ action: string }>(`SELECT action FROM audit_trail WHERE actor_id = $1 ORDER BY seq`, [userId])).map((r) => r.action);

  it('an executive who must enrol registers a passkey: the factor and its public key, ten recovery codes once, the session ACTIVE', async () => {
    const u = await t.createUser(['EXECUTIVE'], { displayName: '役員 花子' });
    const token = await u.signIn();
    expect(await sessionState(token)).toBe('ENROLMENT_PENDING');
    const started = await startRegistration(token);
    expect(started.options).toMatchObject({
      rp: { id: 'tracker.example.test', name: '再発防止策トラッカー' },
      user: { name: u.user.email, displayName: '役員 花子' },
      authenticatorSelection: { userVerification: 'preferred' },
      excludeCredentials: [],
      attestation: 'none',
    });
    const authenticator = new SoftAuthenticator(ORIGIN);
    const answer = authenticator.create(started.options);
    const enrolled = ok(await finishRegistration(token, started.challengeId, answer)).finishPasskeyRegistration;
    expect(enrolled.factor).toMatchObject({ kind: 'PASSKEY', label: '業務用 MacBook の Touch ID' });
    expect(enrolled.recoveryCodes).toHaveLength(10);
    expect(await sessionState(token)).toBe('ACTIVE');

    const [credential] = await t.sql(`SELECT credential_id, counter, transports FROM webauthn_credentials WHERE factor_id = $1`, [
      enrolled.factor.id,
    ]);
    expect(credential).toEqual({ credential_id: answer.id, counter: '0', transports: ['internal'] });
    expect(await trailActions(u.user.id)).toEqual(['auth.signed-in', 'auth.second-factor-enrolled', 'auth.second-factor-proved']);
    const [entry] = await t.sql<{ text: string }>(
      `SELECT row_to_json(a)::text AS text FROM audit_trail a WHERE actor_id = $1 AND action = 'auth.second-factor-enrolled'`,
      [u.user.id],
    );
    expect(entry!.text).toContain(answer.id);
    expect(entry!.text).not.toContain(answer.response.attestationObject.slice(0, 40));
    for (const code of enrolled.recoveryCodes!) expect(entry!.text).not.toContain(code);

    // A second passkey (the session has just proved one): the first is excluded, no more recovery codes.
    const again = await startRegistration(token, 'YubiKey 5');
    expect(again.options.excludeCredentials).toEqual([{ id: answer.id, type: 'public-key', transports: ['internal'] }]);
    const second = ok(
      await finishRegistration(token, again.challengeId, new SoftAuthenticator(ORIGIN).create(again.options)),
    ).finishPasskeyRegistration;
    expect(second.recoveryCodes).toBeNull();
  });

  it('a password sign-in of a user with a passkey waits for it; the assertion makes the session ACTIVE and moves the counter and last use', async () => {
    const u = await userWithPasskey();
    expect(await sessionState(u.token)).toBe('SECOND_FACTOR_PENDING');
    const before = await stateOf(u.user.id, u.token);
    const started = await startVerification(u.token);
    expect(started.options).toMatchObject({ rpId: 'tracker.example.test', userVerification: 'preferred' });
    expect(started.options.allowCredentials).toEqual([expect.objectContaining({ type: 'public-key', transports: ['internal'] })]);
    const proved = ok(
      await finishVerification(u.token, started.challengeId, u.authenticator.get(started.options)),
    ).finishPasskeyVerification;
    expect(proved).toEqual({ id: TestApp.sessionOf(u.token), state: 'ACTIVE', secondFactorMethod: 'PASSKEY', current: true });
    const after = await stateOf(u.user.id, u.token);
    expect(after.factors![0]!.counter).toBe(1);
    expect(Date.parse(after.factors![0]!.lastUsed)).toBeGreaterThan(Date.parse(before.factors![0]!.lastUsed));
    expect(await challengeRow(started.challengeId)).toEqual({ used_at: expect.any(Date) });
  });

  it('refuses a challenge that does not exist or is no id, changing nothing', async () => {
    const u = await userWithPasskey();
    const before = await stateOf(u.user.id, u.token);
    const started = await startVerification(u.token);
    const answer = u.authenticator.get(started.options);
    for (const id of [randomUUID(), 'not-an-id']) {
      expect(refusal(await finishVerification(u.token, id, answer))).toEqual({
        code: 'NOT_FOUND',
        reason: 'SECOND_FACTOR_NOT_FOUND',
        challenge: undefined,
      });
    }
    expect(await stateOf(u.user.id, u.token)).toEqual(before);
    expect(await challengeRow(started.challengeId)).toEqual({ used_at: null });
  });

  it('refuses an expired challenge (EXPIRED), changing nothing', async () => {
    const u = await userWithPasskey();
    const before = await stateOf(u.user.id, u.token);
    const started = await startVerification(u.token);
    await t.sql(
      `UPDATE webauthn_challenges SET created_at = created_at - interval '10 minutes', expires_at = created_at - interval '8 minutes' WHERE id = $1`,
      [started.challengeId],
    );
    const res = await finishVerification(u.token, started.challengeId, u.authenticator.get(started.options));
    expect(refusal(res)).toEqual({ code: 'UNAUTHENTICATED', reason: 'INVALID_SECOND_FACTOR', challenge: 'EXPIRED' });
    expect(await stateOf(u.user.id, u.token)).toEqual(before);
    expect(await challengeRow(started.challengeId)).toEqual({ used_at: null });
  });

  it('a challenge answers once: the same answer again is refused (USED), and of two concurrent answers exactly one passes', async () => {
    const u = await userWithPasskey();
    const started = await startVerification(u.token);
    const answer = u.authenticator.get(started.options);
    ok(await finishVerification(u.token, started.challengeId, answer));
    const proved = await stateOf(u.user.id, u.token);
    expect(refusal(await finishVerification(u.token, started.challengeId, answer))).toEqual({
      code: 'UNAUTHENTICATED',
      reason: 'INVALID_SECOND_FACTOR',
      challenge: 'USED',
    });
    expect(await stateOf(u.user.id, u.token)).toEqual(proved);

    const raced = await startVerification(u.token);
    const raceAnswer = u.authenticator.get(raced.options);
    const outcomes = await Promise.all([0, 1].map(() => finishVerification(u.token, raced.challengeId, raceAnswer)));
    expect(outcomes.filter((r) => !r.errors).length).toBe(1);
    expect(outcomes.filter((r) => r.errors).map(refusal)).toEqual([
      { code: 'UNAUTHENTICATED', reason: 'INVALID_SECOND_FACTOR', challenge: 'USED' },
    ]);
  });

  it("refuses another session's challenge as unknown, and leaves it to the session that asked", async () => {
    const u = await userWithPasskey();
    const other = await u.signIn();
    const started = await startVerification(u.token);
    const answer = u.authenticator.get(started.options);
    const before = await stateOf(u.user.id, other);
    expect(refusal(await finishVerification(other, started.challengeId, answer))).toEqual({
      code: 'NOT_FOUND',
      reason: 'SECOND_FACTOR_NOT_FOUND',
      challenge: undefined,
    });
    expect(await stateOf(u.user.id, other)).toEqual(before);
    expect(await sessionState(other)).toBe('SECOND_FACTOR_PENDING');
    expect(await challengeRow(started.challengeId)).toEqual({ used_at: null });
    ok(await finishVerification(u.token, started.challengeId, answer));
    expect(await sessionState(u.token)).toBe('ACTIVE');
  });

  it('refuses an answer from another origin: no proof, no counter moved, the challenge spent, a failure in the trail', async () => {
    const u = await userWithPasskey();
    const before = await stateOf(u.user.id, u.token);
    const started = await startVerification(u.token);
    const res = await finishVerification(
      u.token,
      started.challengeId,
      u.authenticator.get(started.options, { origin: 'https://tracker.example.test.evil.test' }),
    );
    expect(refusal(res)).toEqual({ code: 'UNAUTHENTICATED', reason: 'INVALID_SECOND_FACTOR', challenge: undefined });
    expect(await stateOf(u.user.id, u.token)).toEqual(before);
    expect(await challengeRow(started.challengeId)).toEqual({ used_at: expect.any(Date) });
    const [failure] = await t.sql<{ after: Record<string, unknown> }>(
      `SELECT after FROM audit_trail WHERE actor_id = $1 AND action = 'auth.second-factor-failed'`,
      [u.user.id],
    );
    expect(failure!.after).toEqual({
      method: 'PASSKEY',
      reason: 'NOT_VERIFIED',
      credentialId: before.factors![0]!.credential,
      factorId: u.factorId,
    });
    // The same key from the right origin passes (the origin was the only difference).
    const retry = await startVerification(u.token);
    ok(await finishVerification(u.token, retry.challengeId, u.authenticator.get(retry.options)));
  });

  it("refuses another user's passkey, and a registration from another origin, adding nothing", async () => {
    const u = await userWithPasskey();
    const stranger = await userWithPasskey();
    const before = await stateOf(u.user.id, u.token);
    const started = await startVerification(u.token);
    const res = await finishVerification(u.token, started.challengeId, stranger.authenticator.get({ ...started.options }));
    expect(refusal(res)).toEqual({ code: 'UNAUTHENTICATED', reason: 'INVALID_SECOND_FACTOR', challenge: undefined });
    expect(await stateOf(u.user.id, u.token)).toEqual(before);

    const newcomer = await t.createUser(['AUDITOR']);
    const token = await newcomer.signIn();
    const enrolling = await stateOf(newcomer.user.id, token);
    const reg = await startRegistration(token);
    const bad = await finishRegistration(token, reg.challengeId, new SoftAuthenticator('http://localhost:3000').create(reg.options));
    expect(refusal(bad)).toEqual({ code: 'UNAUTHENTICATED', reason: 'INVALID_SECOND_FACTOR', challenge: undefined });
    expect(await stateOf(newcomer.user.id, token)).toEqual(enrolling);
    expect(enrolling.factors).toBeNull();
  });

  it('refuses bad input before any challenge is spent: a malformed answer, an empty label', async () => {
    const u = await userWithPasskey();
    const before = await stateOf(u.user.id, u.token);
    const started = await startVerification(u.token);
    const { response: _dropped, ...noResponse } = u.authenticator.get(started.options);
    const res = await finishVerification(u.token, started.challengeId, noResponse);
    expect(refusal(res)).toEqual({ code: 'BAD_USER_INPUT', reason: 'INVALID_INPUT', challenge: undefined });
    expect(res.errors![0]!.extensions!.field).toBe('response');
    expect(await challengeRow(started.challengeId)).toEqual({ used_at: null });

    const enrolling = await (await t.createUser(['EXECUTIVE'])).signIn();
    expect(refusal(await t.gql(START_REG, { label: '  ' }, enrolling))).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_INPUT' });
    expect(await stateOf(u.user.id, u.token)).toEqual(before);
  });

  it('a session waiting for its second factor cannot add a passkey (the password alone adds no factor); without passkeys there is nothing to prove', async () => {
    const u = await userWithPasskey();
    expect(refusal(await t.gql(START_REG, { label: '攻撃者の鍵' }, u.token))).toMatchObject({
      code: 'SECOND_FACTOR_REQUIRED',
      reason: 'SECOND_FACTOR_REQUIRED',
    });
    const plain = await t.createUser(['TASK_FORCE']);
    expect(refusal(await t.gql(START_VER, {}, await plain.token()))).toEqual({
      code: 'NOT_FOUND',
      reason: 'SECOND_FACTOR_NOT_FOUND',
      challenge: undefined,
    });
  });

  it('adding a passkey to an ACTIVE session needs a fresh proof; proving a passkey there renews it (step-up)', async () => {
    const u = await userWithPasskey();
    const started = await startVerification(u.token);
    ok(await finishVerification(u.token, started.challengeId, u.authenticator.get(started.options)));
    await t.sql(`UPDATE auth_sessions SET second_factor_at = second_factor_at - interval '10 minutes' WHERE id = $1`, [
      TestApp.sessionOf(u.token),
    ]);
    const before = await stateOf(u.user.id, u.token);
    expect(refusal(await t.gql(START_REG, { label: '予備の鍵' }, u.token))).toMatchObject({
      code: 'STEP_UP_REQUIRED',
      reason: 'STEP_UP_REQUIRED',
    });
    expect(await stateOf(u.user.id, u.token)).toEqual(before);

    const stepUp = await startVerification(u.token);
    ok(await finishVerification(u.token, stepUp.challengeId, u.authenticator.get(stepUp.options)));
    const renewed = (await stateOf(u.user.id, u.token)).session;
    expect(Date.parse(renewed.second_factor_at as string)).toBeGreaterThan(
      Date.parse(before.session.second_factor_at as string) + 10 * 60_000 - 1,
    );
    const spare = await startRegistration(u.token, '予備の鍵');
    expect(
      ok(await finishRegistration(u.token, spare.challengeId, new SoftAuthenticator(ORIGIN).create(spare.options)))
        .finishPasskeyRegistration.factor.label,
    ).toBe('予備の鍵');
  });

  it('wrong answers are limited like passwords: after the free ones, LOGIN_THROTTLED', async () => {
    const u = await userWithPasskey();
    for (let i = 0; i < 3; i++) {
      const started = await startVerification(u.token);
      const res = await finishVerification(
        u.token,
        started.challengeId,
        u.authenticator.get(started.options, { origin: 'https://evil.example.test' }),
      );
      expect(refusal(res).reason).toBe('INVALID_SECOND_FACTOR');
    }
    const started = await startVerification(u.token);
    const throttled = await finishVerification(u.token, started.challengeId, u.authenticator.get(started.options));
    expect(refusal(throttled)).toMatchObject({ code: 'TOO_MANY_REQUESTS', reason: 'LOGIN_THROTTLED' });
    expect(await sessionState(u.token)).toBe('SECOND_FACTOR_PENDING');
    expect(await challengeRow(started.challengeId)).toEqual({ used_at: null });
  });
});
