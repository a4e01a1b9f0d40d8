import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Actor } from '@app/common';
import { CheckpointCopyWorker, TrailCheckpointsService, type TrailCheckpointEntity } from '@app/audit-trail';
import { S3RVER_CREDENTIALS, startLocalS3, type LocalS3 } from '../evidence/support-s3';
import { TcpProxy } from '../support/tcp-proxy';
import type { TestApp } from '../support/test-app';

/** What the receiver saw of one POST. */
export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A witness's endpoint: answers each POST with the next status of `answers` (then 200). */
export async function checkpointReceiver(answers: number[] = []) {
  const requests: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = answers.shift() ?? 200;
      res.end('受領');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/checkpoints`,
    requests,
    answers,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A URL nobody listens on (a port that was just freed). */
export async function closedPortUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/checkpoints`;
}

/** s3rver behind a TCP proxy: `proxy.down()` is an S3 outage, `proxy.up()` its end. */
export async function s3BehindProxy(bucket = 'checkpoints-test'): Promise<{ s3: LocalS3; proxy: TcpProxy; endpoint: string }> {
  const s3 = await startLocalS3(bucket);
  const proxy = await TcpProxy.start(s3.endpoint);
  return { s3, proxy, endpoint: `http://127.0.0.1:${proxy.port}` };
}

export const WEBHOOK_SECRET = `checkpoint-webhook-secret-${randomBytes(16).toString('hex')}`;

/** The settings of a server that copies checkpoints to `dir`, the bucket behind `endpoint` and `webhookUrl`. */
export function copySettings(opts: { dir: string; endpoint?: string; bucket?: string; webhookUrl?: string }): Record<string, string> {
  return {
    CHECKPOINT_DIR: opts.dir,
    // No scheduled checkpoint during a test: each one here is made by the test itself.
    CHECKPOINT_INTERVAL_SECONDS: '86400',
    // Retries wait 5 minutes: the tests run them with runDue(later), never by waiting.
    CHECKPOINT_COPY_RETRY_BASE_MS: '300000',
    CHECKPOINT_COPY_MAX_ATTEMPTS: '3',
    ...(opts.bucket && opts.endpoint
      ? {
          CHECKPOINT_S3_BUCKET: opts.bucket,
          EVIDENCE_S3_ENDPOINT: opts.endpoint,
          EVIDENCE_S3_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
          EVIDENCE_S3_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
        }
      : {}),
    ...(opts.webhookUrl ? { CHECKPOINT_WEBHOOK_URL: opts.webhookUrl, CHECKPOINT_WEBHOOK_SECRET: WEBHOOK_SECRET } : {}),
  };
}

/** For afterAll: TestApp.start leaves its settings in process.env; the next file must not find them. */
export function forgetCopySettings(): void {
  for (const k of [
    'CHECKPOINT_DIR',
    'CHECKPOINT_INTERVAL_SECONDS',
    'CHECKPOINT_COPY_RETRY_BASE_MS',
    'CHECKPOINT_COPY_MAX_ATTEMPTS',
    'CHECKPOINT_S3_BUCKET',
    'EVIDENCE_S3_ENDPOINT',
    'EVIDENCE_S3_ACCESS_KEY_ID',
    'EVIDENCE_S3_SECRET_ACCESS_KEY',
    'CHECKPOINT_WEBHOOK_URL',
    'CHECKPOINT_WEBHOOK_SECRET',
    'GATE_WEBHOOK_ALLOW_PRIVATE_NETWORKS',
  ])
    delete process.env[k];
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A new trail entry (a user created), then a checkpoint of the trail that covers it. */
export async function newCheckpoint(t: TestApp): Promise<TrailCheckpointEntity> {
  await t.createUser(['AUDITOR'], { displayName: '監査 花子' });
  return t.app.get(TrailCheckpointsService).create(Actor.system('test'), 'ON_DEMAND');
}

/** The note exactly as stored and copied. */
export const noteOf = (c: TrailCheckpointEntity): string => `${c.body}\n${c.signatures}`;

export const ORIGIN = 'remediation-tracker.localhost/trail';
export const fileNameOf = (size: string): string => `remediation-tracker.localhost_trail-${size.padStart(12, '0')}.txt`;

export interface CopyRow extends Record<string, unknown> {
  id: string;
  target: string;
  status: string;
  attempts: number;
  last_error: string | null;
  done_at: Date | null;
}

/** The copies of one checkpoint, by target. */
export async function copiesOf(t: TestApp, size: string): Promise<Record<string, CopyRow>> {
  const rows = await t.sql<CopyRow>(
    `SELECT id, target, status, attempts, last_error, done_at FROM trail_checkpoint_copies WHERE tree_size = $1 ORDER BY target`,
    [size],
  );
  return Object.fromEntries(rows.map((r) => [r.target, r]));
}

/** Runs every copy due at `asOf` (default now), after whatever the worker is doing. */
export function runDue(t: TestApp, asOf?: Date) {
  return t.app.get(CheckpointCopyWorker).runDue(asOf);
}

/** A moment after every retry delay of the test settings (5 minutes). */
export const later = (minutes: number): Date => new Date(Date.now() + minutes * 60_000);
