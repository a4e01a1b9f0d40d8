import { describe, expect, it } from 'vitest';
import {
  afterCopyAttempt,
  checkpointFileName,
  checkpointObjectKey,
  copyErrorText,
  copyTargetsFor,
  rootHashOf,
  webhookBody,
} from './checkpoint-copy-rules';

const NOTE = 'tracker.example.co.jp/trail\n42\nq6Nh0gGGYx0bYw8mAhxIbTZnfg4DGhmyOGHcmM0AsKw=\n\n— tracker.example.co.jp/trail AAAA\n';

describe('checkpoint copy rules', () => {
  it('copies to the directory always, to S3 and the webhook only when configured', () => {
    expect(copyTargetsFor({})).toEqual(['DIRECTORY']);
    expect(copyTargetsFor({ s3Bucket: 'proofs' })).toEqual(['DIRECTORY', 'S3']);
    expect(copyTargetsFor({ webhookUrl: 'https://witness.example/hook' })).toEqual(['DIRECTORY', 'WEBHOOK']);
    expect(copyTargetsFor({ s3Bucket: 'proofs', webhookUrl: 'https://witness.example/hook' })).toEqual(['DIRECTORY', 'S3', 'WEBHOOK']);
  });

  it('names the file after the origin (slashes as underscores) and the size padded to 12 digits', () => {
    expect(checkpointFileName('tracker.example.co.jp/trail', '42')).toBe('tracker.example.co.jp_trail-000000000042.txt');
    expect(checkpointFileName('a/b/trail', '123456789012')).toBe('a_b_trail-123456789012.txt');
    expect(checkpointObjectKey('tracker.example.co.jp/trail', '0')).toBe('checkpoints/tracker.example.co.jp_trail-000000000000.txt');
  });

  it('refuses an origin or a size that could name another path', () => {
    expect(() => checkpointFileName('../etc/trail', '1')).toThrow(/origin/);
    expect(() => checkpointFileName('/abs/trail', '1')).toThrow(/origin/);
    expect(() => checkpointFileName('a b', '1')).toThrow(/origin/);
    expect(() => checkpointFileName('x/trail', '-1')).toThrow(/tree size/);
    expect(() => checkpointFileName('x/trail', '01')).toThrow(/tree size/);
  });

  it('the webhook body carries the origin, size, root hash, the note and its time', () => {
    const body = JSON.parse(
      webhookBody({ origin: 'tracker.example.co.jp/trail', treeSize: '42', text: NOTE, createdAt: new Date('2026-12-01T00:00:00.000Z') }),
    ) as Record<string, unknown>;
    expect(body).toEqual({
      origin: 'tracker.example.co.jp/trail',
      treeSize: '42',
      rootHash: 'q6Nh0gGGYx0bYw8mAhxIbTZnfg4DGhmyOGHcmM0AsKw=',
      checkpoint: NOTE,
      createdAt: '2026-12-01T00:00:00.000Z',
    });
    expect(rootHashOf('not\na\nnote hash!')).toBeNull();
  });

  it('retries a failed copy after a doubling delay up to 5 minutes, then gives up', () => {
    const policy = { maxAttempts: 12, baseMs: 1000 };
    const fail = { ok: false as const, error: 'HTTP 500' };
    expect(afterCopyAttempt({ ok: true }, 1, policy, 0)).toEqual({ status: 'DONE' });
    expect(afterCopyAttempt(fail, 1, policy, 0)).toEqual({ status: 'PENDING', retryInMs: 1000 });
    expect(afterCopyAttempt(fail, 2, policy, 0)).toEqual({ status: 'PENDING', retryInMs: 2000 });
    expect(afterCopyAttempt(fail, 4, policy, 0)).toEqual({ status: 'PENDING', retryInMs: 8000 });
    expect(afterCopyAttempt(fail, 11, policy, 0)).toEqual({ status: 'PENDING', retryInMs: 300_000 });
    expect(afterCopyAttempt(fail, 12, policy, 0)).toEqual({ status: 'FAILED' });
  });

  it('gives up at once on an error no retry can cure (another checkpoint of this size)', () => {
    expect(afterCopyAttempt({ ok: false, error: 'fork', final: true }, 1, { maxAttempts: 12, baseMs: 1000 }, 0)).toEqual({
      status: 'FAILED',
    });
  });

  it('keeps an error on one line and bounded', () => {
    expect(copyErrorText('connect\n  ECONNREFUSED  ')).toBe('connect ECONNREFUSED');
    expect(copyErrorText('x'.repeat(2000))).toHaveLength(500);
  });
});
