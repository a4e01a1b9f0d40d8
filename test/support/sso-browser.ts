import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import { TestIdentityProvider, type IdpAccount, type IdpLogin } from './oidc-provider';
import { TestApp } from './test-app';

/**
 * The browser's side of single sign-on for the SSO specs: the tracker registered at the test provider with the
 * redirect URI below (its address behind the proxy, as OIDC_REDIRECT_URL says); the "browser" follows the provider's
 * redirects up to that URI and delivers the callback's query to the tracker.
 */
export const REDIRECT_URI = 'http://tracker.test/auth/sso/callback';
export const ROLE_MAPPING = 'tracker-auditors=AUDITOR,tracker-executives=EXECUTIVE,tracker-task-force=TASK_FORCE';

export function ssoEnv(idp: TestIdentityProvider, extra: Record<string, string> = {}): Record<string, string> {
  return {
    OIDC_ISSUER: idp.issuer,
    OIDC_CLIENT_ID: idp.clientId,
    OIDC_CLIENT_SECRET: idp.clientSecret,
    OIDC_REDIRECT_URL: REDIRECT_URI,
    OIDC_SCOPES: 'openid email profile groups',
    OIDC_ROLE_MAPPING: ROLE_MAPPING,
    OIDC_CREATE_USERS: 'false',
    ...extra,
  };
}

/** What the tracker's routes answer: a 302 whose fragment carries the hand-off code or the refusal. */
export interface Redirect {
  status: number;
  location: string;
  fragment: URLSearchParams;
  /** The cookie the route set (name=value), if any. */
  cookie: string | null;
}

export async function get(url: string, cookie?: string | null): Promise<Redirect> {
  const res = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  await res.body?.cancel();
  const location = res.headers.get('location') ?? '';
  const set = res.headers.getSetCookie()[0];
  return {
    status: res.status,
    location,
    fragment: new URLSearchParams(location.split('#')[1] ?? ''),
    cookie: set ? set.split(';')[0]! : null,
  };
}

/** The provider's answer as the browser that started the sign-in holds it: the callback's query and its cookie. */
export interface Answer {
  query: URLSearchParams;
  cookie: string | null;
}

/** A person at the provider (a new subject and e-mail unless given). */
export function person(overrides: Partial<IdpAccount> = {}): IdpAccount {
  const n = randomBytes(4).toString('hex');
  return { sub: `idp-${n}`, email: `person-${n}@example.test`, email_verified: true, name: `社員 ${n}`, groups: [], ...overrides };
}

/** A browser signing in to `t` at `idp`: its trip to the provider and back (`authorize`), then the callback. */
export function ssoBrowser(t: TestApp, idp: TestIdentityProvider) {
  /** The tracker's start route, the provider's sign-in, back to the callback's query. */
  async function authorize(login: IdpLogin): Promise<Answer> {
    const start = await get(`${t.baseUrl}/auth/sso/start`);
    expect(start.status).toBe(302);
    expect(start.location.startsWith(`${idp.issuer}/`)).toBe(true);
    expect(start.cookie).toMatch(/^sso_binding=[A-Za-z0-9_-]{43}$/);
    return { query: await idp.authorize(start.location, login), cookie: start.cookie };
  }
  function deliver(answer: Answer): Promise<Redirect> {
    return get(`${t.baseUrl}/auth/sso/callback?${answer.query.toString()}`, answer.cookie);
  }
  return { authorize, deliver };
}

/**
 * A provider and the tracker signed in through it, for the describe block that calls this: started before its
 * tests (the tracker with ssoEnv and `env`), stopped after them. Read `t` and `idp` in hooks and tests.
 */
export function useSsoApp(
  env: Record<string, string> = {},
  opts: Parameters<typeof TestApp.start>[1] = {},
): { readonly t: TestApp; readonly idp: TestIdentityProvider } {
  const started = {} as { t: TestApp; idp: TestIdentityProvider };
  beforeAll(async () => {
    started.idp = await TestIdentityProvider.start(REDIRECT_URI);
    started.t = await TestApp.start(ssoEnv(started.idp, env), opts);
  });
  afterAll(async () => {
    await started.t?.close();
    await started.idp?.close();
  });
  return started;
}
