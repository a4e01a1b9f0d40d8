import * as fs from 'node:fs';
import * as path from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TrailCheckpointsService } from '@app/audit-trail';
import { Actor, verifyWebhook } from '@app/common';
import { countStatements } from '../support/statement-counter';
import { errorCode, TestApp } from '../support/test-app';
import {
  checkpointReceiver,
  copiesOf,
  copySettings,
  fileNameOf,
  forgetCopySettings,
  later,
  newCheckpoint,
  noteOf,
  ORIGIN,
  runDue,
  s3BehindProxy,
  tempDir,
  WEBHOOK_SECRET,
} from './support-checkpoint-copies';

const WAIT = { timeout: 20_000, interval: 50 };
const BUCKET = 'checkpoints-test';

const PROBLEMS = `query { checkpointCopyProblems(first: 50) { totalCount nodes { id treeSize target status attempts lastError nextAttemptAt doneAt } } }`;
const RETRY = `mutation($id: ID!) { retryCheckpointCopy(id: $id) { id target status attempts lastError nextAttemptAt doneAt } }`;

interface CopyNode {
  id: string;
  treeSize: string;
  target: string;
  status: string;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  doneAt: string | null;
}

describe('every trail checkpoint is also written outside the database: a file, an S3 object, a signed webhook', () => {
  let t: TestApp;
  let s3: Awaited<ReturnType<typeof s3BehindProxy>>;
  let receiver: Awaited<ReturnType<typeof checkpointReceiver>>;
  let dir: string;
  let adminToken: string;

  beforeAll(async () => {
    s3 = await s3BehindProxy(BUCKET);
    receiver = await checkpointReceiver();
    dir = tempDir('rt-checkpoints-');
    t = await TestApp.start({
      ...copySettings({ dir, endpoint: s3.endpoint, bucket: BUCKET, webhookUrl: receiver.url }),
      // The receiver listens on 127.0.0.1 (the private-address rule itself: checkpoint-copies-restart.e2e-spec.ts).
      GATE_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    });
    adminToken = await (await t.createUser(['ADMIN'])).token();
  });

  afterAll(async () => {
    await t?.close();
    await receiver?.close();
    await s3?.proxy.down();
    await s3?.s3.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    forgetCopySettings();
  });

  const problems = async (): Promise<CopyNode[]> => {
    const res = await t.gql<{ checkpointCopyProblems: { nodes: CopyNode[] } }>(PROBLEMS, {}, adminToken);
    expect(res.errors).toBeUndefined();
    return res.data!.checkpointCopyProblems.nodes;
  };

  it('lands as a read-only file, as an object in the bucket and at the webhook, signed, with the note exactly as stored', async () => {
    const cp = await newCheckpoint(t);
    const note = noteOf(cp);
    await vi.waitFor(async () => {
      await runDue(t);
      const copies = await copiesOf(t, cp.treeSize);
      expect(Object.values(copies).map((c) => [c.target, c.status])).toEqual([
        ['DIRECTORY', 'DONE'],
        ['S3', 'DONE'],
        ['WEBHOOK', 'DONE'],
      ]);
    }, WAIT);

    const file = path.join(dir, fileNameOf(cp.treeSize));
    expect(fs.readFileSync(file, 'utf8')).toBe(note);
    expect(fs.statSync(file).mode & 0o222).toBe(0);

    const object = await s3.s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: `checkpoints/${fileNameOf(cp.treeSize)}` }));
    expect(await object.Body!.transformToString('utf8')).toBe(note);

    const copies = await copiesOf(t, cp.treeSize);
    const posts = receiver.requests.filter((r) => r.headers['x-checkpoint-delivery'] === copies.WEBHOOK!.id);
    expect(posts).toHaveLength(1);
    const post = posts[0]!;
    expect(
      verifyWebhook(
        WEBHOOK_SECRET,
        post.body,
        post.headers['x-checkpoint-signature'] as string,
        post.headers['x-checkpoint-timestamp'] as string,
        Math.floor(Date.now() / 1000),
      ),
    ).toBe(true);
    expect(
      verifyWebhook(
        'another-secret-of-the-same-length-xx',
        post.body,
        post.headers['x-checkpoint-signature'] as string,
        post.headers['x-checkpoint-timestamp'] as string,
        Math.floor(Date.now() / 1000),
      ),
    ).toBe(false);
    expect(JSON.parse(post.body)).toEqual({
      origin: ORIGIN,
      treeSize: cp.treeSize,
      rootHash: cp.rootHash,
      checkpoint: note,
      createdAt: cp.createdAt.toISOString(),
    });
    // Nothing of it is a problem.
    expect((await problems()).filter((p) => p.treeSize === cp.treeSize)).toEqual([]);
  });

  it('a failing webhook is retried, shown with its tries and last error, then delivered (same delivery id, each POST signed)', async () => {
    receiver.answers.push(500, 503);
    const cp = await newCheckpoint(t);
    await vi.waitFor(async () => {
      await runDue(t);
      expect((await copiesOf(t, cp.treeSize)).WEBHOOK).toMatchObject({
        status: 'PENDING',
        attempts: 1,
        last_error: 'HTTP 500 Internal Server Error',
      });
    }, WAIT);
    const shown = (await problems()).find((p) => p.treeSize === cp.treeSize);
    expect(shown).toMatchObject({
      target: 'WEBHOOK',
      status: 'PENDING',
      attempts: 1,
      lastError: 'HTTP 500 Internal Server Error',
      doneAt: null,
    });
    // The retry waits (5 minutes in these settings): it is due later, not now.
    expect(Date.parse(shown!.nextAttemptAt!)).toBeGreaterThan(Date.now() + 60_000);

    await runDue(t, later(10));
    expect((await copiesOf(t, cp.treeSize)).WEBHOOK).toMatchObject({
      status: 'PENDING',
      attempts: 2,
      last_error: 'HTTP 503 Service Unavailable',
    });
    await runDue(t, later(20));
    const done = (await copiesOf(t, cp.treeSize)).WEBHOOK!;
    expect(done).toMatchObject({ status: 'DONE', attempts: 3, last_error: 'HTTP 503 Service Unavailable' });
    expect(done.done_at).not.toBeNull();

    const posts = receiver.requests.filter((r) => r.headers['x-checkpoint-delivery'] === done.id);
    expect(posts).toHaveLength(3);
    for (const p of posts) {
      expect(JSON.parse(p.body)).toMatchObject({ treeSize: cp.treeSize, checkpoint: noteOf(cp) });
      expect(
        verifyWebhook(
          WEBHOOK_SECRET,
          p.body,
          p.headers['x-checkpoint-signature'] as string,
          p.headers['x-checkpoint-timestamp'] as string,
          Math.floor(Date.now() / 1000),
        ),
      ).toBe(true);
    }
    expect((await problems()).filter((p) => p.treeSize === cp.treeSize)).toEqual([]);
  });

  it('an S3 outage keeps the copy pending, then FAILED and listed; an admin retries it once S3 is back and it lands', async () => {
    await s3.proxy.down();
    let cp;
    try {
      cp = await newCheckpoint(t);
      await vi.waitFor(async () => {
        await runDue(t);
        const copies = await copiesOf(t, cp!.treeSize);
        expect(copies.S3).toMatchObject({ status: 'PENDING', attempts: 1 });
        expect(copies.S3!.last_error).toContain(`s3://${BUCKET}/checkpoints/${fileNameOf(cp!.treeSize)}`);
        // The other targets do not wait for S3.
        expect(copies.DIRECTORY!.status).toBe('DONE');
        expect(copies.WEBHOOK!.status).toBe('DONE');
      }, WAIT);
      await runDue(t, later(10));
      await runDue(t, later(20));
      expect((await copiesOf(t, cp.treeSize)).S3).toMatchObject({ status: 'FAILED', attempts: 3 });
      // Given up: no later run tries it again by itself.
      await runDue(t, later(60));
      expect((await copiesOf(t, cp.treeSize)).S3).toMatchObject({ status: 'FAILED', attempts: 3 });
    } finally {
      await s3.proxy.up();
    }
    const failed = (await problems()).find((p) => p.treeSize === cp.treeSize)!;
    expect(failed).toMatchObject({ target: 'S3', status: 'FAILED', attempts: 3, nextAttemptAt: null, doneAt: null });
    expect(failed.lastError).toBeTruthy();

    const retried = await t.gql<{ retryCheckpointCopy: CopyNode }>(RETRY, { id: failed.id }, adminToken);
    expect(retried.errors).toBeUndefined();
    expect(retried.data!.retryCheckpointCopy).toMatchObject({ id: failed.id, status: 'PENDING', attempts: 0 });
    const entry = await t.sql(
      `SELECT action, entity_id FROM audit_trail WHERE action = 'trail_checkpoint_copy.retried' AND entity_id = $1`,
      [failed.id],
    );
    expect(entry).toHaveLength(1);

    await vi.waitFor(async () => {
      await runDue(t);
      expect((await copiesOf(t, cp.treeSize)).S3).toMatchObject({ status: 'DONE', attempts: 1 });
    }, WAIT);
    const object = await s3.s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: `checkpoints/${fileNameOf(cp.treeSize)}` }));
    expect(await object.Body!.transformToString('utf8')).toBe(noteOf(cp));
    expect((await problems()).filter((p) => p.treeSize === cp.treeSize)).toEqual([]);
  });

  it('a different checkpoint already there under that size is an alarm, at once, and is never overwritten', async () => {
    await t.createUser(['EXECUTIVE'], { displayName: '経営 太郎' });
    const [{ size }] = await t.sql<{ size: string }>(`SELECT max(seq)::text AS size FROM audit_trail`);
    const forged = `${ORIGIN}\n${size}\n偽の根ハッシュ\n\n— 誰か AAAA\n`;
    const file = path.join(dir, fileNameOf(size!));
    fs.writeFileSync(file, forged);
    await s3.s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `checkpoints/${fileNameOf(size!)}`, Body: forged }));

    const cp = await t.app.get(TrailCheckpointsService).create(Actor.system('test'), 'ON_DEMAND');
    expect(cp.treeSize).toBe(size);
    await vi.waitFor(async () => {
      await runDue(t);
      const copies = await copiesOf(t, size!);
      expect(copies.DIRECTORY).toMatchObject({ status: 'FAILED', attempts: 1 });
      expect(copies.S3).toMatchObject({ status: 'FAILED', attempts: 1 });
    }, WAIT);
    const copies = await copiesOf(t, size!);
    expect(copies.DIRECTORY!.last_error).toContain('a different checkpoint of this size exists: the trail forked or the file was changed');
    expect(copies.DIRECTORY!.last_error).toContain(file);
    expect(copies.S3!.last_error).toContain('a different checkpoint of this size exists');
    expect(fs.readFileSync(file, 'utf8')).toBe(forged);
    const object = await s3.s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: `checkpoints/${fileNameOf(size!)}` }));
    expect(await object.Body!.transformToString('utf8')).toBe(forged);
    const listed = (await problems()).filter((p) => p.treeSize === size).map((p) => [p.target, p.status]);
    expect(listed.sort()).toEqual([
      ['DIRECTORY', 'FAILED'],
      ['S3', 'FAILED'],
    ]);
  });

  it('the problems list is a connection: pages follow one another without repeats, a foreign cursor is refused', async () => {
    const PAGE = `query($after: String) { checkpointCopyProblems(first: 1, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } }`;
    type Page = {
      checkpointCopyProblems: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: { id: string }[] };
    };
    const seen: string[] = [];
    let after: string | null = null;
    const totals: number[] = [];
    do {
      const res: Awaited<ReturnType<typeof t.gql<Page>>> = await t.gql<Page>(PAGE, { after }, adminToken);
      expect(res.errors).toBeUndefined();
      const page = res.data!.checkpointCopyProblems;
      totals.push(page.totalCount);
      seen.push(...page.nodes.map((n) => n.id));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    const total = totals[0]!;
    expect(total).toBeGreaterThanOrEqual(2);
    expect(new Set(totals)).toEqual(new Set([total]));
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    expect(seen).toEqual((await problems()).map((p) => p.id));
    expect(errorCode(await t.gql(PAGE, { after: 'not-a-cursor' }, adminToken))).toBe('BAD_USER_INPUT');
  });

  it('an identical file already there counts as the copy done (a retry after a crash writes nothing twice)', async () => {
    const cp = await newCheckpoint(t);
    await vi.waitFor(async () => {
      await runDue(t);
      expect((await copiesOf(t, cp.treeSize)).DIRECTORY!.status).toBe('DONE');
    }, WAIT);
    const copy = (await copiesOf(t, cp.treeSize)).DIRECTORY!;
    // As if the server had crashed after writing the file but before recording it.
    await t.sql(`UPDATE trail_checkpoint_copies SET status = 'PENDING', done_at = NULL, next_attempt_at = now() WHERE id = $1`, [copy.id]);
    await runDue(t);
    expect((await copiesOf(t, cp.treeSize)).DIRECTORY).toMatchObject({ status: 'DONE', attempts: 2, last_error: null });
    expect(fs.readFileSync(path.join(dir, fileNameOf(cp.treeSize)), 'utf8')).toBe(noteOf(cp));
  });

  it('each checkpoint shows its copies (one statement for a whole page of checkpoints); the errors only to admins', async () => {
    const auditorToken = await (await t.createUser(['AUDITOR'])).token();
    const COPIES = `query { trailCheckpoints(first: 20) { nodes { treeSize copies { id treeSize target status attempts lastError nextAttemptAt doneAt } } } }`;
    type Nodes = { trailCheckpoints: { nodes: { treeSize: string; copies: CopyNode[] }[] } };
    const { result, texts } = await countStatements(() => t.gql<Nodes>(COPIES, {}, auditorToken));
    expect(result.errors).toBeUndefined();
    const nodes = result.data!.trailCheckpoints.nodes;
    expect(nodes.length).toBeGreaterThanOrEqual(5);
    expect(texts.filter((q) => q.includes('trail_checkpoint_copies'))).toHaveLength(1);
    const asAdmin = await t.gql<Nodes>(COPIES, {}, adminToken);
    expect(asAdmin.errors).toBeUndefined();
    const errorsInDb: string[] = [];
    for (const [i, n] of nodes.entries()) {
      const db = Object.values(await copiesOf(t, n.treeSize));
      // The auditor sees where each copy went and how, but not the errors (server paths, the S3 endpoint and bucket).
      expect(n.copies.map((c) => [c.target, c.status, c.attempts, c.lastError])).toEqual(
        db.map((c) => [c.target, c.status, c.attempts, null]),
      );
      expect(asAdmin.data!.trailCheckpoints.nodes[i]!.copies.map((c) => [c.target, c.status, c.lastError])).toEqual(
        db.map((c) => [c.target, c.status, c.last_error]),
      );
      errorsInDb.push(...db.flatMap((c) => (c.last_error ? [c.last_error] : [])));
    }
    expect(errorsInDb.length).toBeGreaterThan(0);
    // The oldest checkpoint went everywhere at the first try.
    const first = nodes.at(-1)!.copies;
    expect(first.map((c) => [c.target, c.status, c.attempts, c.nextAttemptAt])).toEqual([
      ['DIRECTORY', 'DONE', 1, null],
      ['S3', 'DONE', 1, null],
      ['WEBHOOK', 'DONE', 1, null],
    ]);
    expect(first.every((c) => c.doneAt !== null)).toBe(true);
  });

  it('only admins see the problems and retry a copy; anonymous callers are not signed in; an unknown copy is NOT_FOUND', async () => {
    const id = (await t.sql<{ id: string }>(`SELECT id FROM trail_checkpoint_copies LIMIT 1`))[0]!.id;
    for (const role of ['AUDITOR', 'EXECUTIVE', 'TASK_FORCE'] as const) {
      const token = await (await t.createUser([role])).token();
      expect(errorCode(await t.gql(RETRY, { id }, token))).toBe('FORBIDDEN');
      expect(errorCode(await t.gql(PROBLEMS, {}, token))).toBe('FORBIDDEN');
    }
    expect(errorCode(await t.gql(RETRY, { id }))).toBe('UNAUTHENTICATED');
    expect(errorCode(await t.gql(PROBLEMS, {}))).toBe('UNAUTHENTICATED');
    expect(errorCode(await t.gql(RETRY, { id: '00000000-0000-4000-8000-000000000000' }, adminToken))).toBe('NOT_FOUND');
    expect(errorCode(await t.gql(RETRY, { id: 'not-a-copy' }, adminToken))).toBe('NOT_FOUND');
    // The refused calls changed nothing: the one retry recorded is the admin's of the S3 outage above.
    const retries = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM audit_trail WHERE action = 'trail_checkpoint_copy.retried'`);
    expect(retries[0]!.n).toBe(1);
  });
});
