import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASE_TIME_ZONE, todayIn } from '@app/common';
import { makeCountermeasure, makeIncident } from '../support/remediation-factory';
import { TestApp } from '../support/test-app';
import { pdf } from './support-files';
import { filesUnder, upload } from './support-files-http';

/**
 * What a crash in the middle of an upload leaves, and what the next start does
 * with it. The built server runs as a child process that kills itself with
 * SIGKILL at a chosen point of the upload (test hook TEST_CRASH_AT, honoured only
 * with NODE_ENV=test), on a test database prepared in this process.
 */
const root = path.resolve(__dirname, '../..');
const main = path.join(root, 'dist/apps/api/src/main.js');
const cli = path.join(root, 'dist/apps/cli/src/main.js');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface Running {
  child: ChildProcess;
  baseUrl: string;
  output: () => string;
  exited: Promise<number | string | null>;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

describe('evidence uploads cut short by a crash (kill -9) leave nothing behind after the next start', () => {
  let databaseUrl: string;
  let dataDir: string;
  let requirementId: string;
  let owner: { email: string; password: string };
  let today: string;
  const children: ChildProcess[] = [];

  const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    DATA_DIR: dataDir,
    DEMO: 'false',
    LOG_LEVEL: 'info',
    // The orphan of the crash is seconds old at the next start: no grace, so that it is removed.
    EVIDENCE_ORPHAN_GRACE_SECONDS: '0',
    ...extra,
  });

  async function start(extra: Record<string, string> = {}): Promise<Running> {
    const port = await freePort();
    const child = spawn(process.execPath, [main], { cwd: root, env: env({ PORT: String(port), ...extra }), stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
    const ready = await Promise.race([
      (async () => {
        while (!out.includes('GraphQL at')) await new Promise((r) => setTimeout(r, 100));
        return true;
      })(),
      exited.then(() => false),
    ]);
    if (!ready) throw new Error(`server exited before it was ready:\n${out}`);
    return { child, baseUrl: `http://127.0.0.1:${port}`, output: () => out, exited };
  }

  async function stop(s: Running): Promise<void> {
    s.child.kill('SIGTERM');
    await s.exited;
  }

  async function signIn(s: Running): Promise<string> {
    const res = await fetch(`${s.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `mutation($input: LoginInput!) { login(input: $input) { accessToken } }`, variables: { input: owner } }),
    });
    return ((await res.json()) as { data: { login: { accessToken: string } } }).data.login.accessToken;
  }

  /** Uploads `bytes` to the server that is set to crash on it; resolves once it is dead. */
  async function uploadIntoCrash(s: Running, bytes: Buffer): Promise<void> {
    const token = await signIn(s);
    const answered = await upload({ baseUrl: s.baseUrl } as TestApp, token, { requirementId, effectiveOn: today }, [{ bytes, name: '監視ログ.pdf' }]).then(
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
    execFileSync(process.execPath, [path.join(root, 'scripts/ensure-build.cjs')], { cwd: root, stdio: 'inherit' });
    // The plan to upload evidence for, made in this process on a fresh test database.
    const t = await TestApp.start();
    try {
      const ctx = await makeIncident(t);
      const member = await ctx.addMember();
      owner = { email: member.user.email, password: member.password };
      const cm = await makeCountermeasure(t, ctx.incident.id, member.user.id);
      requirementId = (await t.sql<{ id: string }>(`SELECT id FROM countermeasure_requirements WHERE countermeasure_id = $1`, [cm.id]))[0]!.id;
      databaseUrl = t.databaseUrl;
    } finally {
      await t.close();
    }
    today = todayIn(CASE_TIME_ZONE, new Date());
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-crash-'));
  }, 240_000);

  afterAll(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
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
      expect(next.output()).toContain(`removed a stored evidence file that no evidence refers to: ${h}`);

      // The server works on: the same bytes uploaded again are evidence, stored once.
      const again = await upload({ baseUrl: next.baseUrl } as TestApp, await signIn(next), { requirementId, effectiveOn: today }, [{ bytes, name: '監視ログ.pdf' }]);
      expect(again.status).toBe(201);
      expect(fs.existsSync(blobPath(h))).toBe(true);
    } finally {
      await stop(next);
    }
  }, 120_000);

  it('evidence whose stored file was deleted is an alarm at start-up and in the CLI (exit 1), and is left as recorded', async () => {
    const [row] = (await sql(`SELECT id::text AS id, sha256 FROM evidence WHERE kind = 'FILE' ORDER BY uploaded_at DESC LIMIT 1`)) as { id: string; sha256: string }[];
    expect(row).toBeDefined();
    fs.chmodSync(path.dirname(blobPath(row!.sha256)), 0o700);
    fs.rmSync(blobPath(row!.sha256));

    const next = await start();
    try {
      const alert = next
        .output()
        .split('\n')
        .find((line) => line.includes('EVIDENCE_BLOB_MISSING'));
      expect(alert, next.output()).toBeDefined();
      expect(JSON.parse(alert!)).toMatchObject({ level: 50, alert: 'EVIDENCE_BLOB_MISSING', evidenceId: row!.id, sha256: row!.sha256 });
    } finally {
      await stop(next);
    }

    const report = spawnSync(process.execPath, [cli, 'reconcile-evidence-store'], { cwd: root, env: env(), encoding: 'utf8' });
    expect(report.status, report.stderr).toBe(1);
    expect(report.stdout).toContain(`MISSING evidence ${row!.id}: no stored file ${row!.sha256}`);
    expect(report.stdout).toContain('1 evidence MISSING their file');
    expect(await sql(`SELECT id::text AS id FROM evidence WHERE id = $1`, [row!.id])).toEqual([{ id: row!.id }]);
  }, 120_000);
});
