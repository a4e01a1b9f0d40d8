import { retryDelayMs, RETRY_CAP_MS } from '@app/common';
import type { CheckpointCopyTarget } from '../checkpoint-copy.entity';

/**
 * The rules of copying trail checkpoints outside the database, as pure
 * functions (docs/proofs.md, "File copy"): which targets, the file name, what
 * an existing copy means, the retry schedule.
 */

/** What a copy needs of a checkpoint (the one stored in `trail_checkpoints`). */
export interface CheckpointForCopy {
  /** The tree size, decimal (bigint as text). */
  treeSize: string;
  /** The note's origin line, e.g. `tracker.example.co.jp/trail`. */
  origin: string;
  /** The signed note, exactly as stored (body, blank line, signature lines). */
  text: string;
  createdAt: Date;
}

/** The settings that choose the targets. */
export interface CopyTargetSettings {
  s3Bucket?: string | null;
  webhookUrl?: string | null;
}

/** DIRECTORY always; S3 with a bucket; WEBHOOK with a URL. */
export function copyTargetsFor(settings: CopyTargetSettings): CheckpointCopyTarget[] {
  const targets: CheckpointCopyTarget[] = ['DIRECTORY'];
  if (settings.s3Bucket) targets.push('S3');
  if (settings.webhookUrl) targets.push('WEBHOOK');
  return targets;
}

/** `<origin with / as _>-<size zero-padded to 12>.txt`: the file's name in CHECKPOINT_DIR and the key's last part in S3. */
export function checkpointFileName(origin: string, treeSize: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(origin) || origin.includes('..')) {
    throw new Error(`not a checkpoint origin a file may be named after: ${JSON.stringify(origin)}`);
  }
  if (!/^(0|[1-9]\d*)$/.test(treeSize)) throw new Error(`not a tree size: ${JSON.stringify(treeSize)}`);
  return `${origin.replace(/\//g, '_')}-${treeSize.padStart(12, '0')}.txt`;
}

/** The S3 object key of a checkpoint's copy. */
export function checkpointObjectKey(origin: string, treeSize: string): string {
  return `checkpoints/${checkpointFileName(origin, treeSize)}`;
}

/** The text of the alarm when a target already holds another checkpoint of this size. */
export const DIFFERENT_CHECKPOINT =
  'a different checkpoint of this size exists: the trail forked or the file was changed; it was left as it is';

/**
 * The note's base64 root hash (its third line), or null if the text is not a
 * checkpoint body (the webhook sends it as a field of its own).
 */
export function rootHashOf(text: string): string | null {
  const lines = text.split('\n');
  const root = lines[2];
  return root !== undefined && /^[A-Za-z0-9+/]+={0,2}$/.test(root) ? root : null;
}

/** The JSON the checkpoint webhook POSTs (and signs): exactly these fields, in this order. */
export function webhookBody(c: CheckpointForCopy): string {
  return JSON.stringify({
    origin: c.origin,
    treeSize: c.treeSize,
    rootHash: rootHashOf(c.text),
    checkpoint: c.text,
    createdAt: c.createdAt.toISOString(),
  });
}

/** What one try at a copy gave. */
export type CopyAttemptResult =
  | { ok: true }
  /** `final`: retrying cannot help (another checkpoint of this size is there): FAILED at once. */
  | { ok: false; error: string; final?: boolean };

export interface CopyRetryPolicy {
  maxAttempts: number;
  baseMs: number;
}

export type CopyOutcome = { status: 'DONE' } | { status: 'PENDING'; retryInMs: number } | { status: 'FAILED' };

/**
 * After try `attempt` (1-based): done, retried after base · 2^(attempt-1) (at
 * most 5 minutes, the jitter only shortens), or FAILED after `maxAttempts`
 * tries or at once for a final error.
 */
export function afterCopyAttempt(result: CopyAttemptResult, attempt: number, policy: CopyRetryPolicy, random: number): CopyOutcome {
  if (result.ok) return { status: 'DONE' };
  if (result.final || attempt >= policy.maxAttempts) return { status: 'FAILED' };
  return { status: 'PENDING', retryInMs: retryDelayMs(attempt, policy.baseMs, random, RETRY_CAP_MS) };
}

/** Longest error text kept on a copy. */
export const MAX_COPY_ERROR = 500;

/** The error as stored: one line, at most MAX_COPY_ERROR characters. */
export function copyErrorText(error: string): string {
  const oneLine = error.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_COPY_ERROR ? `${oneLine.slice(0, MAX_COPY_ERROR - 1)}…` : oneLine;
}
