// Builds the offline verifier (docs/proofs.md, "apps/verifier") with esbuild:
//   dist/verifier/remediation-verify.cjs   the CLI (apps/verifier/src/cli.ts), one CommonJS file for Node
//   dist/verifier/verify.html              the browser verifier: apps/verifier/src/browser.ts bundled into one
//                                          inline script of apps/verifier/src/verify.html — one self-contained
//                                          file that makes no request at all (its CSP forbids every fetch)
// `node apps/verifier/scripts/build.mjs` builds both (part of `npm run build`); `... html` or `... cli` one.
// Deterministic (same sources, same bytes) and written atomically (a temporary file renamed into place), so
// two test workers building at once never leave a torn file and the server always serves a whole page.
import { build } from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const src = path.join(root, 'apps/verifier/src');
const out = path.join(root, 'dist/verifier');
const PLACEHOLDER = '<!--VERIFIER_SCRIPT-->';
/** The page's policy: no network at all (no connect, no fonts, no images but data:), inline script and style only. */
export const VERIFY_PAGE_CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

const common = {
  absWorkingDir: root,
  bundle: true,
  write: false,
  charset: 'utf8',
  legalComments: 'inline',
  logLevel: 'warning',
  tsconfig: path.join(root, 'tsconfig.json'),
};

function writeAtomically(file, data, mode = 0o644) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, data, { mode });
  fs.renameSync(tmp, file);
}

/** The script, safe inside <script>…</script>: no `</script` or `<!--` can end or confuse the element. */
export function inlineScript(js) {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

async function buildPage() {
  const result = await build({
    ...common,
    entryPoints: [path.join(src, 'browser.ts')],
    platform: 'browser',
    format: 'iife',
    target: ['chrome120', 'firefox130', 'safari17'],
    // Not minified: an auditor may read what the page does before trusting it.
    minify: false,
  });
  const js = result.outputFiles[0].text;
  const template = fs.readFileSync(path.join(src, 'verify.html'), 'utf8');
  if (!template.includes(PLACEHOLDER)) throw new Error(`apps/verifier/src/verify.html lacks ${PLACEHOLDER}`);
  if (!template.includes(VERIFY_PAGE_CSP)) throw new Error('apps/verifier/src/verify.html lacks the page’s Content-Security-Policy');
  // A function replacer: `$&` and friends in the script are not replacement patterns.
  const html = template.replace(PLACEHOLDER, () => `<script>\n${inlineScript(js)}</script>`);
  if (/<(script|link|img|iframe|object|embed)\b[^>]*\b(src|href|data)=(?!"data:)/i.test(html)) {
    throw new Error('verify.html would load something from elsewhere');
  }
  writeAtomically(path.join(out, 'verify.html'), html);
}

async function buildCli() {
  const result = await build({
    ...common,
    entryPoints: [path.join(src, 'cli.ts')],
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  });
  writeAtomically(path.join(out, 'remediation-verify.cjs'), result.outputFiles[0].contents, 0o755);
}

const only = process.argv[2];
if (only && only !== 'html' && only !== 'cli') throw new Error(`usage: build.mjs [html|cli], not ${only}`);
if (only !== 'cli') await buildPage();
if (only !== 'html') await buildCli();
