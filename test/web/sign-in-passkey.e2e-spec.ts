import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { securityMessages } from '../../apps/web/src/security-words';
import { TestApp } from '../support/test-app';
import { CHROMIUM, PASSWORD, WAIT, root } from './page-harness';
import { tcpRelay } from '../support/tcp-relay';

/**
 * Passkeys from the page (issue 16), in Chromium with its virtual authenticator: an auditor who must have a second
 * factor registers a passkey at the enrolment step, and later finishes a password sign-in with it. The page is at
 * http://localhost:<relay> (WebAuthn's relying party is `localhost`; tcp-relay.ts says why).
 */
const JA = securityMessages('ja');
const AUDITOR = 'auditor@example.com';

describe('passkeys in the page', () => {
  let t: TestApp;
  let front: Awaited<ReturnType<typeof tcpRelay>>;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  let userId: string;

  beforeAll(async () => {
    execFileSync(process.execPath, [path.join(root, 'scripts/ensure-build.cjs'), 'web'], { cwd: root, stdio: 'inherit' });
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)`);
    front = await tcpRelay();
    t = await TestApp.start(
      {
        DEMO: 'true',
        DEMO_PASSWORD: PASSWORD,
        DEMO_MFA: 'true',
        WEBAUTHN_RP_ID: 'localhost',
        WEBAUTHN_ORIGINS: `http://localhost:${front.port}`,
      },
      { secondFactorPolicy: 'default' },
    );
    front.to(Number(new URL(t.baseUrl).port));
    [{ id: userId }] = await t.sql<{ id: string }>(`SELECT id FROM users WHERE email = $1`, [AUDITOR]);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    const context = await browser.newContext({ locale: 'ja-JP', viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    page.on('pageerror', (e) => void errors.push(e.message));
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    });
    await page.goto(`http://localhost:${front.port}/`);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await front?.close();
  });

  const signIn = async () => {
    await page.locator('input[name="email"]').fill(AUDITOR);
    await page.locator('input[name="password"]').fill(PASSWORD);
    await page.locator('button[type="submit"]').click();
  };
  const latestSession = async () =>
    (
      await t.sql<{ state: string; second_factor_method: string | null }>(
        `SELECT state, second_factor_method FROM auth_sessions WHERE user_id = $1 ORDER BY created_at DESC LIMIT 1`,
        [userId],
      )
    )[0];

  it('registers a passkey at the enrolment step, shows the recovery codes once, then the dashboard', async () => {
    await signIn();
    await page.locator('[data-testid="second-factor-step"][data-state="ENROLMENT_PENDING"]').waitFor(WAIT);
    await page.locator('input[name="factor-label"]').fill('ノート PC の指紋センサー');
    await page.getByTestId('enrol-passkey').click();
    await page.getByTestId('recovery-codes').locator('li').first().waitFor(WAIT);
    expect(await page.getByTestId('recovery-codes').locator('li').count()).toBe(10);
    expect(await latestSession()).toEqual({ state: 'ACTIVE', second_factor_method: 'PASSKEY' });
    await page.getByTestId('recovery-codes-saved').click();
    await page.getByTestId('dashboard').waitFor(WAIT);
    const factors = await t.sql(`SELECT kind, label FROM user_second_factors WHERE user_id = $1 AND confirmed_at IS NOT NULL`, [userId]);
    expect(factors).toEqual([{ kind: 'PASSKEY', label: 'ノート PC の指紋センサー' }]);
  });

  it('finishes the next password sign-in with the passkey', async () => {
    await page.getByRole('button', { name: 'サインアウト' }).click();
    await page.locator('#sign-in-title').waitFor(WAIT);
    await signIn();
    await page.locator('[data-testid="second-factor-step"][data-state="SECOND_FACTOR_PENDING"]').waitFor(WAIT);
    expect(await page.getByTestId('verify-passkey').textContent()).toBe(JA['mfa.passkey']);
    await page.getByTestId('verify-passkey').click();
    await page.getByTestId('dashboard').waitFor(WAIT);
    expect(await latestSession()).toEqual({ state: 'ACTIVE', second_factor_method: 'PASSKEY' });
    expect(errors).toEqual([]);
  });
});
