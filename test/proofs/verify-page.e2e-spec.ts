import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The browser verifier as an auditor uses it: the built verify.html opened
 * from disk (file://) in a real Chromium with the network cut off, a bundle
 * picked, the pinned key pasted; the named checks read from the results table.
 */
const root = path.resolve(__dirname, '../..');
const PAGE = path.join(root, 'dist/verifier/verify.html');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const WAIT = { timeout: 20_000 };

describe('the browser verifier (verify.html, offline)', () => {
  let browser: Browser;
  let tmp: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    // Built here from the current sources, never taken from an earlier build.
    execFileSync(process.execPath, [path.join(root, 'apps/verifier/scripts/build.mjs'), 'html'], { cwd: root, stdio: 'inherit' });
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)`);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'verify-page-'));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** The page from disk, every request but file: and data: refused and recorded, console errors collected. */
  async function openPage(): Promise<{ page: Page; leaks: string[]; errors: string[] }> {
    const context = await browser.newContext({ locale: 'ja-JP' });
    contexts.push(context);
    const leaks: string[] = [];
    await context.route('**', (route) => {
      const url = route.request().url();
      if (/^(file|data):/.test(url)) return route.continue();
      leaks.push(url);
      return route.abort();
    });
    const page = await context.newPage();
    page.on('request', (r) => void (/^(file|data):/.test(r.url()) || leaks.push(r.url())));
    const errors: string[] = [];
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    page.on('pageerror', (e) => void errors.push(e.message));
    await page.goto(pathToFileURL(PAGE).href);
    return { page, leaks, errors };
  }

  function writeTemp(name: string, bytes: Uint8Array | string): string {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, bytes);
    return file;
  }

  it('says plainly when the dropped file is not a zip, and sends nothing', async () => {
    const { page, leaks, errors } = await openPage();
    await page.setInputFiles('#bundle', writeTemp('not-a-bundle.zip', 'これは zip ではありません'));
    await page.fill('#key', 'SHA256:' + '0'.repeat(64));
    await page.getByRole('button', { name: /検証する/ }).click();
    const status = page.getByRole('status');
    await expect.poll(() => status.getAttribute('data-result'), WAIT).toBe('error');
    expect(await status.textContent()).toContain('zip ファイルとして読めません');
    expect(await status.textContent()).toContain('cannot be read as a zip');
    expect(await page.locator('#results').isHidden()).toBe(true);
    expect(leaks).toEqual([]);
    expect(errors).toEqual([]);
  });
});
