import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_NAMES } from '@app/proofs';
import { EVIDENCE, makeBundle, reseal, type MadeBundle } from './support/make-bundle';

/**
 * The browser verifier as an auditor uses it: the built verify.html opened
 * from disk (file://) in a real Chromium with the network cut off, a bundle
 * picked, the pinned key pasted; the named checks read from the results table.
 */
const root = path.resolve(__dirname, '../..');
const PAGE = path.join(root, 'dist/verifier/verify.html');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const WAIT = { timeout: 20_000 };
/** Every named check, in the core's order (verifier-core.spec.ts pins the names themselves). */
const CHECKS = CHECK_NAMES;

interface PageElement {
  getAttribute(name: string): string | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
  textContent: string | null;
}

/** What the results table says: each row's check name, its status, and its details (problems marked). */
interface ShownRow {
  check: string;
  status: string;
  result: string;
  problems: string[];
  details: string;
}

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

  /** Picks the bundle (as a file on disk), pastes the key (and the rest), presses 検証する, waits for the verdict. */
  async function verifyOnPage(
    page: Page,
    b: MadeBundle,
    input: { key: string; trailKey?: string; cosigners?: string; checkpoint?: string },
  ): Promise<{ verdict: string; status: string; rows: ShownRow[] }> {
    await page.setInputFiles('#bundle', writeTemp(`bundle-${Date.now()}-${Math.random().toString(36).slice(2)}.zip`, b.zip()));
    await page.getByLabel(/鍵（貼り付け）/).fill(input.key);
    if (input.trailKey) await page.getByLabel(/監査証跡の鍵/).fill(input.trailKey);
    if (input.cosigners) await page.getByLabel(/共同署名者の検証鍵/).fill(input.cosigners);
    if (input.checkpoint) await page.getByLabel(/チェックポイント（貼り付け）/).fill(input.checkpoint);
    await page.getByRole('button', { name: /検証する/ }).click();
    const status = page.getByRole('status');
    await expect.poll(() => status.getAttribute('data-result'), WAIT).toMatch(/^(pass|fail|error)$/);
    // Run in the page: typed with the little of the DOM it uses (the tests are compiled without the DOM's types).
    const rows = await page.locator('#checks tbody tr').evaluateAll((elements) =>
      (elements as unknown as PageElement[]).map((tr) => ({
        check: tr.getAttribute('data-check') ?? '',
        status: tr.getAttribute('data-status') ?? '',
        result: tr.querySelector('td.result')?.textContent ?? '',
        problems: [...tr.querySelectorAll('li[data-problem="true"]')].map((li) => li.textContent ?? ''),
        details: tr.querySelector('td.details')?.textContent ?? '',
      })),
    );
    return { verdict: (await status.getAttribute('data-result')) ?? '', status: (await status.textContent()) ?? '', rows };
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
  it('passes a good bundle: every named check PASS, in Japanese and English, with nothing sent', async () => {
    const b = makeBundle();
    const { page, leaks, errors } = await openPage();
    const shown = await verifyOnPage(page, b, { key: b.keysJson, cosigners: b.auditorVkey, checkpoint: b.keptCheckpoint });
    expect(shown.verdict).toBe('pass');
    expect(shown.status).toContain('すべての検査に合格しました');
    expect(shown.status).toContain('every check passed');
    expect(shown.rows.map((r) => [r.check, r.status])).toEqual(CHECKS.map((c) => [c, 'pass']));
    for (const r of shown.rows) {
      // Said in words, not by colour alone.
      expect(r.result).toContain('合格');
      expect(r.result).toContain('PASS');
      expect(r.problems).toEqual([]);
    }
    expect(shown.rows.find((r) => r.check === 'COSIGNATURES')!.details).toContain(`${b.auditorName} の共同署名を確認しました。`);
    expect(shown.rows.find((r) => r.check === 'BUNDLE_SIGNATURE')!.details).toContain(b.bundleFingerprint);
    expect(await page.locator('#report-ja').textContent()).toContain('結果: すべての検査に合格しました。');
    expect(await page.locator('#report-en').textContent()).toContain('Result: every check passed.');
    expect(leaks).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('passes with the bundle key’s fingerprint alone (trail key from keys.json), saying which checks were not run', async () => {
    const b = makeBundle();
    const { page, leaks } = await openPage();
    const shown = await verifyOnPage(page, b, { key: b.bundleFingerprint });
    expect(shown.verdict).toBe('pass');
    const status = Object.fromEntries(shown.rows.map((r) => [r.check, r.status]));
    expect(status).toMatchObject({
      BUNDLE_SIGNATURE: 'pass',
      CHECKPOINT_SIGNATURE: 'pass',
      COSIGNATURES: 'skip',
      CHECKPOINT_CONSISTENCY: 'skip',
    });
    expect(shown.rows.filter((r) => r.status === 'fail')).toEqual([]);
    expect(shown.status).toContain('2 件は未実施');
    expect(shown.rows.find((r) => r.check === 'COSIGNATURES')!.result).toContain('未実施');
    expect(leaks).toEqual([]);
  });

  it('a byte flipped in an evidence file: BAG_COMPLETE and EVIDENCE_BYTES fail, naming the file', async () => {
    const b = makeBundle();
    const path = [...b.files.keys()].find((p) => p.endsWith(`/${EVIDENCE[0].name}`))!;
    b.files.get(path)![5] ^= 1;
    const { page, leaks, errors } = await openPage();
    const shown = await verifyOnPage(page, b, { key: b.keysJson, cosigners: b.auditorVkey, checkpoint: b.keptCheckpoint });
    expect(shown.verdict).toBe('fail');
    expect(shown.rows.filter((r) => r.status === 'fail').map((r) => r.check)).toEqual(['BAG_COMPLETE', 'EVIDENCE_BYTES']);
    expect(shown.status).toContain('2 件の検査が不合格です');
    expect(shown.status).toContain('BAG_COMPLETE');
    expect(shown.status).toContain('2 check(s) failed');
    for (const check of ['BAG_COMPLETE', 'EVIDENCE_BYTES']) {
      const row = shown.rows.find((r) => r.check === check)!;
      expect(row.result).toContain('不合格');
      expect(row.result).toContain('FAIL');
      expect(row.problems.length).toBeGreaterThan(0);
      expect(row.problems.some((p) => p.includes(path))).toBe(true);
    }
    // Everything else still holds: the signature covers the manifest, not the flipped file.
    expect(shown.rows.filter((r) => r.status === 'pass').length).toBe(CHECKS.length - 2);
    expect(await page.locator('#report-ja').textContent()).toContain(`内容がマニフェストのハッシュと一致しません: ${path}`);
    expect(leaks).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('a bundle re-signed with another key fails BUNDLE_SIGNATURE under the pinned keys file (WebCrypto Ed25519 says no)', async () => {
    const b = makeBundle();
    const other = makeBundle().keys.bundle;
    reseal(b, other);
    const { page, leaks } = await openPage();
    const shown = await verifyOnPage(page, b, { key: b.keysJson });
    expect(shown.verdict).toBe('fail');
    expect(shown.rows.filter((r) => r.status === 'fail').map((r) => r.check)).toContain('BUNDLE_SIGNATURE');
    expect(shown.rows.find((r) => r.check === 'BUNDLE_SIGNATURE')!.problems.join(' ')).toContain('bundle.sigstore.json');
    expect(leaks).toEqual([]);
  });

  it('takes a bundle dropped on the page and a keys file and checkpoint picked from disk', async () => {
    const b = makeBundle();
    const { page, leaks } = await openPage();
    // A drop as the browser makes it: a DataTransfer holding the file (built in the page).
    const dataTransfer = await page.evaluateHandle(`(() => {
      const dt = new DataTransfer();
      const bytes = Uint8Array.from(atob('${Buffer.from(b.zip()).toString('base64')}'), (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], '証跡バンドル.zip', { type: 'application/zip' }));
      return dt;
    })()`);
    await page.dispatchEvent('#drop', 'drop', { dataTransfer });
    await expect.poll(() => page.locator('#bundle-chosen').textContent(), WAIT).toContain('証跡バンドル.zip');
    await page.setInputFiles('#key-file', writeTemp('keys.json', b.keysJson));
    await expect.poll(() => page.locator('#key').inputValue(), WAIT).toBe(b.keysJson);
    await page.setInputFiles('#checkpoint-file', writeTemp('kept-checkpoint.txt', b.keptCheckpoint));
    await expect.poll(() => page.locator('#checkpoint').inputValue(), WAIT).toBe(b.keptCheckpoint);
    await page.getByRole('button', { name: /検証する/ }).click();
    await expect.poll(() => page.getByRole('status').getAttribute('data-result'), WAIT).toBe('pass');
    expect(await page.locator('tr[data-check="CHECKPOINT_CONSISTENCY"]').getAttribute('data-status')).toBe('pass');
    expect(await page.locator('tr[data-status="fail"]').count()).toBe(0);
    expect(leaks).toEqual([]);
  });

  it('refuses a key that is neither a fingerprint, a keys document nor a PEM, before reading the bundle', async () => {
    const { page } = await openPage();
    const shown = await verifyOnPage(page, makeBundle(), { key: 'SHA256:abc' });
    expect(shown.verdict).toBe('error');
    expect(shown.status).toContain('鍵は SHA256:… の指紋');
    expect(await page.locator('#results').isHidden()).toBe(true);
  });
});
