// docs/dashboard.png, the README's picture of the dashboard: the built server
// (npm run build) on a fresh embedded database with the demo case, the
// president signed in on the Japanese page, in Chromium (playwright-core;
// CHROMIUM_PATH, default /usr/bin/chromium) at 1280×900.
//
//   node apps/web/scripts/screenshot.mjs [out.png]
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const out = path.resolve(process.argv[2] ?? path.join(root, 'docs/dashboard.png'));
const PASSWORD = 'demo-password-for-the-screenshot';

const port = await new Promise((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-screenshot-'));
fs.chmodSync(dataDir, 0o755); // the embedded PostgreSQL runs as its own user when started by root
const server = spawn(process.execPath, [path.join(root, 'dist/apps/api/src/main.js')], {
  cwd: root,
  env: {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    PORT: String(port),
    DATA_DIR: dataDir,
    DEMO: 'true',
    DEMO_PASSWORD: PASSWORD,
    LOG_LEVEL: 'warn',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
let said = '';
server.stdout.on('data', (c) => (said += c));
const exited = new Promise((resolve) => server.once('exit', resolve));
let browser;
try {
  await Promise.race([
    (async () => {
      while (!said.includes('GraphQL at')) await new Promise((r) => setTimeout(r, 100));
    })(),
    exited.then(() => Promise.reject(new Error(`the server stopped:\n${said}`))),
  ]);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
  const context = await browser.newContext({ locale: 'ja-JP', timezoneId: 'Asia/Tokyo', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.locator('input[name="email"]').fill('president@example.com');
  await page.locator('input[name="password"]').fill(PASSWORD);
  await page.locator('button[type="submit"]').click();
  await page.locator('[data-testid="dashboard"][aria-busy="false"]').waitFor({ timeout: 30_000 });
  await page.locator('[data-testid="live-state"][data-state="connected"]').waitFor({ timeout: 30_000 });
  await page.evaluate('document.fonts.ready');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  await page.screenshot({ path: out });
  process.stdout.write(`wrote ${path.relative(root, out)}\n`);
} finally {
  await browser?.close();
  server.kill('SIGTERM');
  await exited;
  fs.rmSync(dataDir, { recursive: true, force: true });
}
