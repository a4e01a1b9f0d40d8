import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCli, childEnv, ensureBuild, repoRoot } from '../support/server-child';
import { TestApp } from '../support/test-app';

/** `npm run cli -- verify-audit-trail --against FILE`: the chain and a checkpoint kept in a file, by the built CLI. */
describe('npm run cli -- verify-audit-trail --against FILE', () => {
  let t: TestApp;
  let dataDir: string;
  let file: string;

  const run = (...args: string[]) =>
    spawnSync(process.execPath, [builtCli, 'verify-audit-trail', ...args], {
      cwd: repoRoot,
      env: childEnv({ DATABASE_URL: t.databaseUrl, DATA_DIR: dataDir, LOG_LEVEL: 'warn' }),
      encoding: 'utf8',
    });

  beforeAll(async () => {
    ensureBuild();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-verify-cli-'));
    // The CLI signs nothing, but reads the trail keys the server registered: the same DATA_DIR (its keys).
    t = await TestApp.start({ DATA_DIR: dataDir, TRAIL_SIGNING_KEY_FILE: '', BUNDLE_SIGNING_KEY_FILE: '' });
    const token = await (await t.createUser(['AUDITOR'])).token();
    for (const name of ['確認 一郎', '確認 二郎', '確認 三郎']) await t.createUser(['TASK_FORCE'], { displayName: name });
    const res = await t.gql<{ createTrailCheckpoint: { treeSize: string; text: string } }>(
      `mutation { createTrailCheckpoint { treeSize text } }`,
      {},
      token,
    );
    file = path.join(dataDir, 'kept-checkpoint.txt');
    fs.writeFileSync(file, res.data!.createTrailCheckpoint.text);
  }, 300_000);

  afterAll(async () => {
    await t?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('passes (exit 0) on an untouched trail, and fails (exit 1) naming TRUNCATED once the last entries are cut off', async () => {
    const good = run('--against', file);
    expect(good.status).toBe(0);
    expect(good.stdout).toMatch(/audit trail intact/);
    expect(good.stdout).toMatch(/: CONSISTENT: /);

    await t.sql('ALTER TABLE audit_trail DISABLE TRIGGER USER');
    await t.sql('DELETE FROM audit_trail WHERE seq > (SELECT MAX(seq) - 2 FROM audit_trail)');
    await t.sql('ALTER TABLE audit_trail ENABLE TRIGGER USER');
    const cut = run('--against', file);
    expect(cut.status).toBe(1);
    expect(cut.stdout).toMatch(/audit trail intact/);
    expect(cut.stdout).toMatch(/: TRUNCATED \(FAILED\): /);
  }, 60_000);

  it('a file that is no checkpoint: exit 1 with INVALID_CHECKPOINT', () => {
    const junk = path.join(dataDir, 'junk.txt');
    fs.writeFileSync(junk, 'これはチェックポイントではない\n');
    const res = run('--against', junk);
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/^INVALID_CHECKPOINT: /);
  }, 60_000);
});
