import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { TestApp } from '../support/test-app';

export const root = path.resolve(__dirname, '../..');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The demo users' password in the page specs. */
export const PASSWORD = 'demo-password-for-web-tests';
/**
 * How long a page spec waits for the page to show something. Generous on purpose: CI runs the page
 * specs beside other files on two cores (the three-instance suite among them), where signing in and
 * the dashboard's first answer have taken over 10 s. A wait is a bound, never a speed check; the
 * specs' own time limits (120 s) leave room for several pages, each with its waits.
 */
export const WAIT = { timeout: 30_000 };

/**
 * What the page specs share: the built page (the same build check as `npm start`
 * and the server tests: the page's part, dist/web), a server with the demo case,
 * and Debian's Chromium; fresh browser profiles, and signing in through the page.
 */
export class PageHarness {
  private readonly contexts: BrowserContext[] = [];

  private constructor(
    readonly t: TestApp,
    private readonly browser: Browser,
  ) {}

  /**
   * `opts.secondFactorPolicy: 'default'` with `opts.env: { DEMO_MFA: 'true' }`: the roles that require a second factor
   * do, and signing needs a step-up (TestApp.start; the demo waives both otherwise).
   */
  static async start(opts: { secondFactorPolicy?: 'default' | 'none'; env?: Record<string, string> } = {}): Promise<PageHarness> {
    execFileSync(process.execPath, [path.join(root, 'scripts/ensure-build.cjs'), 'web'], { cwd: root, stdio: 'inherit' });
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)`);
    const t = await TestApp.start({ DEMO: 'true', DEMO_PASSWORD: PASSWORD, ...opts.env }, { secondFactorPolicy: opts.secondFactorPolicy });
    try {
      return new PageHarness(t, await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] }));
    } catch (err) {
      await t.close();
      throw err;
    }
  }

  async close(): Promise<void> {
    for (const c of this.contexts) await c.close().catch(() => undefined);
    await this.browser.close();
    await this.t.close();
  }

  /** A fresh browser profile (its own storage) with the given preferred language, at `pathAndQuery`; collects console errors (a CSP violation is one). */
  async openPage(
    locale: string,
    pathAndQuery = '/',
    options: { acceptDownloads?: boolean } = {},
  ): Promise<{ page: Page; errors: string[] }> {
    const context = await this.browser.newContext({ locale, viewport: { width: 1280, height: 900 }, ...options });
    this.contexts.push(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    page.on('pageerror', (e) => void errors.push(e.message));
    await page.goto(`${this.t.baseUrl}${pathAndQuery}`);
    return { page, errors };
  }

  /** Signs in through the page's form. */
  async signIn(page: Page, email: string, password = PASSWORD): Promise<void> {
    await page.locator('input[name="email"]').fill(email);
    await page.locator('input[name="password"]').fill(password);
    await page.locator('button[type="submit"]').click();
  }
}
