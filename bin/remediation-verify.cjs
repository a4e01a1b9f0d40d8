#!/usr/bin/env node
'use strict';
// remediation-verify (docs/proofs.md, "apps/verifier"): runs the bundled offline verifier
// dist/verifier/remediation-verify.cjs, building it first (esbuild, apps/verifier/scripts/build.mjs)
// when it is missing or older than its sources. The build's own output goes to stderr, so stdout
// holds only the verifier's report.
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const built = path.join(root, 'dist/verifier/remediation-verify.cjs');
const sources = ['apps/verifier/src', 'libs/proofs/src'].map((d) => path.join(root, d));

function newestSource() {
  let newest = 0;
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
    }
  };
  for (const dir of sources) if (fs.existsSync(dir)) walk(dir);
  return newest;
}

const stale = !fs.existsSync(built) || fs.statSync(built).mtimeMs < newestSource();
if (stale) {
  const build = spawnSync(process.execPath, [path.join(root, 'apps/verifier/scripts/build.mjs'), 'cli'], {
    cwd: root,
    stdio: ['ignore', 2, 2],
  });
  if (build.status !== 0 || !fs.existsSync(built)) {
    process.stderr.write('remediation-verify: the verifier could not be built (node apps/verifier/scripts/build.mjs cli)\n');
    process.exit(2);
  }
}

const { main } = require(built);
main(process.argv.slice(2), { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) }).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`remediation-verify: ${e && e.stack ? e.stack : String(e)}\n`);
    process.exitCode = 1;
  },
);
