/**
 * The browser verifier (verify.html): the user picks or drops an evidence
 * bundle, pastes or picks the key they pinned, optionally a checkpoint they
 * kept, and the page runs the same checks as `remediation-verify` (the core in
 * @app/proofs) on this computer: the zip read from the File, hashes by
 * WebCrypto and @noble/hashes, Ed25519 by WebCrypto. Nothing is sent: the
 * page's Content-Security-Policy forbids every connection.
 */
import { supportsEd25519 } from './browser/platform';
import { renderRows, renderStatus, renderSummary } from './browser/render';
import { runVerification } from './browser/core';
import { openZip, ZipFormatError } from './browser/zip-source';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const form = $<HTMLFormElement>('form');
const bundleInput = $<HTMLInputElement>('bundle');
const bundleChosen = $<HTMLParagraphElement>('bundle-chosen');
const drop = $<HTMLDivElement>('drop');
const keyText = $<HTMLTextAreaElement>('key');
const keyFile = $<HTMLInputElement>('key-file');
const checkpointText = $<HTMLTextAreaElement>('checkpoint');
const checkpointFile = $<HTMLInputElement>('checkpoint-file');
const trailKeyText = $<HTMLTextAreaElement>('trail-key');
const cosignersText = $<HTMLTextAreaElement>('cosigners');
const button = $<HTMLButtonElement>('verify');
const status = $<HTMLDivElement>('status');
const results = $<HTMLElement>('results');
const tbody = $<HTMLTableElement>('checks').tBodies[0];

let bundle: File | undefined;

function chooseBundle(file: File | undefined): void {
  bundle = file;
  bundleChosen.textContent = file ? `${file.name}（${file.size.toLocaleString('ja-JP')} バイト / bytes）` : '';
}

bundleInput.addEventListener('change', () => chooseBundle(bundleInput.files?.[0]));
keyFile.addEventListener('change', () => void loadText(keyFile, keyText));
checkpointFile.addEventListener('change', () => void loadText(checkpointFile, checkpointText));

async function loadText(input: HTMLInputElement, into: HTMLTextAreaElement): Promise<void> {
  const file = input.files?.[0];
  if (file) into.value = await file.text();
}

// A bundle dropped anywhere on the page (not only on the box) is taken, never opened by the browser.
for (const type of ['dragenter', 'dragover'] as const) {
  document.addEventListener(type, (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
}
document.addEventListener('dragleave', (e) => {
  if (e.relatedTarget === null) drop.classList.remove('over');
});
document.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  const file = e.dataTransfer?.files[0];
  if (file) chooseBundle(file);
});

form.addEventListener('submit', (e) => {
  e.preventDefault();
  void verify();
});

async function verify(): Promise<void> {
  results.hidden = true;
  if (!bundle) return fail('バンドル（.zip）を選んでください。', 'Choose the bundle (.zip).', bundleInput);
  if (!keyText.value.trim()) return fail('信頼する公開鍵を入力してください。', 'Enter the pinned public key.', keyText);
  if (!(await supportsEd25519())) {
    return fail(
      'このブラウザーは Ed25519 署名の検証（WebCrypto）に対応していません。最新の Chrome・Edge・Firefox・Safari をお使いください。',
      'This browser’s WebCrypto cannot verify Ed25519 signatures. Use a current Chrome, Edge, Firefox or Safari.',
    );
  }
  button.disabled = true;
  status.setAttribute('aria-busy', 'true');
  renderStatus(status, { kind: 'busy' });
  try {
    const source = await openZip(bundle);
    const outcome = await runVerification(source, {
      key: keyText.value,
      trailKey: trailKeyText.value,
      cosigners: cosignersText.value,
      checkpoint: checkpointText.value,
    });
    if (outcome.kind === 'input-error') return fail(outcome.ja, outcome.en, outcome.field === 'trail-key' ? trailKeyText : keyText);
    renderSummary($<HTMLElement>('summary'), outcome.summary);
    renderRows(tbody, outcome.rows);
    $<HTMLPreElement>('report-ja').textContent = outcome.textJa;
    $<HTMLPreElement>('report-en').textContent = outcome.textEn;
    results.hidden = false;
    const failed = outcome.rows.filter((r) => r.status === 'fail').map((r) => r.name);
    const skipped = outcome.rows.filter((r) => r.status === 'skip').map((r) => r.name);
    renderStatus(status, outcome.ok && failed.length === 0 ? { kind: 'pass', skipped } : { kind: 'fail', failed });
    status.scrollIntoView({ block: 'start' });
  } catch (err) {
    if (err instanceof ZipFormatError) {
      fail(`zip ファイルとして読めません（${err.ja ?? err.message}）。`, `The file cannot be read as a zip (${err.message}).`, bundleInput);
    } else {
      fail('検証中に予期しないエラーが起きました。', `Unexpected error while verifying: ${String(err)}`);
    }
  } finally {
    button.disabled = false;
    status.removeAttribute('aria-busy');
  }
}

function fail(ja: string, en: string, focus?: HTMLElement): void {
  renderStatus(status, { kind: 'error', ja, en });
  status.scrollIntoView({ block: 'start' });
  focus?.focus();
}
