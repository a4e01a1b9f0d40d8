import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASE_TIME_ZONE, todayIn } from '@app/common';
import { makeOwnedRequirement } from '../support/remediation-factory';
import {
  builtCli,
  childEnv,
  ensureBuild,
  killLeftoverServers,
  repoRoot,
  type ServerChild,
  startServer,
  stopServer,
  signInAt,
} from '../support/server-child';
import { TestApp } from '../support/test-app';
import { pdf } from './support-files';
import { filesUnder, upload } from './support-files-http';

/**
 * What a crash in the middle of an upload leaves, and what the next start does
 * with it. The built server runs as a child process that kills itself with
 * SIGKILL at a chosen point of the upload (test hook TEST_CRASH_AT, honoured only
 * with NODE_ENV=test), on a test database prepared in this process.
 */
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('evidence uploads cut short by a crash (kill -9) leave nothing behind after the next start', () => {
  let databaseUrl: string;
  let dataDir: string;
  let requirementId: string;
  let owner: { email: string; password: string };
  let today: string;

  const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv =>
    childEnv({
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      DEMO: 'false',
      LOG_LEVEL: 'info',
      // The orphan of the crash is seconds old at the next start: no grace, so that it is removed.
      EVIDENCE_ORPHAN_GRACE_SECONDS: '0',
      ...extra,
    });

  const start = (extra: Record<string, string> = {}) => startServer(env(extra));
  const stop = async (s: ServerChild) => void (await stopServer(s));

  const signIn = (s: ServerChild) => signInAt(s.baseUrl, owner);

  /** Uploads `bytes` to the server that is set to crash on it; resolves once it is dead. */
  async function uploadIntoCrash(s: ServerChild, bytes: Buffer): Promise<void> {
    const token = await signIn(s);
    const answered = await upload({ baseUrl: s.baseUrl } as TestApp, token, { requirementId, effectiveOn: today }, [
      { bytes, name: '監視ログ.pdf' },
    ]).then(
      (res) => res.status,
      () => 'connection lost',
    );
    expect(answered).toBe('connection lost');
    expect(await s.exited).toBe('SIGKILL');
  }

  const sql = async (text: string, params: unknown[] = []) => {
    const { Client } = await import('pg');
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      return (await client.query(text, params)).rows as Record<string, unknown>[];
    } finally {
      await client.end();
    }
  };
  const tempDir = () => path.join(dataDir, 'evidence', 'tmp');
  const blobPath = (h: string) => path.join(dataDir, 'evidence', h.slice(0, 2), h.slice(2, 4), h);

  beforeAll(async () => {
    ensureBuild();
    // The plan to upload evidence for, made in this process on a fresh test database.
    const t = await TestApp.start();
    try {
      const plan = await makeOwnedRequirement(t);
      owner = { email: plan.owner.user.email, password: plan.owner.password };
      requirementId = plan.requirementId;
      databaseUrl = t.databaseUrl;
    } finally {
      await t.close();
    }
    today = todayIn(CASE_TIME_ZONE, new Date());
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-crash-'));
  }, 240_000);

  afterAll(() => {
    killLeftoverServers();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('killed after the upload was written to its temp file: the temp file is gone after the next start, nothing stored, no row', async () => {
    const bytes = pdf('crash after the temp file');
    await uploadIntoCrash(await start({ TEST_CRASH_AT: 'upload-staged' }), bytes);
    // What the crash left (the state the issue reported).
    expect(filesUnder(tempDir()).filter((f) => f.endsWith('.part'))).toHaveLength(1);

    const next = await start();
    try {
      expect(filesUnder(tempDir())).toEqual([]);
      expect(fs.existsSync(blobPath(sha(bytes)))).toBe(false);
      expect(await sql(`SELECT id FROM evidence WHERE sha256 = $1`, [sha(bytes)])).toEqual([]);
    } finally {
      await stop(next);
    }
  }, 120_000);

  it('killed after the file was stored but before its row was written: the stored file no evidence refers to is removed at the next start', async () => {
    const bytes = pdf('crash after the blob');
    const h = sha(bytes);
    await uploadIntoCrash(await start({ TEST_CRASH_AT: 'upload-stored' }), bytes);
    expect(fs.existsSync(blobPath(h))).toBe(true);
    expect(await sql(`SELECT id FROM evidence WHERE sha256 = $1`, [h])).toEqual([]);

    const next = await start();
    try {
      expect(fs.existsSync(blobPath(h))).toBe(false);
      expect(filesUnder(tempDir())).toEqual([]);
      expect(await sql(`SELECT id FROM evidence WHERE sha256 = $1`, [h])).toEqual([]);
      expect(await next.waitForOutput(`removed a stored evidence file that no evidence refers to: ${h}`)).toContain(h);

      // The server works on: the same bytes uploaded again are evidence, stored once.
      const again = await upload({ baseUrl: next.baseUrl } as TestApp, await signIn(next), { requirementId, effectiveOn: today }, [
        { bytes, name: '監視ログ.pdf' },
      ]);
      expect(again.status).toBe(201);
      expect(fs.existsSync(blobPath(h))).toBe(true);
    } finally {
      await stop(next);
    }
  }, 120_000);

  it('evidence whose stored file was deleted is an alarm at start-up and in the CLI (exit 1), and is left as recorded', async () => {
    const [row] = (await sql(`SELECT id::text AS id, sha256 FROM evidence WHERE kind = 'FILE' ORDER BY uploaded_at DESC LIMIT 1`)) as {
      id: string;
      sha256: string;
    }[];
    expect(row).toBeDefined();
    fs.chmodSync(path.dirname(blobPath(row!.sha256)), 0o700);
    fs.rmSync(blobPath(row!.sha256));

    const next = await start();
    try {
      const alert = (await next.waitForOutput('EVIDENCE_BLOB_MISSING')).split('\n').find((line) => line.includes('EVIDENCE_BLOB_MISSING'));
      expect(alert, next.output()).toBeDefined();
      expect(JSON.parse(alert!)).toMatchObject({ level: 50, alert: 'EVIDENCE_BLOB_MISSING', evidenceId: row!.id, sha256: row!.sha256 });
    } finally {
      await stop(next);
    }

    const report = spawnSync(process.execPath, [builtCli, 'reconcile-evidence-store'], { cwd: repoRoot, env: env(), encoding: 'utf8' });
    expect(report.status, report.stderr).toBe(1);
    expect(report.stdout).toContain(`MISSING evidence ${row!.id}: no stored file ${row!.sha256}`);
    expect(report.stdout).toContain('1 evidence MISSING their file');
    expect(await sql(`SELECT id::text AS id FROM evidence WHERE id = $1`, [row!.id])).toEqual([{ id: row!.id }]);
  }, 120_000);
});
