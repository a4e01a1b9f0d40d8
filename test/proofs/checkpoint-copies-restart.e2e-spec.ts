import * as fs from 'node:fs';
import * as path from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { ClsService } from 'nestjs-cls';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { CheckpointCopies } from '@app/audit-trail';
import { TestApp } from '../support/test-app';
import {
  checkpointReceiver,
  closedPortUrl,
  copiesOf,
  copySettings,
  fileNameOf,
  forgetCopySettings,
  newCheckpoint,
  noteOf,
  runDue,
  s3BehindProxy,
  tempDir,
} from './support-checkpoint-copies';

const WAIT = { timeout: 30_000, interval: 100 };
const BUCKET = 'checkpoints-restart';

describe('checkpoint copies survive a restart: what was pending is delivered when the server is back', () => {
  const opened: TestApp[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const t of opened.splice(0)) await t.close();
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  afterAll(() => forgetCopySettings());

  it('copies left PENDING by a server that stopped (S3 down, webhook unreachable) are delivered at the next start, without waiting for their retry time', async () => {
    const s3 = await s3BehindProxy(BUCKET);
    cleanups.push(async () => {
      await s3.proxy.down();
      await s3.s3.stop();
    });
    const dir = tempDir('rt-checkpoints-');
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    await s3.proxy.down();

    const first = await TestApp.start({
      ...copySettings({ dir, endpoint: s3.endpoint, bucket: BUCKET, webhookUrl: await closedPortUrl() }),
      GATE_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    });
    opened.push(first);
    const cp = await newCheckpoint(first);
    await vi.waitFor(async () => {
      await runDue(first);
      const copies = await copiesOf(first, cp.treeSize);
      expect(copies.DIRECTORY!.status).toBe('DONE');
      expect(copies.S3).toMatchObject({ status: 'PENDING', attempts: 1 });
      expect(copies.WEBHOOK).toMatchObject({ status: 'PENDING', attempts: 1 });
      expect(copies.WEBHOOK!.last_error).toMatch(/ECONNREFUSED/);
    }, WAIT);
    // Their next try is 4-5 minutes away (CHECKPOINT_COPY_RETRY_BASE_MS=300000) when the server stops.
    const [{ due }] = await first.sql<{ due: Date }>(
      `SELECT min(next_attempt_at) AS due FROM trail_checkpoint_copies WHERE tree_size = $1 AND status = 'PENDING'`,
      [cp.treeSize],
    );
    expect(due!.getTime()).toBeGreaterThan(Date.now() + 60_000);
    await first.close();
    opened.splice(0);

    // Back with S3 up and a witness listening at the (new) webhook URL.
    await s3.proxy.up();
    const receiver = await checkpointReceiver();
    cleanups.push(() => receiver.close());
    const second = await TestApp.start(
      {
        ...copySettings({ dir, endpoint: s3.endpoint, bucket: BUCKET, webhookUrl: receiver.url }),
        GATE_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      },
      { restartOf: first },
    );
    opened.push(second);
    // Nothing is run by hand here: the start-up itself resumes them.
    await vi.waitFor(async () => {
      const copies = await copiesOf(second, cp.treeSize);
      expect(copies.S3).toMatchObject({ status: 'DONE', attempts: 2 });
      expect(copies.WEBHOOK).toMatchObject({ status: 'DONE', attempts: 2 });
    }, WAIT);
    const object = await s3.s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: `checkpoints/${fileNameOf(cp.treeSize)}` }));
    expect(await object.Body!.transformToString('utf8')).toBe(noteOf(cp));
    const webhookId = (await copiesOf(second, cp.treeSize)).WEBHOOK!.id;
    expect(receiver.requests.filter((r) => r.headers['x-checkpoint-delivery'] === webhookId)).toHaveLength(1);
    expect(fs.readFileSync(path.join(dir, fileNameOf(cp.treeSize)), 'utf8')).toBe(noteOf(cp));
  });

  it("a copy another instance is delivering (its claim's lease still running) is left to it by an instance that starts", async () => {
    const dir = tempDir('rt-checkpoints-');
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    const settings = { ...copySettings({ dir, webhookUrl: await closedPortUrl() }), GATE_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' };
    const first = await TestApp.start(settings);
    opened.push(first);
    const cp = await newCheckpoint(first);
    await vi.waitFor(async () => {
      await runDue(first);
      expect((await copiesOf(first, cp.treeSize)).WEBHOOK).toMatchObject({ status: 'PENDING', attempts: 1 });
    }, WAIT);
    await first.close();
    opened.splice(0);
    // Another instance claims it (as its claim does: one more attempt, due again when the lease ends) and is sending it.
    const [claimed] = await first.sql<{ next_attempt_at: Date }>(
      `UPDATE trail_checkpoint_copies SET attempts = attempts + 1, next_attempt_at = now() + interval '60 seconds'
        WHERE tree_size = $1 AND target = 'WEBHOOK' RETURNING next_attempt_at`,
      [cp.treeSize],
    );
    const second = await TestApp.start(settings, { restartOf: first });
    opened.push(second);
    await runDue(second);
    const [after] = await second.sql<{ status: string; attempts: number; next_attempt_at: Date }>(
      `SELECT status, attempts, next_attempt_at FROM trail_checkpoint_copies WHERE tree_size = $1 AND target = 'WEBHOOK'`,
      [cp.treeSize],
    );
    expect(after).toEqual({ status: 'PENDING', attempts: 2, next_attempt_at: claimed!.next_attempt_at });
  });

  it('a checkpoint stored without any copy planned (not through CheckpointCopies.planFor) gets its copies at the next start', async () => {
    const dir = tempDir('rt-checkpoints-');
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    const first = await TestApp.start(copySettings({ dir }));
    opened.push(first);
    const cp = await newCheckpoint(first);
    await vi.waitFor(async () => {
      await runDue(first);
      expect((await copiesOf(first, cp.treeSize)).DIRECTORY!.status).toBe('DONE');
    }, WAIT);
    await first.close();
    opened.splice(0);
    // As if the copies had never been planned, and the file never written.
    await first.sql(`DELETE FROM trail_checkpoint_copies WHERE tree_size = $1`, [cp.treeSize]);
    fs.rmSync(path.join(dir, fileNameOf(cp.treeSize)));

    const second = await TestApp.start(copySettings({ dir }), { restartOf: first });
    opened.push(second);
    await vi.waitFor(async () => {
      expect((await copiesOf(second, cp.treeSize)).DIRECTORY).toMatchObject({ status: 'DONE', attempts: 1 });
    }, WAIT);
    expect(fs.readFileSync(path.join(dir, fileNameOf(cp.treeSize)), 'utf8')).toBe(noteOf(cp));
  });
});

describe('copies are planned in the checkpoint’s transaction', () => {
  let t: TestApp | undefined;
  let dir: string | undefined;
  afterAll(async () => {
    await t?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    forgetCopySettings();
  });

  it('a checkpoint whose transaction rolls back leaves no copy planned and nothing written', async () => {
    dir = tempDir('rt-checkpoints-');
    t = await TestApp.start(copySettings({ dir }));
    const txHost = t.app.get<TransactionHost<TransactionalAdapterTypeOrm>>(TransactionHost);
    let plannedInside: string[] = [];
    await expect(
      t.app.get(ClsService).run(() =>
        txHost.withTransaction(async () => {
          await txHost.tx.query(
            `INSERT INTO trail_checkpoints (tree_size, root_hash, body, signatures, key_id, reason, created_at, created_by_label)
             VALUES (999999, 'AAAA', 'x/trail\n999999\nAAAA\n', '— x/trail AAAA\n', '00000000', 'ON_DEMAND', now(), 'system:test')`,
          );
          const planned = await t!.app.get(CheckpointCopies).planFor({ treeSize: '999999' });
          plannedInside = planned.map((c) => `${c.target}:${c.status}`);
          throw new Error('巻き戻し');
        }),
      ),
    ).rejects.toThrow('巻き戻し');
    expect(plannedInside).toEqual(['DIRECTORY:PENDING']);
    expect(await t.sql(`SELECT id FROM trail_checkpoint_copies WHERE tree_size = 999999`)).toEqual([]);
    await runDue(t);
    expect(fs.existsSync(path.join(dir, fileNameOf('999999')))).toBe(false);
  });
});

describe('the checkpoint webhook follows the gate webhook’s address rules (GATE_WEBHOOK_ALLOW_PRIVATE_NETWORKS off, the default)', () => {
  let t: TestApp | undefined;
  let receiver: Awaited<ReturnType<typeof checkpointReceiver>> | undefined;
  let dir: string | undefined;
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    forgetCopySettings();
  });

  it('a webhook on a loopback address is not called: the copy says why and is retried as any failure', async () => {
    receiver = await checkpointReceiver();
    dir = tempDir('rt-checkpoints-');
    t = await TestApp.start({ ...copySettings({ dir, webhookUrl: receiver.url }), GATE_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false' });
    const cp = await newCheckpoint(t);
    await vi.waitFor(async () => {
      await runDue(t!);
      const copies = await copiesOf(t!, cp.treeSize);
      expect(copies.DIRECTORY!.status).toBe('DONE');
      expect(copies.WEBHOOK).toMatchObject({ status: 'PENDING', attempts: 1 });
    }, WAIT);
    const copy = (await copiesOf(t, cp.treeSize)).WEBHOOK!;
    expect(copy.last_error).toContain('not sent: the URL is not allowed');
    expect(copy.last_error).toContain('127.0.0.1 is a loopback address');
    expect(receiver.requests).toHaveLength(0);
  });
});
