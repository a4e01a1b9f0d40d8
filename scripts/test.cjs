// `npm test`: the lint step (`npm run lint`) and the tests (`vitest run`) side by
// side, and it fails when either fails. Run one after the other they left the
// machine a third idle: lint is single-threaded type checking, and the tests on
// two workers spend much of their time waiting for servers, timers and the
// build. Lint's output is printed when it ends: at once, stopping the tests,
// when it fails (the same quick answer as before); after the tests' output
// when it passes. Arguments go to vitest (`npm test -- test/identity`).
const { spawn } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
// The npm and the node this was started with (`npm test` sets npm_execpath).
const npm = process.env.npm_execpath ? [process.execPath, [process.env.npm_execpath]] : ['npm', []];

const lint = spawn(npm[0], [...npm[1], 'run', 'lint'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
let lintOutput = '';
lint.stdout.on('data', (c) => (lintOutput += c));
lint.stderr.on('data', (c) => (lintOutput += c));
const lintDone = new Promise((resolve) => lint.on('exit', (code, signal) => resolve(code ?? signal)));

const vitest = spawn(process.execPath, [path.join(root, 'node_modules/vitest/vitest.mjs'), 'run', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
const testsDone = new Promise((resolve) => vitest.on('exit', (code, signal) => resolve(code ?? signal)));

// Ctrl-C reaches both children from the terminal; wait for them to finish their clean-up.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => {
  lint.kill('SIGTERM');
  vitest.kill('SIGINT');
});

(async () => {
  const lintCode = await lintDone;
  if (lintCode !== 0) {
    process.stdout.write(`\n${lintOutput}\nnpm test: the lint step failed (${lintCode}); stopping the tests.\n`);
    vitest.kill('SIGINT'); // as Ctrl-C: Vitest stops and runs its teardown (the test databases, the embedded server)
    await testsDone;
    process.exit(1);
  }
  const testsCode = await testsDone;
  process.stdout.write(`\n${lintOutput}`);
  process.exit(testsCode === 0 ? 0 : 1);
})();
