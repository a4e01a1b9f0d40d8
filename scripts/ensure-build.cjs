// `npm start` and `npm run cli` run the built server; build first when the
// build is missing or older than the sources (a fresh clone, or after a pull).
// Two outputs, checked apart: the server (apps/api, apps/cli, libs,
// migrations → dist/apps, and the offline verifier, apps/verifier + libs/proofs
// → dist/verifier) and the dashboard page (apps/web → dist/web), so
// that a change to the page rebuilds only the page. (`nest build api` compiles
// all of tsconfig.build.json, apps/cli included, so it writes dist/apps/cli too;
// `nest build cli` after it wrote the same files again.)
// `node scripts/ensure-build.cjs web` checks the page only (the browser test
// runs the server from its sources and needs only dist/web).
// Test workers call this at the same time: a lock directory makes one build
// while the others wait, then find the build current.
const fs = require('node:fs');
const path = require('node:path');
const { execSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const WEB = path.join(root, 'apps/web');
const SOURCE = /\.(ts|tsx|mts|css|html)$/;

function newest(dir, skip = []) {
  let t = 0;
  if (!fs.existsSync(dir)) return t;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (skip.includes(p)) continue;
    if (entry.isDirectory()) t = Math.max(t, newest(p, skip));
    else if (SOURCE.test(entry.name)) t = Math.max(t, fs.statSync(p).mtimeMs);
  }
  return t;
}

function builtAt(outputs) {
  return Math.min(...outputs.map((p) => path.join(root, p)).map((p) => (fs.existsSync(p) ? fs.statSync(p).mtimeMs : 0)));
}

const lockfile = fs.statSync(path.join(root, 'package-lock.json')).mtimeMs;

const webOnly = process.argv.includes('web');

function stale() {
  const server =
    !webOnly &&
    builtAt([
      'dist/apps/api/src/main.js',
      'dist/apps/cli/src/main.js',
      'dist/verifier/verify.html',
      'dist/verifier/remediation-verify.cjs',
    ]) < Math.max(newest(path.join(root, 'apps'), [WEB]), newest(path.join(root, 'libs')), newest(path.join(root, 'migrations')), lockfile);
  const web = builtAt(['dist/web/index.html']) < Math.max(newest(WEB), lockfile);
  return { server, web };
}

function withLock(fn) {
  const lock = path.join(root, 'dist', '.build-lock');
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      // A lock older than the longest build was left by a killed process.
      try {
        if (Date.now() - fs.statSync(lock).mtimeMs > 10 * 60_000) fs.rmSync(lock, { recursive: true, force: true });
      } catch {
        // gone meanwhile
      }
      if (Date.now() > deadline) throw new Error(`waited too long for ${lock}`, { cause: err });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

if (stale().server || stale().web) {
  withLock(() => {
    const { server, web } = stale(); // another process may have built meanwhile
    if (server) {
      process.stderr.write('building (npm run build)...\n');
      execSync('npm run build', { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    } else if (web) {
      process.stderr.write('building the dashboard page (npm run build:web)...\n');
      execSync('npm run build:web', { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    }
  });
}
