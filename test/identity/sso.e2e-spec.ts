import { createHash, randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Actor } from '@app/common';
import { UsersService } from '@app/identity';
import type { IdpLogin, TestIdentityProvider } from '../support/oidc-provider';
import { get, person, REDIRECT_URI, ssoBrowser, useSsoApp, type Answer, type Redirect } from '../support/sso-browser';
import { errorCode, TestApp } from '../support/test-app';

/**
 * Single sign-on against a real OpenID Connect provider (oidc-provider on loopback), through the browser of
 * test/support/sso-browser.ts. Two sign-ins of one person at the same moment: sso-races.e2e-spec.ts.
 */

const LOGIN_PAYLOAD = `accessToken refreshToken user { id email roles displayName }
  session { state signInMethod secondFactorMethod secondFactorAt }`;

interface LoginPayload {
  accessToken: string;
  refreshToken: string;
  user: { id: string; email: string; roles: string[]; displayName: string };
  session: { state: string; signInMethod: string; secondFactorMethod: string | null; secondFactorAt: string | null };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

describe('single sign-on (OIDC), accounts created by an admin', () => {
  let t: TestApp;
  let idp: TestIdentityProvider;
  // The migration's policy: AUDITOR, EXECUTIVE and ADMIN must have a second factor.
  const app = useSsoApp({}, { secondFactorPolicy: 'default' });
  beforeAll(() => ({ t, idp } = app));

  /** The browser's trip: the tracker's start route, the provider's sign-in, back to the callback's query. */
  const authorize = (login: IdpLogin): Promise<Answer> => ssoBrowser(t, idp).authorize(login);
  const deliver = (answer: Answer): Promise<Redirect> => ssoBrowser(t, idp).deliver(answer);

  async function complete(code: string) {
    return t.gql<{ completeSsoSignIn: LoginPayload }>(`mutation($code: String!) { completeSsoSignIn(code: $code) { ${LOGIN_PAYLOAD} } }`, {
      code,
    });
  }

  async function sessionsOf(userId: string): Promise<number> {
    const [row] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM auth_sessions WHERE user_id = $1`, [userId]);
    return row!.n;
  }

  /** The auth.sso-refused entries about a person at the provider: on their account when known. */
  async function refusalsFor(subject: string): Promise<unknown[]> {
    return t.sql(
      `SELECT entity_type, entity_id, after->>'reason' AS reason, after->>'issuer' AS issuer FROM audit_trail
       WHERE action = 'auth.sso-refused' AND after->>'subject' = $1 ORDER BY seq`,
      [subject],
    );
  }

  /** The sign-in entries of the trail (the server's own jobs may add theirs meanwhile). */
  async function trailLength(): Promise<number> {
    const [row] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM audit_trail WHERE action LIKE 'auth.%'`);
    return row!.n;
  }

  /** An account made by an admin, and the same person at the provider. */
  async function employee(roles: ('AUDITOR' | 'EXECUTIVE' | 'TASK_FORCE' | 'ADMIN')[], groups: string[]) {
    const account = await t.createUser(roles);
    const idpPerson = person({ email: account.user.email, groups });
    idp.addAccount(idpPerson);
    return { ...account, idpPerson };
  }

  it('signInOptions tells the page that single sign-on is offered and where it starts', async () => {
    const res = await t.gql<{ signInOptions: { sso: boolean; ssoStartUrl: string | null } }>(`{ signInOptions { sso ssoStartUrl } }`);
    expect(res.data!.signInOptions).toEqual({ sso: true, ssoStartUrl: '/auth/sso/start' });
  });

  it('a person the provider signs in gets a one-time code in the fragment (no token in the URL), trades it once for a session, and reads `me`', async () => {
    const { user, idpPerson } = await employee(['TASK_FORCE'], ['tracker-task-force', 'everyone']);
    const back = await deliver(await authorize({ sub: idpPerson.sub, amr: ['pwd'] }));
    expect(back.status).toBe(302);
    expect(back.location).toMatch(/^\/#sso=[A-Za-z0-9_-]{43}$/);
    const code = back.fragment.get('sso')!;

    const done = await complete(code);
    expect(done.errors).toBeUndefined();
    const payload = done.data!.completeSsoSignIn;
    expect(payload.user).toMatchObject({ id: user.id, email: user.email, roles: ['TASK_FORCE'] });
    expect(payload.session).toMatchObject({ state: 'ACTIVE', signInMethod: 'SSO', secondFactorMethod: null });
    const me = await t.gql<{ me: { id: string; roles: string[] } }>(`{ me { id roles } }`, {}, payload.accessToken);
    expect(me.data!.me).toEqual({ id: user.id, roles: ['TASK_FORCE'] });

    // Linked at the first sign-in by the verified e-mail, with a trail entry; the sign-in itself by SessionsService.
    expect(await t.sql(`SELECT issuer, subject, user_id FROM sso_identities WHERE user_id = $1`, [user.id])).toEqual([
      { issuer: idp.issuer, subject: idpPerson.sub, user_id: user.id },
    ]);
    const trail = await t.sql<{ action: string; after: Record<string, unknown> }>(
      `SELECT action, after FROM audit_trail WHERE action IN ('auth.sso-linked', 'auth.signed-in') AND (entity_id = $1 OR after->>'userId' = $1) ORDER BY seq`,
      [user.id],
    );
    expect(trail.map((e) => e.action)).toEqual(['auth.sso-linked', 'auth.signed-in']);
    expect(trail[0]!.after).toEqual({ issuer: idp.issuer, subject: idpPerson.sub, matchedBy: 'EMAIL' });
    expect(trail[1]!.after).toMatchObject({ method: 'SSO', state: 'ACTIVE', secondFactor: null });
    expect(JSON.stringify(trail)).not.toContain(code);

    // The code works once.
    const again = await complete(code);
    expect(errorCode(again)).toBe('UNAUTHENTICATED');
    expect(again.errors![0]!.extensions).toMatchObject({ reason: 'HANDOFF_INVALID' });
    expect(await sessionsOf(user.id)).toBe(1);
  });

  it('the next sign-in finds the person by subject, even after the provider changed their e-mail', async () => {
    const { user, idpPerson } = await employee(['TASK_FORCE'], ['tracker-task-force']);
    expect((await deliver(await authorize({ sub: idpPerson.sub }))).fragment.get('sso')).toBeTruthy();
    idp.addAccount({ ...idpPerson, email: 'renamed@example.test' });
    const back = await deliver(await authorize({ sub: idpPerson.sub }));
    const done = await complete(back.fragment.get('sso')!);
    expect(done.data!.completeSsoSignIn.user.id).toBe(user.id);
  });

  it('a callback with a state this server did not issue is refused, and the genuine answer still works', async () => {
    const { user, idpPerson } = await employee(['TASK_FORCE'], ['tracker-task-force']);
    const answer = await authorize({ sub: idpPerson.sub });
    const forged = new URLSearchParams(answer.query);
    forged.set('state', randomBytes(32).toString('base64url'));
    const trailBefore = await trailLength();
    const refused = await deliver({ ...answer, query: forged });
    expect(refused.status).toBe(302);
    expect(refused.location).toBe('/#sso-error=SSO_REFUSED&reason=STATE_INVALID');
    expect(await t.sql(`SELECT 1 FROM sso_handoffs WHERE user_id = $1`, [user.id])).toEqual([]);
    // Anyone can send a made-up state: that writes nothing, not even to the trail (a flood would).
    expect(await trailLength()).toBe(trailBefore);

    const genuine = await deliver(answer);
    expect(genuine.fragment.get('sso')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("the provider's answer delivered to another browser (login CSRF) is refused: no hand-off, no link", async () => {
    const { user, idpPerson } = await employee(['TASK_FORCE'], ['tracker-task-force']);
    const attackers = await authorize({ sub: idpPerson.sub });
    const victimsCookie = (await get(`${t.baseUrl}/auth/sso/start`)).cookie;
    for (const cookie of [null, victimsCookie]) {
      const fresh = await authorize({ sub: idpPerson.sub });
      const refused = await deliver({ query: fresh.query, cookie });
      expect(refused.location).toBe('/#sso-error=SSO_REFUSED&reason=BROWSER_MISMATCH');
    }
    expect((await deliver({ ...attackers, cookie: victimsCookie })).location).toBe('/#sso-error=SSO_REFUSED&reason=BROWSER_MISMATCH');
    expect(await t.sql(`SELECT 1 FROM sso_handoffs WHERE user_id = $1`, [user.id])).toEqual([]);
    expect(await t.sql(`SELECT 1 FROM sso_identities WHERE user_id = $1`, [user.id])).toEqual([]);
  });

  it('a replayed callback (same code and state) is refused the second time: one hand-off, one session at most', async () => {
    const { user, idpPerson } = await employee(['TASK_FORCE'], ['tracker-task-force']);
    const answer = await authorize({ sub: idpPerson.sub });
    const first = await deliver(answer);
    expect(first.fragment.get('sso')).toBeTruthy();
    const replay = await deliver(answer);
    expect(replay.location).toBe('/#sso-error=SSO_REFUSED&reason=STATE_INVALID');
    expect(await t.sql(`SELECT count(*)::int AS n FROM sso_handoffs WHERE user_id = $1`, [user.id])).toEqual([{ n: 1 }]);
    expect(await sessionsOf(user.id)).toBe(0);
  });

  it('an ID token whose nonce is not the one this sign-in sent is refused', async () => {
    const { user, idpPerson } = await employee(['TASK_FORCE'], ['tracker-task-force']);
    const answer = await authorize({ sub: idpPerson.sub });
    // The nonce kept for this sign-in is no longer the one the provider put in the ID token.
    const tampered = await t.sql(`UPDATE sso_sign_in_states SET nonce = $2 WHERE state_hash = $1 RETURNING 1`, [
      sha256(answer.query.get('state')!),
      randomBytes(16).toString('base64url'),
    ]);
    expect(tampered).toHaveLength(1);
    const refused = await deliver(answer);
    expect(refused.location).toBe('/#sso-error=SSO_REFUSED&reason=NONCE_MISMATCH');
    expect(await t.sql(`SELECT 1 FROM sso_handoffs WHERE user_id = $1`, [user.id])).toEqual([]);
    expect(await t.sql(`SELECT 1 FROM sso_identities WHERE user_id = $1`, [user.id])).toEqual([]);
    expect(await sessionsOf(user.id)).toBe(0);
  });

  it('an ID token that has already expired is refused', async () => {
    const { user, idpPerson } = await employee(['TASK_FORCE'], ['tracker-task-force']);
    idp.issueExpiredIdTokens(3600);
    try {
      const refused = await deliver(await authorize({ sub: idpPerson.sub }));
      expect(refused.location).toBe('/#sso-error=SSO_REFUSED&reason=ID_TOKEN_EXPIRED');
    } finally {
      idp.issueExpiredIdTokens(null);
    }
    expect(await t.sql(`SELECT 1 FROM sso_handoffs WHERE user_id = $1`, [user.id])).toEqual([]);
    expect(await sessionsOf(user.id)).toBe(0);
  });

  it('a person whose groups map to none of the roles their account holds is refused (UNMAPPED_GROUP), and not linked', async () => {
    const unknownGroup = await employee(['AUDITOR'], ['everyone', 'Tracker-Auditors']);
    const refused = await deliver(await authorize({ sub: unknownGroup.idpPerson.sub, amr: ['mfa'] }));
    expect(refused.location).toBe('/#sso-error=SSO_REFUSED&reason=UNMAPPED_GROUP');
    expect(await refusalsFor(unknownGroup.idpPerson.sub)).toEqual([
      { entity_type: 'User', entity_id: unknownGroup.user.id, reason: 'UNMAPPED_GROUP', issuer: idp.issuer },
    ]);

    // A group that maps to another role does not do either: the account keeps the roles an admin gave it.
    const otherRole = await employee(['AUDITOR'], ['tracker-executives']);
    expect((await deliver(await authorize({ sub: otherRole.idpPerson.sub }))).location).toBe(
      '/#sso-error=SSO_REFUSED&reason=UNMAPPED_GROUP',
    );
    for (const { user } of [unknownGroup, otherRole]) {
      expect(await t.sql(`SELECT 1 FROM sso_identities WHERE user_id = $1`, [user.id])).toEqual([]);
      expect(await t.sql(`SELECT roles FROM users WHERE id = $1`, [user.id])).toEqual([{ roles: ['AUDITOR'] }]);
      expect(await sessionsOf(user.id)).toBe(0);
    }
  });

  it('a user an admin deactivated is refused, also with a hand-off code obtained before the deactivation', async () => {
    const { user, idpPerson } = await employee(['TASK_FORCE'], ['tracker-task-force']);
    const early = await deliver(await authorize({ sub: idpPerson.sub }));
    const admin = await t.createUser(['ADMIN']);
    await t.app.get(UsersService).deactivate(Actor.user(admin.user), user.id, user.version);

    const refused = await deliver(await authorize({ sub: idpPerson.sub }));
    expect(refused.location).toBe('/#sso-error=SSO_REFUSED&reason=USER_DEACTIVATED');
    const late = await complete(early.fragment.get('sso')!);
    expect(late.errors![0]!.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'USER_DEACTIVATED' });
    expect(await sessionsOf(user.id)).toBe(0);
  });

  it('a person with no account here is refused while OIDC_CREATE_USERS is off; no account is made', async () => {
    const stranger = person({ groups: ['tracker-executives'] });
    idp.addAccount(stranger);
    const refused = await deliver(await authorize({ sub: stranger.sub }));
    expect(refused.location).toBe('/#sso-error=SSO_REFUSED&reason=UNKNOWN_USER');
    expect(await refusalsFor(stranger.sub)).toEqual([
      { entity_type: 'SignInAttempt', entity_id: 'unknown', reason: 'UNKNOWN_USER', issuer: idp.issuer },
    ]);
    expect(await t.sql(`SELECT 1 FROM users WHERE email = $1`, [stranger.email])).toEqual([]);
    expect(await t.sql(`SELECT 1 FROM sso_identities WHERE subject = $1`, [stranger.sub])).toEqual([]);
  });

  it("the provider's multi-factor sign-in (amr mfa) starts the session ACTIVE with an SSO proof; without it the tracker's own policy applies", async () => {
    const { user, idpPerson } = await employee(['AUDITOR'], ['tracker-auditors']);
    const withMfa = await complete((await deliver(await authorize({ sub: idpPerson.sub, amr: ['pwd', 'mfa'] }))).fragment.get('sso')!);
    expect(withMfa.errors).toBeUndefined();
    expect(withMfa.data!.completeSsoSignIn.session).toMatchObject({ state: 'ACTIVE', signInMethod: 'SSO', secondFactorMethod: 'SSO' });
    const sid = TestApp.sessionOf(withMfa.data!.completeSsoSignIn.accessToken);
    expect(await t.sql(`SELECT second_factor_method, second_factor_amr FROM auth_sessions WHERE id = $1`, [sid])).toEqual([
      { second_factor_method: 'SSO', second_factor_amr: ['pwd', 'mfa'] },
    ]);

    // A password alone at the provider: an auditor must still enrol a second factor here (the role policy).
    const pwdOnly = await complete((await deliver(await authorize({ sub: idpPerson.sub, amr: ['pwd'] }))).fragment.get('sso')!);
    expect(pwdOnly.data!.completeSsoSignIn.session).toMatchObject({
      state: 'ENROLMENT_PENDING',
      signInMethod: 'SSO',
      secondFactorMethod: null,
    });
    expect(await sessionsOf(user.id)).toBe(2);
  });

  it('the local password sign-in still works while single sign-on is configured (break-glass admin)', async () => {
    const admin = await t.createUser(['ADMIN'], { displayName: '緊急用 管理者' });
    const res = await t.gql<{ login: LoginPayload }>(`mutation($input: LoginInput!) { login(input: $input) { ${LOGIN_PAYLOAD} } }`, {
      input: { email: admin.user.email, password: admin.password },
    });
    expect(res.errors).toBeUndefined();
    expect(res.data!.login.user).toMatchObject({ id: admin.user.id, roles: ['ADMIN'], displayName: '緊急用 管理者' });
    expect(res.data!.login.session.signInMethod).toBe('PASSWORD');
  });

  it('a hand-off code that was never issued is refused with a stable code', async () => {
    const res = await complete(randomBytes(32).toString('base64url'));
    expect(res.errors![0]!.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'HANDOFF_INVALID' });
    expect(res.data?.completeSsoSignIn ?? null).toBeNull();
  });
});

describe('single sign-on (OIDC), accounts created at the first sign-in (OIDC_CREATE_USERS=true)', () => {
  let t: TestApp;
  let idp: TestIdentityProvider;
  const app = useSsoApp({ OIDC_CREATE_USERS: 'true' });
  beforeAll(() => ({ t, idp } = app));

  async function signIn(login: IdpLogin): Promise<Redirect> {
    const start = await get(`${t.baseUrl}/auth/sso/start`);
    return get(`${t.baseUrl}/auth/sso/callback?${(await idp.authorize(start.location, login)).toString()}`, start.cookie);
  }

  it('a new person gets an account with the roles their groups map to, made by system:sso, and signs in', async () => {
    const newcomer = person({ name: '山田 太郎', groups: ['tracker-executives', 'tracker-task-force', 'everyone'] });
    idp.addAccount(newcomer);
    const back = await signIn({ sub: newcomer.sub });
    const done = await t.gql<{ completeSsoSignIn: LoginPayload }>(
      `mutation($code: String!) { completeSsoSignIn(code: $code) { ${LOGIN_PAYLOAD} } }`,
      { code: back.fragment.get('sso') },
    );
    expect(done.errors).toBeUndefined();
    expect(done.data!.completeSsoSignIn.user).toMatchObject({
      email: newcomer.email,
      displayName: '山田 太郎',
      roles: ['TASK_FORCE', 'EXECUTIVE'],
    });
    const created = await t.sql<{ actor_label: string }>(
      `SELECT actor_label FROM audit_trail WHERE action = 'user.created' AND entity_id = $1`,
      [done.data!.completeSsoSignIn.user.id],
    );
    expect(created).toEqual([{ actor_label: 'system:sso' }]);
  });

  it('a new person whose groups map to no role is refused and no account is made', async () => {
    const outsider = person({ groups: ['everyone'] });
    idp.addAccount(outsider);
    expect((await signIn({ sub: outsider.sub })).location).toBe('/#sso-error=SSO_REFUSED&reason=UNMAPPED_GROUP');
    expect(await t.sql(`SELECT 1 FROM users WHERE email = $1`, [outsider.email])).toEqual([]);
  });

  it('a new person whose e-mail the provider has not verified is refused', async () => {
    const unverified = person({ email_verified: false, groups: ['tracker-executives'] });
    idp.addAccount(unverified);
    expect((await signIn({ sub: unverified.sub })).location).toBe('/#sso-error=SSO_REFUSED&reason=EMAIL_NOT_VERIFIED');
    expect(await t.sql(`SELECT 1 FROM users WHERE email = $1`, [unverified.email])).toEqual([]);
  });
});

describe('single sign-on not configured', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start({ OIDC_ISSUER: '', OIDC_CLIENT_ID: '', OIDC_CLIENT_SECRET: '', OIDC_REDIRECT_URL: '' });
  });
  afterAll(async () => t?.close());

  it('offers only the password, and the SSO routes and mutation say it is not configured', async () => {
    const options = await t.gql<{ signInOptions: unknown }>(`{ signInOptions { sso ssoStartUrl } }`);
    expect(options.data!.signInOptions).toEqual({ sso: false, ssoStartUrl: null });
    expect((await get(`${t.baseUrl}/auth/sso/start`)).location).toBe('/#sso-error=SSO_NOT_CONFIGURED');
    expect((await get(`${t.baseUrl}/auth/sso/callback?code=x&state=y`)).location).toBe('/#sso-error=SSO_NOT_CONFIGURED');
    const complete = await t.gql(`mutation { completeSsoSignIn(code: "x") { accessToken } }`);
    expect(errorCode(complete)).toBe('NOT_FOUND');
    expect(await t.sql(`SELECT count(*)::int AS n FROM sso_sign_in_states`)).toEqual([{ n: 0 }]);
  });
});

describe('single sign-on with the provider unreachable', () => {
  let t: TestApp;
  beforeAll(async () => {
    // A loopback port nobody listens on any more.
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    t = await TestApp.start({
      OIDC_ISSUER: `http://127.0.0.1:${port}`,
      OIDC_CLIENT_ID: 'remediation-tracker',
      OIDC_CLIENT_SECRET: 'secret',
      OIDC_REDIRECT_URL: REDIRECT_URI,
    });
  });
  afterAll(async () => t?.close());

  it('the start route sends the browser back to the page with PROVIDER_UNAVAILABLE and keeps no state', async () => {
    expect((await get(`${t.baseUrl}/auth/sso/start`)).location).toBe('/#sso-error=SSO_REFUSED&reason=PROVIDER_UNAVAILABLE');
    expect(await t.sql(`SELECT count(*)::int AS n FROM sso_sign_in_states`)).toEqual([{ n: 0 }]);
  });
});
