// `npm start` and `npm run cli` run the built server; build first when the
// build is missing or older than the sources (a fresh clone, or after a pull).
const fs = require('node:fs');
const path = require('node:path');
const { execSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const outputs = ['dist/apps/api/src/main.js', 'dist/apps/cli/src/main.js'].map((p) => path.join(root, p));

function newest(dir) {
  let t = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) t = Math.max(t, newest(p));
    else if (entry.name.endsWith('.ts')) t = Math.max(t, fs.statSync(p).mtimeMs);
  }
  return t;
}

const built = Math.min(...outputs.map((p) => (fs.existsSync(p) ? fs.statSync(p).mtimeMs : 0)));
const sources = Math.max(...['apps', 'libs', 'migrations'].map((d) => newest(path.join(root, d))), fs.statSync(path.join(root, 'package-lock.json')).mtimeMs);
if (built < sources) {
  process.stderr.write('building (npm run build)...\n');
  execSync('npm run build', { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
}
