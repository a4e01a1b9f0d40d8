import type { Page } from 'playwright-core';
import { URI, type TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { securityMessages } from '../../apps/web/src/security-words';
import { PageHarness, WAIT } from './page-harness';

/**
 * Signing in beyond the password, in a real Chromium (issue 16), with the default policy (an auditor must have a
 * second factor) and every step-up (DEMO_MFA). The access token lives one minute, so the page renews it before
 * nearly every request: every step below also proves that concurrent requests share one renewal (the refresh token
 * works once; a second use would end the session and send the page back to the sign-in form).
 */
const JA = securityMessages('ja');
const AUDITOR = 'auditor@example.com';

describe('sign-in with a second factor, step-up and the security panel in the page', () => {
  let h: PageHarness;
  let page: Page;
  let errors: string[];
  let userId: string;
  let totp: TOTP;
  let recoveryCodes: string[] = [];

  /** The auditor's open sessions, newest first. */
  const sessions = () =>
    h.t.sql<{ id: string; state: string; revoked_at: Date | null; second_factor_method: string | null }>(
      `SELECT id, state, revoked_at, second_factor_method FROM auth_sessions WHERE user_id = $1 ORDER BY created_at DESC`,
      [userId],
    );
  const storedSession = async () =>
    JSON.parse((await page.evaluate<string | null>("sessionStorage.getItem('rt.session')")) ?? 'null') as {
      id: string;
      state: string;
      refreshToken: string;
    } | null;

  beforeAll(async () => {
    h = await PageHarness.start({
      secondFactorPolicy: 'default',
      env: { DEMO_MFA: 'true', JWT_TTL_SECONDS: '60', STEP_UP_MAX_AGE_SECONDS: '300' },
    });
    [{ id: userId }] = await h.t.sql<{ id: string }>(`SELECT id FROM users WHERE email = $1`, [AUDITOR]);
    ({ page, errors } = await h.openPage('ja-JP'));
  });
  afterAll(async () => {
    await h?.close();
  });

  it('asks an auditor without a second factor to enrol an authenticator app, shows the recovery codes once, then the dashboard', async () => {
    await h.signIn(page, AUDITOR);
    await page.locator('[data-testid="second-factor-step"][data-state="ENROLMENT_PENDING"]').waitFor(WAIT);
    expect(await page.getByRole('heading', { name: JA['mfa.enrol.title'] }).count()).toBe(1);
    expect((await sessions())[0]).toMatchObject({ state: 'ENROLMENT_PENDING', revoked_at: null });

    await page.locator('input[name="factor-label"]').fill('業務用スマートフォン');
    await page.getByTestId('enrol-totp').click();
    const uri = (await page.getByTestId('totp-uri').textContent({ timeout: WAIT.timeout }))!;
    const secret = (await page.getByTestId('totp-secret').textContent())!;
    expect(await page.getByTestId('totp-qr').locator('path').getAttribute('d')).toMatch(/^M\d+ \d+h1v1h-1z/);
    totp = URI.parse(uri) as TOTP;
    expect(totp.secret.base32).toBe(secret);

    // A wrong code first: refused in words, nothing enrolled.
    await page.locator('input[name="totp-code"]').fill(totp.generate({ timestamp: Date.now() - 10 * 60_000 }));
    await page.locator('[data-testid="totp-enrolment"] button[type="submit"]').click();
    await expect.poll(() => page.getByTestId('enrolment-error').textContent(), WAIT).toBe(JA['mfa.invalid']);
    expect(await h.t.sql(`SELECT 1 FROM user_second_factors WHERE user_id = $1 AND confirmed_at IS NOT NULL`, [userId])).toHaveLength(0);

    await page.locator('input[name="totp-code"]').fill(totp.generate());
    await page.locator('[data-testid="totp-enrolment"] button[type="submit"]').click();
    const codes = page.getByTestId('recovery-codes').locator('li');
    await codes.first().waitFor(WAIT);
    recoveryCodes = (await codes.allTextContents()).map((c) => c.trim());
    expect(recoveryCodes).toHaveLength(10);
    for (const c of recoveryCodes) expect(c).toMatch(/^[0-9a-z]{4}(-[0-9a-z]{4}){3}$/);
    expect((await sessions())[0]).toMatchObject({ state: 'ACTIVE', second_factor_method: 'TOTP' });

    await page.getByTestId('recovery-codes-saved').click();
    await page.getByTestId('dashboard').waitFor(WAIT);
    await page.getByTestId('review-queue').waitFor(WAIT);
    expect(await page.getByTestId('recovery-codes').count()).toBe(0); // shown once
    const factors = await h.t.sql<{ kind: string; label: string }>(
      `SELECT kind, label FROM user_second_factors WHERE user_id = $1 AND confirmed_at IS NOT NULL AND removed_at IS NULL`,
      [userId],
    );
    expect(factors).toEqual([{ kind: 'TOTP', label: '業務用スマートフォン' }]);
    // The secret and the codes never reach the trail.
    const trail = await h.t.sql<{ text: string; action: string }>(
      `SELECT row_to_json(a)::text AS text, action FROM audit_trail a WHERE actor_id = $1 AND occurred_at > now() - interval '10 minutes'`,
      [userId],
    );
    expect(trail.length).toBeGreaterThan(0);
    for (const row of trail) {
      expect(row.text).not.toContain(secret);
      for (const c of recoveryCodes) expect(row.text).not.toContain(c);
    }
  });

  it('signs out (ending the session on the server), then asks for the second factor at the next sign-in', async () => {
    const before = (await storedSession())!;
    await page.getByRole('button', { name: 'サインアウト' }).click();
    await page.locator('#sign-in-title').waitFor(WAIT);
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    const ended = (await sessions()).find((s) => s.id === before.id)!;
    expect(ended.revoked_at).not.toBeNull();
    const reuse = await h.t.gql(`mutation($r: String!) { refreshSession(refreshToken: $r) { accessToken } }`, { r: before.refreshToken });
    expect(reuse.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    await h.signIn(page, AUDITOR);
    await page.locator('[data-testid="second-factor-step"][data-state="SECOND_FACTOR_PENDING"]').waitFor(WAIT);
    // A code that is none of the recovery codes: refused, still waiting for the factor.
    await page.locator('input[name="second-factor-code"]').fill('zzzz-zzzz-zzzz-zzzz');
    await page.locator('[data-testid="verify-form"] button[type="submit"]').click();
    await expect.poll(() => page.getByTestId('verify-error').textContent(), WAIT).toBe(JA['mfa.invalid']);
    expect((await sessions())[0]).toMatchObject({ state: 'SECOND_FACTOR_PENDING', revoked_at: null });

    await page.locator('input[name="second-factor-code"]').fill(recoveryCodes[0]!.toUpperCase());
    await page.locator('[data-testid="verify-form"] button[type="submit"]').click();
    await page.getByTestId('review-queue').waitFor(WAIT);
    expect((await sessions())[0]).toMatchObject({ state: 'ACTIVE', second_factor_method: 'RECOVERY_CODE' });
    expect((await storedSession())!.state).toBe('ACTIVE');
  });

  it('asks for a fresh proof when it is older than five minutes, then does what was asked (new recovery codes)', async () => {
    await h.t.sql(`UPDATE auth_sessions SET second_factor_at = now() - interval '10 minutes' WHERE user_id = $1 AND revoked_at IS NULL`, [
      userId,
    ]);
    await page.getByTestId('open-security').click();
    await page.getByTestId('my-second-factors').waitFor(WAIT);
    expect(await page.getByTestId('recovery-left').textContent()).toBe(JA['security.recoveryLeft'].replace('{n}', '9'));

    await page.getByTestId('regenerate-codes').click();
    const dialog = page.getByTestId('step-up-dialog');
    await dialog.waitFor(WAIT);
    expect(await dialog.getByRole('heading').textContent()).toBe(JA['stepUp.title']);
    // The next step's code: the enrolment used this step's (a code is accepted once, and one step either side).
    await dialog.locator('input[name="second-factor-code"]').fill(totp.generate({ timestamp: Date.now() + 30_000 }));
    await dialog.locator('button[type="submit"]').click();
    await dialog.waitFor({ state: 'detached', ...WAIT });

    const codes = page.getByTestId('security-panel').getByTestId('recovery-codes').locator('li');
    await codes.first().waitFor(WAIT);
    const fresh = (await codes.allTextContents()).map((c) => c.trim());
    expect(fresh).toHaveLength(10);
    expect(fresh.filter((c) => recoveryCodes.includes(c))).toEqual([]);
    await expect.poll(() => page.getByTestId('recovery-left').textContent(), WAIT).toBe(JA['security.recoveryLeft'].replace('{n}', '10'));
    expect((await sessions())[0]).toMatchObject({ second_factor_method: 'TOTP' });
  });

  it('leaves the refusal standing when the step-up is cancelled', async () => {
    await h.t.sql(`UPDATE auth_sessions SET second_factor_at = now() - interval '10 minutes' WHERE user_id = $1 AND revoked_at IS NULL`, [
      userId,
    ]);
    await page.getByTestId('recovery-codes-saved').click();
    await page.getByTestId('remove-factor').click();
    await page.getByTestId('step-up-dialog').waitFor(WAIT);
    await page.getByTestId('step-up-cancel').click();
    await expect.poll(() => page.getByTestId('security-message').textContent(), WAIT).toContain('STEP_UP_REQUIRED');
    expect(await h.t.sql(`SELECT 1 FROM user_second_factors WHERE user_id = $1 AND removed_at IS NULL`, [userId])).toHaveLength(1);
  });

  it('lists my sessions (this one marked) and ends another one', async () => {
    // Another sign-in elsewhere (a second laptop): password only, so it waits for its second factor.
    const other = await h.t.gql<{ login: { refreshToken: string; session: { id: string } } }>(
      `mutation($input: LoginInput!) { login(input: $input) { refreshToken session { id } } }`,
      { input: { email: AUDITOR, password: 'demo-password-for-web-tests' } },
    );
    const otherId = other.data!.login.session.id;
    const current = (await storedSession())!;
    // (Re)opened: the panel reads the sessions when it opens.
    if ((await page.getByTestId('security-panel').count()) > 0) {
      await page.getByTestId('security-panel').getByRole('button', { name: JA['security.close'] }).click();
      await page.getByTestId('security-panel').waitFor({ state: 'detached', ...WAIT });
    }
    await page.getByTestId('open-security').click();
    const rows = page.getByTestId('my-sessions').locator('tbody tr');
    await page.locator(`tr[data-session-id="${otherId}"]`).waitFor(WAIT);
    expect(await rows.count()).toBe(2);
    const mine = page.locator(`tr[data-session-id="${current.id}"]`);
    expect(await mine.getAttribute('data-current')).toBe('true');
    expect(await mine.textContent()).toContain(JA['security.current']);
    expect(await mine.getByTestId('end-session').count()).toBe(0); // this one ends by signing out

    await page.locator(`tr[data-session-id="${otherId}"]`).getByTestId('end-session').click();
    await expect.poll(() => page.getByTestId('security-message').textContent(), WAIT).toBe(JA['security.ended']);
    await page.locator(`tr[data-session-id="${otherId}"]`).waitFor({ state: 'detached', ...WAIT });
    expect((await sessions()).find((s) => s.id === otherId)!.revoked_at).not.toBeNull();
    const refused = await h.t.gql(`mutation($r: String!) { refreshSession(refreshToken: $r) { accessToken } }`, {
      r: other.data!.login.refreshToken,
    });
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    // All along, the page renewed its one-minute token without ever signing out: still this session, rotated.
    const now = (await storedSession())!;
    expect(now.id).toBe(current.id);
    expect(now.refreshToken).not.toBe(current.refreshToken);
    expect((await sessions()).find((s) => s.id === current.id)!.revoked_at).toBeNull();
    expect(errors).toEqual([]);
  });
});
