import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApp } from '../support/test-app';
import { makeBundle } from './support/make-bundle';

/**
 * `GET /verify.html`: the offline verifier page, for anyone (an auditor or a
 * regulator has no account), exactly the bytes `npm run build` wrote, with the
 * page's no-network policy as a header too.
 */
const root = path.resolve(__dirname, '../..');
const PAGE = path.join(root, 'dist/verifier/verify.html');
const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('GET /verify.html', () => {
  let t: TestApp;

  beforeAll(async () => {
    // Built here from the current sources (a second or so), never taken from an earlier build.
    execFileSync(process.execPath, [path.join(root, 'apps/verifier/scripts/build.mjs'), 'html'], { cwd: root, stdio: 'inherit' });
    t = await TestApp.start();
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  it('serves the built page without a token, with its headers', async () => {
    const res = await fetch(`${t.baseUrl}/verify.html`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(CSP);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-disposition')).toBe('inline; filename="verify.html"');
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.equals(fs.readFileSync(PAGE))).toBe(true);
    // The page says the same policy itself (it is opened from disk, where no header comes with it).
    expect(/<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/.exec(body.toString('utf8'))?.[1]).toBe(CSP);
  });

  it('ignores a token, even a bad one: the page is the same for everybody', async () => {
    const res = await fetch(`${t.baseUrl}/verify.html`, { headers: { authorization: 'Bearer not-a-token' } });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(fs.readFileSync(PAGE))).toBe(true);
  });

  it('answers HEAD and refuses other methods', async () => {
    const head = await fetch(`${t.baseUrl}/verify.html`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(fs.statSync(PAGE).size));
    const post = await fetch(`${t.baseUrl}/verify.html`, { method: 'POST' });
    expect(post.status).toBe(404);
  });
  it('works as served, under its header policy: a good bundle passes in Chromium, and the page asks the server for nothing more', async () => {
    const b = makeBundle();
    const zip = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'verify-route-')), 'bundle.zip');
    fs.writeFileSync(zip, b.zip());
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      const errors: string[] = [];
      page.on('request', (r) => void requests.push(r.url()));
      page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
      page.on('pageerror', (e) => void errors.push(e.message));
      await page.goto(`${t.baseUrl}/verify.html`);
      await page.setInputFiles('#bundle', zip);
      await page.fill('#key', b.bundleFingerprint);
      await page.getByRole('button', { name: /検証する/ }).click();
      await expect.poll(() => page.getByRole('status').getAttribute('data-result'), { timeout: 20_000 }).toBe('pass');
      expect(await page.locator('tr[data-status="fail"]').count()).toBe(0);
      expect(await page.locator('tr[data-check="BUNDLE_SIGNATURE"]').getAttribute('data-status')).toBe('pass');
      expect(requests).toEqual([`${t.baseUrl}/verify.html`]);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      fs.rmSync(path.dirname(zip), { recursive: true, force: true });
    }
  });
});
