import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApp } from '../support/test-app';

/**
 * The dashboard page as its users meet it: a real Chromium (Debian's
 * `chromium`, driven by playwright-core) on the page the server serves at `/`,
 * against the demo case, with changes made meanwhile by other people through
 * the API.
 */
const root = path.resolve(__dirname, '../..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PASSWORD = 'demo-password-for-web-tests';
const WAIT = { timeout: 10_000 };

describe('the dashboard page', () => {
  let t: TestApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    // The same build check as `npm start` and the server tests (here: the page's part, dist/web).
    execFileSync(process.execPath, [path.join(root, 'scripts/ensure-build.cjs'), 'web'], { cwd: root, stdio: 'inherit' });
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)`);
    t = await TestApp.start({ DEMO: 'true', DEMO_PASSWORD: PASSWORD });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  }, 180_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await t?.close();
  });

  /** A fresh browser profile (its own storage) with the given preferred language; collects console errors (a CSP violation is one). */
  async function openPage(locale: string): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    page.on('pageerror', (e) => void errors.push(e.message));
    await page.goto(`${t.baseUrl}/`);
    return { page, errors };
  }

  async function signIn(page: Page, email: string, password = PASSWORD): Promise<void> {
    await page.locator('input[name="email"]').fill(email);
    await page.locator('input[name="password"]').fill(password);
    await page.locator('button[type="submit"]').click();
  }

  /** Waits until the element's text is exactly `text`. */
  async function textIs(page: Page, testId: string, text: string): Promise<void> {
    await page.getByTestId(testId).filter({ hasText: new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) }).waitFor(WAIT);
  }

  it('shows the president the suspended gate with the case’s blockers, then an auditor’s changes as they happen, without a reload', async () => {
    const { page, errors } = await openPage('ja-JP');
    await signIn(page, 'president@example.com');

    const banner = page.getByTestId('gate-banner');
    await banner.waitFor(WAIT);
    expect(await page.getByTestId('gate-state').textContent()).toBe('停止中');
    expect(await banner.getAttribute('data-state')).toBe('SUSPENDED');
    const blockers = await page.getByTestId('gate-blockers').locator('li').allTextContents();
    // The demo: CM-002/003/004 not verified, no clearance, finding F-001 open; CM-001 (signed off) is not among them.
    expect(blockers).toEqual([
      expect.stringMatching(/^CM-002.*全顧客データベースのアクセス監視強化と外部への持ち出し制限.*まだ監査人の承認（検証済）を受けていません.*担当者: 鈴木 花子/),
      expect.stringMatching(/^CM-003.*まだ監査人の承認/),
      expect.stringMatching(/^CM-004.*まだ監査人の承認.*担当者: 佐藤 一郎/),
      '外部監査による安全性の確認（監査完了）がまだです。',
      expect.stringMatching(/^F-001.*監査指摘事項「お問い合わせ管理データベースに委託先の共用アカウントが残存」が未解決です。/),
    ]);
    expect(blockers.join('\n')).not.toContain('CM-001');
    // The figures and the charts are there (an executive's view: no review queue of their own, no "my items").
    expect(await page.getByTestId('tile-total-value').textContent()).toBe('10');
    expect(await page.getByTestId('tile-open-findings-value').textContent()).toBe('3');
    const waitingBefore = Number(await page.getByTestId('tile-review-waiting-value').textContent());
    expect(waitingBefore).toBeGreaterThan(0);
    expect(await page.getByTestId('chart-by-category').locator('canvas').count()).toBe(1);
    expect(await page.getByTestId('chart-burn-up').locator('canvas').count()).toBe(1);
    expect(await page.getByTestId('review-queue').count()).toBe(0);
    expect(await page.getByTestId('my-items').count()).toBe(0);
    await page.getByTestId('live-state').and(page.locator('[data-state="connected"]')).waitFor(WAIT);
    await page.evaluate('window.stillTheSamePage = true'); // gone if the page reloaded

    // Meanwhile, through the API: the second auditor raises a HIGH finding...
    const auditor2 = await t.login('auditor2@example.com', PASSWORD);
    const engagements = await t.gql<{ auditEngagements: { nodes: { id: string }[] } }>(`{ auditEngagements(first: 1) { nodes { id } } }`, {}, auditor2);
    const raised = await t.gql<{ raiseAuditFinding: { key: string } }>(
      `mutation($input: RaiseAuditFindingInput!) { raiseAuditFinding(input: $input) { key } }`,
      { input: { engagementId: engagements.data!.auditEngagements.nodes[0]!.id, severity: 'HIGH', title: '退職者のVPNアカウントが無効化されていない', description: '2件' } },
      auditor2,
    );
    expect(raised.errors).toBeUndefined();
    const findingKey = raised.data!.raiseAuditFinding.key;
    // ...and the page shows it: a new blocker in the banner, one more open finding.
    await banner.getByText('退職者のVPNアカウントが無効化されていない').waitFor(WAIT);
    expect(await banner.locator('li', { hasText: '退職者のVPNアカウント' }).textContent()).toContain(findingKey);
    await textIs(page, 'tile-open-findings-value', '4');

    // The lead auditor accepts a piece of evidence waiting in the queue: one fewer waiting for review.
    const auditor = await t.login('auditor@example.com', PASSWORD);
    const queue = await t.gql<{ evidenceReviewQueue: { nodes: { evidence: { id: string; sha256: string; countermeasure: { key: string } } }[] } }>(
      `{ evidenceReviewQueue(first: 20) { nodes { evidence { id sha256 countermeasure { key } } } } }`,
      {},
      auditor,
    );
    const pending = queue.data!.evidenceReviewQueue.nodes.find((n) => n.evidence.countermeasure.key === 'CM-010')!.evidence;
    const reviewed = await t.gql(
      `mutation($input: ReviewEvidenceInput!) { reviewEvidence(input: $input) { decision } }`,
      { input: { evidenceId: pending.id, sha256: pending.sha256, decision: 'ACCEPTED', comment: '開設記録を確認' } },
      auditor,
    );
    expect(reviewed.errors).toBeUndefined();
    await textIs(page, 'tile-review-waiting-value', String(waitingBefore - 1));

    expect(await page.evaluate('window.stillTheSamePage')).toBe(true);
    expect(await page.getByTestId('gate-state').textContent()).toBe('停止中');
    fs.mkdirSync(path.join(root, 'test-results'), { recursive: true });
    await page.waitForTimeout(400); // let the charts finish their short animation for the picture
    await page.screenshot({ path: path.join(root, 'test-results/dashboard.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 60_000);

  it('speaks Japanese to a browser that asks for Japanese, switches to English, and remembers the choice', async () => {
    const { page, errors } = await openPage('ja-JP');
    expect(await page.locator('html').getAttribute('lang')).toBe('ja');
    expect(await page.locator('#sign-in-title').textContent()).toBe('サインイン');
    expect(await page.locator('label', { hasText: 'メールアドレス' }).count()).toBe(1);

    await page.getByRole('button', { name: 'English' }).click();
    expect(await page.locator('#sign-in-title').textContent()).toBe('Sign in');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');

    // An auditor: the gate in English, and their review queue first, right under the banner.
    await signIn(page, 'auditor@example.com');
    await page.getByTestId('review-queue').waitFor(WAIT);
    expect(await page.getByTestId('gate-state').textContent()).toBe('SUSPENDED');
    expect(await page.getByTestId('gate-blockers').textContent()).toContain('CM-002');
    expect(await page.getByTestId('gate-blockers').textContent()).toContain('has not yet been verified (signed off) by an auditor');
    const order = await page.getByTestId('dashboard').evaluate((main) => [...main.children].map((c) => c.getAttribute('data-testid') ?? c.className));
    expect(order.indexOf('review-queue')).toBe(order.indexOf('gate-banner') + 1);
    await page.getByTestId('review-queue-count').waitFor(WAIT);
    expect(Number(await page.getByTestId('review-queue-count').textContent())).toBeGreaterThan(0);
    expect(await page.getByText('Evidence waiting for review').count()).toBeGreaterThan(0);

    // Remembered across a reload (localStorage), and the session too (sessionStorage).
    await page.reload();
    await page.getByTestId('gate-state').waitFor(WAIT);
    expect(await page.getByTestId('gate-state').textContent()).toBe('SUSPENDED');

    // Back to Japanese in place.
    await page.getByRole('button', { name: '日本語' }).click();
    expect(await page.getByTestId('gate-state').textContent()).toBe('停止中');
    expect(await page.getByText('レビュー待ちの証跡').count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  }, 60_000);

  it('speaks English to a browser that asks for English, and shows task-force members their own items first', async () => {
    const { page } = await openPage('en-US');
    expect(await page.locator('#sign-in-title').textContent()).toBe('Sign in');
    await signIn(page, 'security.lead@example.com');
    await page.getByTestId('my-items').waitFor(WAIT);
    const order = await page.getByTestId('dashboard').evaluate((main) => [...main.children].map((c) => c.getAttribute('data-testid') ?? c.querySelector('[data-testid]')?.getAttribute('data-testid') ?? c.className));
    expect(order.indexOf('my-items')).toBe(order.indexOf('gate-banner') + 1);
    const mine = await page.getByTestId('my-items').locator('tbody tr').allTextContents();
    expect(mine.some((row) => row.startsWith('CM-002'))).toBe(true);
    expect(mine.some((row) => row.startsWith('CM-004'))).toBe(false); // the president's

    // Signing out forgets the token.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('#sign-in-title').waitFor(WAIT);
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
  }, 60_000);

  it('says so on the page when the password is wrong, and stays signed out', async () => {
    const { page } = await openPage('ja-JP');
    await signIn(page, 'president@example.com', 'not-the-password');
    const error = page.getByTestId('sign-in-error');
    await error.waitFor(WAIT);
    expect(await error.textContent()).toBe('メールアドレスまたはパスワードが正しくありません。');
    expect(await page.getByTestId('dashboard').count()).toBe(0);
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
  }, 60_000);

  it('serves the page shell at / with a same-origin Content-Security-Policy, and leaves the API routes as they were', async () => {
    const res = await fetch(`${t.baseUrl}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toMatch(/connect-src 'self' ws:\/\/127\.0\.0\.1:\d+ wss:\/\/127\.0\.0\.1:\d+/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await res.text();
    expect(html).not.toMatch(/<script>|<script [^>]*src="https?:/); // no inline script, no CDN
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const asset = await fetch(`${t.baseUrl}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');

    expect((await fetch(`${t.baseUrl}/health`)).status).toBe(200);
    expect((await t.gql(`{ me { id } }`)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await fetch(`${t.baseUrl}/no-such-page`)).status).toBe(404);
  }, 60_000);
});
