import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveSubscriptions, TestSubscriber, until } from '../support/graphql-ws-client';
import { errorCode, TestApp } from '../support/test-app';

const LOGIN = `mutation($input: LoginInput!) {
  login(input: $input) { accessToken refreshToken expiresAt refreshExpiresAt session { id state signInMethod current } }
}`;
const REFRESH = `mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken session { id } } }`;
const ME = `{ me { id } }`;
const MY_SESSIONS = `{ mySessions { id state userAgent current revokedAt } }`;

interface Login {
  accessToken: string;
  refreshToken: string;
  session: { id: string; state: string; signInMethod: string; current: boolean };
}

describe('sessions: rotating refresh tokens, listing and ending sessions', () => {
  let t: TestApp;
  let member: Awaited<ReturnType<TestApp['createUser']>>;
  let admin: Awaited<ReturnType<TestApp['createUser']>>;

  const login = async (email: string, password: string, ua = 'Mozilla/5.0 (X11; test device)') => {
    const res = await t.gql<{ login: Login }>(LOGIN, { input: { email, password } }, undefined, { 'user-agent': ua });
    expect(res.errors).toBeUndefined();
    return res.data!.login;
  };
  const trail = (action: string, entityId: string) =>
    t.sql<{ after: Record<string, unknown>; actor_label: string }>(
      `SELECT after, actor_label FROM audit_trail WHERE action = $1 AND entity_id = $2 ORDER BY seq`,
      [action, entityId],
    );

  beforeAll(async () => {
    t = await TestApp.start();
    member = await t.createUser(['TASK_FORCE'], { displayName: '山田 太郎' });
    admin = await t.createUser(['ADMIN']);
  });
  afterAll(async () => t?.close());

  it('signing in opens a session with a trail entry, and the access token names it', async () => {
    const s = await login(member.user.email, member.password);
    expect(s.session).toMatchObject({ state: 'ACTIVE', signInMethod: 'PASSWORD', current: true });
    expect(TestApp.sessionOf(s.accessToken)).toBe(s.session.id);
    expect(s.refreshToken).toMatch(/^rtr_/);
    const rows = await t.sql<{ user_agent: string }>(`SELECT user_agent FROM auth_sessions WHERE id = $1`, [s.session.id]);
    expect(rows[0]!.user_agent).toBe('Mozilla/5.0 (X11; test device)');
    // Only the hash of the refresh token is kept.
    const stored = await t.sql<{ token_hash: string }>(`SELECT token_hash FROM auth_refresh_tokens WHERE session_id = $1`, [s.session.id]);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.token_hash).not.toContain(s.refreshToken.slice(4, 20));
    const entries = await trail('auth.signed-in', s.session.id);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.after).toMatchObject({ userId: member.user.id, method: 'PASSWORD', state: 'ACTIVE' });
  });

  it('a refresh rotates the tokens; the old refresh token used again ends the whole session', async () => {
    const s = await login(member.user.email, member.password);
    const r1 = await t.gql<{ refreshSession: Login }>(REFRESH, { t: s.refreshToken });
    expect(r1.errors).toBeUndefined();
    const next = r1.data!.refreshSession;
    expect(next.session.id).toBe(s.session.id);
    expect(next.refreshToken).not.toBe(s.refreshToken);
    expect((await t.gql<{ me: { id: string } }>(ME, {}, next.accessToken)).data?.me.id).toBe(member.user.id);

    // The first token again: someone holds a copy. Refused, and the session (the token family) ends.
    const replay = await t.gql(REFRESH, { t: s.refreshToken });
    expect(errorCode(replay)).toBe('UNAUTHENTICATED');
    const after = await t.gql(ME, {}, next.accessToken);
    expect(errorCode(after)).toBe('UNAUTHENTICATED');
    expect(after.errors![0]!.extensions!.reason).toBe('SESSION_REVOKED');
    expect(errorCode(await t.gql(REFRESH, { t: next.refreshToken }))).toBe('UNAUTHENTICATED');
    const revoked = await trail('auth.session-revoked', s.session.id);
    expect(revoked.map((e) => e.after['reason'])).toEqual(['REFRESH_TOKEN_REUSED']);
  });

  it('refuses an unknown, malformed or expired refresh token and writes nothing', async () => {
    const s = await login(member.user.email, member.password);
    const count = async () => (await t.sql<{ n: string }>(`SELECT count(*) AS n FROM auth_refresh_tokens`))[0]!.n;
    const before = await count();
    for (const bad of ['rtr_nope', 'x'.repeat(5000), '', s.refreshToken + 'x']) {
      expect(errorCode(await t.gql(REFRESH, { t: bad })), bad.slice(0, 10)).toBe('UNAUTHENTICATED');
    }
    await t.sql(`UPDATE auth_refresh_tokens SET expires_at = now() - interval '1 second' WHERE session_id = $1`, [s.session.id]);
    expect(errorCode(await t.gql(REFRESH, { t: s.refreshToken }))).toBe('UNAUTHENTICATED');
    expect(await count()).toBe(before);
  });

  it('lists my open sessions with their device; I end one of them, and its tokens stop at once', async () => {
    const user = await t.createUser(['EXECUTIVE']);
    const laptop = await login(user.user.email, user.password, 'Laptop/1.0');
    const phone = await login(user.user.email, user.password, 'Phone/2.0');
    const list = await t.gql<{ mySessions: { id: string; userAgent: string; current: boolean }[] }>(MY_SESSIONS, {}, laptop.accessToken);
    expect(list.data!.mySessions.map((s) => [s.userAgent, s.current])).toEqual([
      ['Phone/2.0', false],
      ['Laptop/1.0', true],
    ]);
    const res = await t.gql<{ revokeSession: { id: string; revokedAt: string } }>(
      `mutation($id: ID!) { revokeSession(id: $id) { id revokedAt } }`,
      { id: phone.session.id },
      laptop.accessToken,
    );
    expect(res.data?.revokeSession.revokedAt).toBeTruthy();
    expect(errorCode(await t.gql(ME, {}, phone.accessToken))).toBe('UNAUTHENTICATED');
    expect(errorCode(await t.gql(REFRESH, { t: phone.refreshToken }))).toBe('UNAUTHENTICATED');
    expect((await t.gql(ME, {}, laptop.accessToken)).errors).toBeUndefined();
    expect((await trail('auth.session-revoked', phone.session.id)).map((e) => e.after['reason'])).toEqual(['REVOKED']);
  });

  it("someone else's session is NOT_FOUND to me and stays open; ending one twice is a CONFLICT", async () => {
    const mine = await login(member.user.email, member.password);
    const other = await t.createUser(['TASK_FORCE']);
    const theirs = await login(other.user.email, other.password);
    const REVOKE = `mutation($id: ID!) { revokeSession(id: $id) { id } }`;
    expect(errorCode(await t.gql(REVOKE, { id: theirs.session.id }, mine.accessToken))).toBe('NOT_FOUND');
    expect(errorCode(await t.gql(REVOKE, { id: 'not-a-uuid' }, mine.accessToken))).toBe('NOT_FOUND');
    expect((await t.gql(ME, {}, theirs.accessToken)).errors).toBeUndefined();
    const extra = await login(member.user.email, member.password);
    expect((await t.gql(REVOKE, { id: extra.session.id }, mine.accessToken)).errors).toBeUndefined();
    expect(errorCode(await t.gql(REVOKE, { id: extra.session.id }, mine.accessToken))).toBe('CONFLICT');
  });

  it('signing out ends the current session', async () => {
    const s = await login(member.user.email, member.password);
    const res = await t.gql<{ signOut: { id: string } }>(`mutation { signOut { id } }`, {}, s.accessToken);
    expect(res.data?.signOut.id).toBe(s.session.id);
    expect(errorCode(await t.gql(ME, {}, s.accessToken))).toBe('UNAUTHENTICATED');
    expect((await trail('auth.session-revoked', s.session.id)).map((e) => e.after['reason'])).toEqual(['SIGNED_OUT']);
  });

  it('an admin ends every session of a user; nobody else may', async () => {
    const target = await t.createUser(['AUDITOR']);
    const a = await login(target.user.email, target.password);
    const b = await login(target.user.email, target.password);
    const END_ALL = `mutation($u: ID!) { revokeUserSessions(userId: $u) }`;
    const refused = await t.gql(END_ALL, { u: target.user.id }, await member.token());
    expect(errorCode(refused)).toBe('FORBIDDEN');
    expect((await t.gql(ME, {}, a.accessToken)).errors).toBeUndefined();
    expect(errorCode(await t.gql(END_ALL, { u: 'f'.repeat(8) }, await admin.token()))).toBe('NOT_FOUND');
    const res = await t.gql<{ revokeUserSessions: number }>(END_ALL, { u: target.user.id }, await admin.token());
    expect(res.data?.revokeUserSessions).toBe(2);
    for (const s of [a, b]) expect(errorCode(await t.gql(ME, {}, s.accessToken))).toBe('UNAUTHENTICATED');
    const entries = await trail('auth.session-revoked', a.session.id);
    expect(entries[0]!.after['reason']).toBe('REVOKED_BY_ADMIN');
    expect(entries[0]!.actor_label).toBe(admin.user.email);
  });

  it('deactivating a user ends their sessions for good: a reactivation does not bring a token back', async () => {
    const user = await t.createUser(['TASK_FORCE']);
    const s = await login(user.user.email, user.password);
    const version = async () => (await t.sql<{ version: number }>(`SELECT version FROM users WHERE id = $1`, [user.user.id]))[0]!.version;
    const V = `mutation($input: UserVersionInput!) { deactivateUser(input: $input) { id } }`;
    expect((await t.gql(V, { input: { id: user.user.id, expectedVersion: await version() } }, await admin.token())).errors).toBeUndefined();
    const R = `mutation($input: UserVersionInput!) { reactivateUser(input: $input) { id } }`;
    expect((await t.gql(R, { input: { id: user.user.id, expectedVersion: await version() } }, await admin.token())).errors).toBeUndefined();
    const res = await t.gql(ME, {}, s.accessToken);
    expect(res.errors![0]!.extensions!.reason).toBe('SESSION_REVOKED');
    expect(errorCode(await t.gql(REFRESH, { t: s.refreshToken }))).toBe('UNAUTHENTICATED');
    expect((await trail('auth.session-revoked', s.session.id)).map((e) => e.after['reason'])).toEqual(['USER_DEACTIVATED']);
  });

  it("a change of a user's roles ends their sessions: they were let in under the old roles", async () => {
    const user = await t.createUser(['TASK_FORCE']);
    const s = await login(user.user.email, user.password);
    const version = (await t.sql<{ version: number }>(`SELECT version FROM users WHERE id = $1`, [user.user.id]))[0]!.version;
    const U = `mutation($input: UpdateUserRolesInput!) { updateUserRoles(input: $input) { roles } }`;
    const res = await t.gql(
      U,
      { input: { id: user.user.id, roles: ['TASK_FORCE', 'EXECUTIVE'], expectedVersion: version } },
      await admin.token(),
    );
    expect(res.errors).toBeUndefined();
    expect((await t.gql(ME, {}, s.accessToken)).errors![0]!.extensions!.reason).toBe('SESSION_REVOKED');
    expect((await trail('auth.session-revoked', s.session.id)).map((e) => e.after['reason'])).toEqual(['ROLES_CHANGED']);
  });

  it('a WebSocket subscription ends as soon as its session is revoked, without waiting for an event', async () => {
    const s = await login(member.user.email, member.password);
    const sub = TestSubscriber.bearer(t, s.accessToken, `subscription { notificationAdded { id } }`);
    // Subscribed once the server counts it (the connection is authenticated by then).
    await until(() => liveSubscriptions(t) > 0, 'the subscription to be live');
    await t.gql(
      `mutation($id: ID!) { revokeSession(id: $id) { id } }`,
      { id: s.session.id },
      (await login(member.user.email, member.password)).accessToken,
    );
    await sub.waitForEnd();
    expect(sub.closed?.code).toBe(4403);
    expect(sub.closed?.reason).toContain('session was ended');
    await sub.dispose();
  });

  it('a failed sign-in is a trail entry that names the account, or the hash of an unknown e-mail, never the text typed', async () => {
    const wrong = await t.gql(LOGIN, { input: { email: member.user.email, password: 'wrong-password-1' } });
    expect(errorCode(wrong)).toBe('UNAUTHENTICATED');
    const known = await trail('auth.sign-in-failed', member.user.id);
    expect(known.at(-1)!.after).toMatchObject({ reason: 'INVALID_CREDENTIALS' });
    await t.gql(LOGIN, { input: { email: 'nobody-ここ@example.test', password: 'whatever-123' } });
    const unknown = await t.sql<{ entity_id: string; after: unknown }>(
      `SELECT entity_id, after FROM audit_trail WHERE action = 'auth.sign-in-failed' AND entity_type = 'SignInAttempt' ORDER BY seq DESC LIMIT 1`,
    );
    expect(unknown[0]!.entity_id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(JSON.stringify(unknown[0])).not.toContain('nobody');
  });
});

describe('the second-factor policy per role', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<TestApp['createUser']>>;

  beforeAll(async () => {
    t = await TestApp.start({}, { secondFactorPolicy: 'default' });
    admin = await t.createUser(['ADMIN']);
  });
  afterAll(async () => t?.close());

  it('defaults to required for AUDITOR, EXECUTIVE and ADMIN; a task-force member signs in with the password alone', async () => {
    const res = await t.gql<{ secondFactorPolicy: { role: string; required: boolean }[] }>(
      `{ secondFactorPolicy { role required } }`,
      {},
      await admin.token(),
    );
    expect(res.data?.secondFactorPolicy).toEqual([
      { role: 'ADMIN', required: true },
      { role: 'TASK_FORCE', required: false },
      { role: 'EXECUTIVE', required: true },
      { role: 'AUDITOR', required: true },
    ]);
    const member = await t.createUser(['TASK_FORCE']);
    const s = await t.gql<{ login: Login }>(LOGIN, { input: { email: member.user.email, password: member.password } });
    expect(s.data?.login.session.state).toBe('ACTIVE');
  });

  it('an auditor without a second factor can do nothing but enrol (SECOND_FACTOR_REQUIRED, next ENROL)', async () => {
    const auditor = await t.createUser(['AUDITOR']);
    const s = (await t.gql<{ login: Login }>(LOGIN, { input: { email: auditor.user.email, password: auditor.password } })).data!.login;
    expect(s.session.state).toBe('ENROLMENT_PENDING');
    expect((await t.gql(ME, {}, s.accessToken)).data).toBeTruthy();
    const refused = await t.gql(`{ incidents(first: 1) { totalCount } }`, {}, s.accessToken);
    expect(errorCode(refused)).toBe('SECOND_FACTOR_REQUIRED');
    expect(refused.errors![0]!.extensions!.next).toBe('ENROL');
    expect(errorCode(await t.gql(MY_SESSIONS, {}, s.accessToken))).toBe('SECOND_FACTOR_REQUIRED');
  });

  it('only admins set it, with the version read; each change is a trail entry and applies at the next sign-in', async () => {
    const SET = `mutation($input: SecondFactorPolicyInput!) { setSecondFactorPolicy(input: $input) { role required version } }`;
    const exec = await t.createUser(['EXECUTIVE']);
    expect(errorCode(await t.gql(SET, { input: { role: 'AUDITOR', required: false, expectedVersion: 1 } }, await exec.token()))).toBe(
      'FORBIDDEN',
    );
    // The version read is required: without it, another admin's change made meanwhile would be overwritten unseen.
    for (const input of [
      { role: 'AUDITOR', required: false },
      { role: 'AUDITOR', required: false, expectedVersion: null },
    ]) {
      expect(errorCode(await t.gql(SET, { input }, await admin.token()))).toBe('BAD_USER_INPUT');
    }
    expect(errorCode(await t.gql(SET, { input: { role: 'AUDITOR', required: false, expectedVersion: 99 } }, await admin.token()))).toBe(
      'CONFLICT',
    );
    expect(errorCode(await t.gql(SET, { input: { role: 'SERVICE', required: true, expectedVersion: 1 } }, await admin.token()))).toBe(
      'BAD_USER_INPUT',
    );
    const rows = await t.sql<{ required: boolean }>(`SELECT required FROM second_factor_policy WHERE role = 'AUDITOR'`);
    expect(rows[0]!.required).toBe(true);

    const ok = await t.gql<{ setSecondFactorPolicy: { required: boolean; version: number } }>(
      SET,
      { input: { role: 'AUDITOR', required: false, expectedVersion: 1 } },
      await admin.token(),
    );
    expect(ok.data?.setSecondFactorPolicy).toEqual({ role: 'AUDITOR', required: false, version: 2 });
    const entries = await t.sql<{ before: unknown; after: unknown }>(
      `SELECT before, after FROM audit_trail WHERE action = 'auth.second-factor-policy-set' AND entity_id = 'AUDITOR'`,
    );
    expect(entries).toEqual([{ before: { role: 'AUDITOR', required: true }, after: { role: 'AUDITOR', required: false } }]);
    const auditor = await t.createUser(['AUDITOR']);
    const s = await t.gql<{ login: Login }>(LOGIN, { input: { email: auditor.user.email, password: auditor.password } });
    expect(s.data?.login.session.state).toBe('ACTIVE');

    // Required again: the session that never proved a factor ends; one that did (the minted one) goes on.
    const proved = await auditor.token();
    const again = await t.gql(SET, { input: { role: 'AUDITOR', required: true, expectedVersion: 2 } }, await admin.token());
    expect(again.errors).toBeUndefined();
    expect((await t.gql(ME, {}, s.data!.login.accessToken)).errors![0]!.extensions!.reason).toBe('SESSION_REVOKED');
    expect((await t.gql(ME, {}, proved)).errors).toBeUndefined();
  });
});
