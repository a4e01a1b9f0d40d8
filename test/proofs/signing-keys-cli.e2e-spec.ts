import { spawnSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { KeysDocument } from '@app/signing-keys';
import { builtCli, childEnv, ensureBuild, repoRoot, runCli } from '../support/server-child';
import { TestApp } from '../support/test-app';

/** `npm run cli -- keys`: the same keys document as the well-known address, printed as JSON. */

let t: TestApp | undefined;
let dataDir: string | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

beforeAll(() => ensureBuild(), 300_000);

describe('npm run cli -- keys', () => {
  it('prints the keys document of the database and DATA_DIR it runs on, as the server serves it', async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-keys-cli-'));
    t = await TestApp.start({
      DATA_DIR: dataDir,
      TRAIL_SIGNING_KEY_FILE: '',
      BUNDLE_SIGNING_KEY_FILE: '',
      PROOF_ORIGIN: 'tracker.example.co.jp',
    });
    const served = (await (await fetch(`${t.baseUrl}/.well-known/remediation-tracker/keys`)).json()) as KeysDocument;
    const run = spawnSync(process.execPath, [builtCli, 'keys'], {
      cwd: repoRoot,
      env: childEnv({ DATABASE_URL: t.databaseUrl, DATA_DIR: dataDir, PROOF_ORIGIN: 'tracker.example.co.jp', LOG_LEVEL: 'warn' }),
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const printed = JSON.parse(run.stdout) as KeysDocument;
    expect(printed).toEqual(served);
    expect(printed.keys.map((k) => [k.purpose, k.status])).toEqual([
      ['trail', 'ACTIVE'],
      ['bundle', 'ACTIVE'],
    ]);
    // Nothing private is printed.
    expect(run.stdout).not.toContain('PRIVATE KEY');
  }, 60_000);

  it('two CLI processes started at once on another DATA_DIR print the server’s keys and retire none (reading never registers; neither overwrites the other’s key files)', async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-keys-cli-'));
    const origin = { PROOF_ORIGIN: 'tracker.example.co.jp' };
    t = await TestApp.start({ DATA_DIR: path.join(dataDir, 'server'), TRAIL_SIGNING_KEY_FILE: '', BUNDLE_SIGNING_KEY_FILE: '', ...origin });
    const shared = path.join(dataDir, 'shared');
    const env = childEnv({ DATABASE_URL: t.databaseUrl, DATA_DIR: shared, LOG_LEVEL: 'warn', ...origin });
    const runs = await Promise.all([0, 1].map(() => runCli(['keys'], env)));
    for (const r of runs) expect(r).toMatchObject({ code: 0, stderr: '' });
    const [a, b] = runs.map((r) => JSON.parse(r.stdout) as KeysDocument);
    expect(a).toEqual(b);
    // What they print is the server's registry as it was: its keys, still active, none retired.
    const served = (await (await fetch(`${t.baseUrl}/.well-known/remediation-tracker/keys`)).json()) as KeysDocument;
    expect(a).toEqual(served);
    expect(a!.keys.map((k) => [k.purpose, k.status])).toEqual([
      ['trail', 'ACTIVE'],
      ['bundle', 'ACTIVE'],
    ]);
    for (const k of a!.keys) {
      const pem = fs.readFileSync(path.join(dataDir, 'server', 'keys', `${k.purpose}.pem`), 'utf8');
      expect(createPublicKey(pem).export({ format: 'der', type: 'spki' }).subarray(12).toString('base64')).toBe(k.publicKey);
    }
    // The CLI processes made one key file per purpose in their own DATA_DIR, one each, neither overwriting the other.
    expect(fs.readdirSync(path.join(shared, 'keys')).sort()).toEqual(['bundle.pem', 'trail.pem']);
  }, 60_000);
});
