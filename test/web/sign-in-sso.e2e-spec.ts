import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { securityMessages } from '../../apps/web/src/security-words';
import { TestIdentityProvider, type IdpAccount } from '../support/oidc-provider';
import { tcpRelay } from '../support/tcp-relay';
import { TestApp } from '../support/test-app';
import { CHROMIUM, PASSWORD, WAIT, root } from './page-harness';

/**
 * Single sign-on from the page, in a real Chromium that follows every redirect itself: the page's SSO link → the
 * tracker's /auth/sso/start → the OpenID Connect provider (oidc-provider on loopback, test/support/oidc-provider.ts)
 * and its interaction → the tracker's callback → `/#sso=<code>`, which the page trades (completeSsoSignIn) for the
 * session. The tracker's address must be registered at the provider before the server starts, so the page is served
 * through a relay on a port taken first (test/support/tcp-relay.ts), and that is the redirect URI and PUBLIC_BASE_URL.
 */
const JA = securityMessages('ja');

describe('single sign-on from the page', () => {
  let front: Awaited<ReturnType<typeof tcpRelay>>;
  let idp: TestIdentityProvider;
  let t: TestApp;
  let browser: Browser;
  let base: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    execFileSync(process.execPath, [path.join(root, 'scripts/ensure-build.cjs'), 'web'], { cwd: root, stdio: 'inherit' });
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)`);
    front = await tcpRelay();
    base = `http://127.0.0.1:${front.port}`;
    idp = await TestIdentityProvider.start(`${base}/auth/sso/callback`);
    t = await TestApp.start(
      {
        // The demo case: the dashboard needs an incident to show.
        DEMO: 'true',
        DEMO_PASSWORD: PASSWORD,
        OIDC_ISSUER: idp.issuer,
        OIDC_CLIENT_ID: idp.clientId,
        OIDC_CLIENT_SECRET: idp.clientSecret,
        OIDC_REDIRECT_URL: `${base}/auth/sso/callback`,
        OIDC_SCOPES: 'openid email profile groups',
        OIDC_ROLE_MAPPING: 'tracker-auditors=AUDITOR,tracker-executives=EXECUTIVE',
        OIDC_CREATE_USERS: 'false',
        PUBLIC_BASE_URL: base,
      },
      // An auditor must have a second factor: the provider's own (amr otp) is what makes the session ACTIVE.
      { secondFactorPolicy: 'default' },
    );
    front.to(Number(new URL(t.baseUrl).port));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  });
  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await idp?.close();
    await front?.close();
  });

  /** A fresh browser profile (no cookies of the provider from an earlier case) at the page's sign-in form. */
  async function openPage(): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext({ locale: 'ja-JP', viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    page.on('pageerror', (e) => void errors.push(e.message));
    await page.goto(`${base}/`);
    await page.locator('#sign-in-title').waitFor(WAIT);
    return { page, errors };
  }

  /** An auditor's account made by an admin, and the same person at the provider (verified e-mail, these groups). */
  async function auditor(groups: string[]) {
    const n = randomBytes(4).toString('hex');
    const { user } = await t.createUser(['AUDITOR'], { displayName: `監査 担当 ${n}` });
    const person: IdpAccount = { sub: `idp-${n}`, email: user.email, email_verified: true, name: `監査 担当 ${n}`, groups };
    idp.addAccount(person);
    return { user, person };
  }

  const sessionsOf = (userId: string) =>
    t.sql<{ state: string; sign_in_method: string; second_factor_method: string | null; revoked_at: Date | null }>(
      `SELECT state, sign_in_method, second_factor_method, revoked_at FROM auth_sessions WHERE user_id = $1`,
      [userId],
    );

  it('signs in through the provider (amr pwd+otp): the dashboard shows, the hand-off code leaves the address, the session is ACTIVE by SSO', async () => {
    const { user, person } = await auditor(['tracker-auditors', 'everyone']);
    const { page, errors } = await openPage();
    const sso = page.getByTestId('sso-sign-in');
    await sso.waitFor(WAIT);
    expect(await sso.textContent()).toBe(JA['signIn.sso']);
    expect(await sso.getAttribute('href')).toBe('/auth/sso/start');

    idp.nextLogin({ sub: person.sub, amr: ['pwd', 'otp'] });
    // Every document the browser loaded on the way: the start route, the provider, the callback, the page again.
    const visited: string[] = [];
    page.on('request', (r) => void (r.isNavigationRequest() && r.frame() === page.mainFrame() && visited.push(r.url())));
    await sso.click();
    await page.getByTestId('dashboard').waitFor(WAIT);

    expect(visited[0]).toBe(`${base}/auth/sso/start`);
    expect(visited.some((u) => u.startsWith(`${idp.issuer}/`))).toBe(true);
    expect(visited.some((u) => u.startsWith(`${base}/auth/sso/callback?`))).toBe(true);
    expect(visited.at(-1)).toBe(`${base}/`); // the fragment is not sent; the address bar is checked below
    expect(page.url()).toBe(`${base}/`);
    expect(await page.evaluate('window.location.hash')).toBe('');

    expect(await page.getByTestId('signed-in-user').textContent()).toContain(user.displayName);
    const stored = JSON.parse((await page.evaluate<string | null>("sessionStorage.getItem('rt.session')")) ?? 'null') as {
      state: string;
    } | null;
    expect(stored?.state).toBe('ACTIVE');
    expect(await sessionsOf(user.id)).toEqual([{ state: 'ACTIVE', sign_in_method: 'SSO', second_factor_method: 'SSO', revoked_at: null }]);
    expect(errors).toEqual([]);
  });

  it('a person whose groups map to no role the account holds is refused: the sign-in form says so, and no session is made', async () => {
    const { user, person } = await auditor(['tracker-executives']);
    const { page, errors } = await openPage();
    const sso = page.getByTestId('sso-sign-in');
    await sso.waitFor(WAIT);

    idp.nextLogin({ sub: person.sub, amr: ['pwd', 'otp'] });
    let refusal: string | null = null;
    page.on('response', (r) => {
      if (r.url().startsWith(`${base}/auth/sso/callback?`)) refusal = r.headers()['location'] ?? null;
    });
    await sso.click();
    const message = page.getByTestId('sso-error');
    await message.waitFor(WAIT);

    // What the tracker answered the browser, and what the page made of it.
    expect(refusal).toBe(`${base}/#sso-error=SSO_REFUSED&reason=UNMAPPED_GROUP`);
    expect(await message.textContent()).toBe(JA['signIn.ssoRefused'].replace('{code}', 'UNMAPPED_GROUP'));
    expect(await page.locator('#sign-in-title').count()).toBe(1);
    expect(await page.getByTestId('dashboard').count()).toBe(0);
    expect(await page.evaluate('window.location.hash')).toBe('');
    expect(page.url()).toBe(`${base}/`);
    expect(await sessionsOf(user.id)).toEqual([]);
    const [{ n }] = await t.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_trail WHERE action = 'auth.sso-refused' AND entity_id = $1 AND after->>'reason' = 'UNMAPPED_GROUP'`,
      [user.id],
    );
    expect(n).toBe(1);
    expect(errors).toEqual([]);
  });
});
