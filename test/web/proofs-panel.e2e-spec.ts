import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { unzipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proofsMessages } from '../../apps/web/src/proofs-words';
import type { TestApp } from '../support/test-app';
import { PASSWORD, PageHarness, WAIT, root } from './page-harness';

/**
 * The dashboard's proofs panel (docs/proofs.md) in a real Chromium against the
 * demo case: the latest signed checkpoint with its co-signer, an evidence
 * bundle exported and downloaded through the page, the verifier and the keys
 * to check it offline; and no panel for those who may not read the trail.
 */
/** Building the demo's bundle (its evidence files, the PDF reports) takes a while on a slow machine: a generous deadline. */
const BUILD_WAIT = { timeout: 150_000 };
const JA = proofsMessages('ja');
const EN = proofsMessages('en');

const LATEST = `{ trailCheckpoints(first: 1) { nodes { treeSize body } } }`;
const BUNDLES = `{ evidenceBundles(first: 5) { nodes { id status sha256 fileName scope scopeId } } }`;

describe('the proofs panel of the dashboard page', () => {
  let h: PageHarness;
  let t: TestApp;
  const openPage = (locale: string, pathAndQuery = '/') => h.openPage(locale, pathAndQuery, { acceptDownloads: true });
  const signIn = (page: Page, email: string, password?: string) => h.signIn(page, email, password);

  beforeAll(async () => {
    h = await PageHarness.start();
    t = h.t;
  }, 180_000);

  afterAll(async () => h?.close());

  /** The second auditor co-signs the newest checkpoint through the API, with a key of their own. */
  async function cosignLatest(): Promise<{ treeSize: string; name: string }> {
    const token = await t.login('auditor2@example.com', PASSWORD);
    const keys = generateKeyPairSync('ed25519');
    const raw = keys.publicKey.export({ format: 'der', type: 'spki' }).subarray(12);
    const reg = await t.gql<{ registerCosigningKey: { name: string; keyId: string } }>(
      `mutation($key: String!) { registerCosigningKey(publicKey: $key) { name keyId } }`,
      { key: raw.toString('base64') },
      token,
    );
    expect(reg.errors).toBeUndefined();
    const latest = await t.gql<{ trailCheckpoints: { nodes: { treeSize: string; body: string }[] } }>(LATEST, {}, token);
    const cp = latest.data!.trailCheckpoints.nodes[0]!;
    const { name, keyId } = reg.data!.registerCosigningKey;
    const line = `— ${name} ${Buffer.concat([Buffer.from(keyId, 'hex'), sign(null, Buffer.from(cp.body, 'utf8'), keys.privateKey)]).toString('base64')}`;
    const cosigned = await t.gql(
      `mutation($size: String!, $sig: String!) { cosignTrailCheckpoint(size: $size, signature: $sig) { treeSize } }`,
      { size: cp.treeSize, sig: line },
      token,
    );
    expect(cosigned.errors).toBeUndefined();
    const me = await t.gql<{ me: { displayName: string } }>(`{ me { displayName } }`, {}, token);
    return { treeSize: cp.treeSize, name: me.data!.me.displayName };
  }

  it('shows an auditor the latest checkpoint and its co-signer, exports the incident’s bundle, follows it to READY and downloads the signed BagIt zip', async () => {
    const cosigned = await cosignLatest();
    const { page, errors } = await openPage('ja-JP');
    await signIn(page, 'auditor@example.com');

    const panel = page.getByTestId('proofs-panel');
    await panel.waitFor(WAIT);
    expect(await panel.getByRole('heading', { level: 2 }).textContent()).toBe(JA['proofs.title']);
    // The checkpoint the API calls the newest: its size, its signing key id, and who co-signed it (by name).
    const checkpoint = panel.getByTestId('latest-checkpoint');
    await checkpoint.and(page.locator(`[data-tree-size="${cosigned.treeSize}"]`)).waitFor(WAIT);
    expect(await checkpoint.getByTestId('checkpoint-size').textContent()).toBe(
      JA['checkpoint.sizeValue'].replaceAll('{n}', cosigned.treeSize),
    );
    expect(await checkpoint.getByTestId('checkpoint-cosigners').textContent()).toBe(cosigned.name);
    // The keys to pin are the published ones (the public keys document), and the checkpoint's key is the trail key.
    const doc = (await (await fetch(`${t.baseUrl}/.well-known/remediation-tracker/keys`)).json()) as {
      keys: { purpose: string; keyId: string; fingerprint: string; status: string }[];
    };
    const active = (purpose: string) => doc.keys.find((k) => k.purpose === purpose && k.status === 'ACTIVE')!;
    expect(await checkpoint.getByTestId('checkpoint-key-id').textContent()).toBe(active('trail').keyId);
    expect(await panel.getByTestId('key-trail').getByTestId('key-fingerprint').textContent()).toBe(active('trail').fingerprint);
    expect(await panel.getByTestId('key-bundle').getByTestId('key-fingerprint').textContent()).toBe(active('bundle').fingerprint);
    // The verifier and the keys document are offered as downloads, with the sentence that says what they are for.
    const verifier = panel.getByTestId('verifier-link');
    expect(await verifier.textContent()).toBe(JA['verify.download']);
    expect([await verifier.getAttribute('href'), await verifier.getAttribute('download')]).toEqual(['/verify.html', 'verify.html']);
    expect(await panel.getByTestId('keys-link').getAttribute('href')).toBe('/.well-known/remediation-tracker/keys');
    expect(await panel.getByTestId('offline-check').textContent()).toContain(JA['verify.lead']);
    const verifierDownload = page.waitForEvent('download');
    await verifier.click();
    const verifierFile = fs.readFileSync((await (await verifierDownload).path())!, 'utf8');
    expect(verifierFile).toMatch(/^<!doctype html>/i);

    // Export: the page follows the export it asked for until READY, saying where it stands in words.
    await panel.getByRole('button', { name: JA['bundle.export'] }).click();
    const progress = panel.getByTestId('bundle-progress');
    await progress.waitFor(WAIT);
    expect(await progress.getAttribute('role')).toBe('status');
    await progress.and(page.locator('[data-status="READY"]')).waitFor(BUILD_WAIT);
    const auditor = await t.login('auditor@example.com', PASSWORD);
    const listed = await t.gql<{
      evidenceBundles: { nodes: { id: string; status: string; sha256: string; fileName: string; scope: string; scopeId: string }[] };
    }>(BUNDLES, {}, auditor);
    const bundle = listed.data!.evidenceBundles.nodes[0]!;
    expect(bundle).toMatchObject({ status: 'READY', scope: 'INCIDENT' });
    expect(await progress.getByTestId('bundle-status').textContent()).toBe(JA['bundle.status.READY']);
    expect(await progress.getByTestId('bundle-progress-text').textContent()).toContain(bundle.sha256.slice(0, 12));
    // The list of the latest exports shows it with the start of its SHA-256.
    const row = panel.locator(`tr[data-bundle-id="${bundle.id}"]`);
    await row.waitFor(WAIT);
    expect(await row.locator('code').textContent()).toBe(bundle.sha256.slice(0, 12));
    expect(await row.locator('code').getAttribute('title')).toBe(bundle.sha256);

    // Download (the route needs the bearer token: the page fetches it and saves the blob).
    const downloading = page.waitForEvent('download');
    await progress.getByTestId('bundle-download').click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe(bundle.fileName);
    const zip = fs.readFileSync((await download.path())!);
    expect(createHash('sha256').update(zip).digest('hex')).toBe(bundle.sha256);
    const files = unzipSync(new Uint8Array(zip));
    expect(new TextDecoder().decode(files['bag/bagit.txt'])).toBe('BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n');
    expect(Object.keys(files)).toEqual(expect.arrayContaining(['bundle.sigstore.json', 'keys.json', 'bag/manifest-sha256.txt']));
    await panel.getByTestId('bundle-download-state').filter({ hasText: bundle.fileName }).waitFor(WAIT);
    fs.mkdirSync(path.join(root, 'test-results'), { recursive: true });
    await panel.screenshot({ path: path.join(root, 'test-results/proofs-panel.png') });

    // The same panel in English, in place.
    await page.getByRole('button', { name: 'English' }).click();
    expect(await panel.getByRole('heading', { level: 2 }).textContent()).toBe(EN['proofs.title']);
    expect(await progress.getByTestId('bundle-status').textContent()).toBe(EN['bundle.status.READY']);
    expect(await verifier.textContent()).toBe(EN['verify.download']);
    expect(errors).toEqual([]);
  }, 240_000);

  it('offers an executive the export too, in English when the browser asks for it', async () => {
    const { page, errors } = await openPage('en-US');
    await signIn(page, 'president@example.com');
    const panel = page.getByTestId('proofs-panel');
    await panel.waitFor(WAIT);
    expect(await panel.getByRole('heading', { level: 2 }).textContent()).toBe(EN['proofs.title']);
    await panel.getByRole('heading', { level: 3, name: EN['checkpoint.title'] }).waitFor(WAIT);
    await panel.getByTestId('checkpoint-size').waitFor(WAIT);
    expect(await panel.getByRole('button', { name: EN['bundle.export'] }).isEnabled()).toBe(true);
    expect(await panel.getByTestId('verifier-link').textContent()).toBe(EN['verify.download']);
    expect(errors).toEqual([]);
  }, 120_000);

  it('is not shown to a task-force member, who may not read the audit trail', async () => {
    const { page, errors } = await openPage('ja-JP');
    // The panel asks for the user's permissions: wait for that answer, then for the page to have drawn it.
    const permissionsAnswered = page.waitForResponse(
      (r) => r.url().endsWith('/graphql') && (r.request().postData() ?? '').includes('MyPermissions'),
      WAIT,
    );
    await signIn(page, 'security.lead@example.com');
    await page.getByTestId('my-items').locator('tbody tr').first().waitFor(WAIT);
    const answer = (await (await permissionsAnswered).json()) as { data: { me: { permissions: string[] } } };
    expect(answer.data.me.permissions).not.toContain('audit-trail:read');
    await page.evaluate('new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))');
    await page.getByTestId('dashboard').and(page.locator('[aria-busy="false"]')).waitFor(WAIT);
    expect(await page.getByTestId('proofs-panel').count()).toBe(0);
    expect(await page.getByText(JA['proofs.title']).count()).toBe(0);
    expect(errors).toEqual([]);
  }, 120_000);
});
