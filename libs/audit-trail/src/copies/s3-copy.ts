import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ConfigService } from '@nestjs/config';
import { s3ClientConfig, type AppConfig } from '@app/common';
import { attemptDeadline } from './attempt-deadline';
import { checkpointObjectKey, DIFFERENT_CHECKPOINT, type CheckpointForCopy, type CopyAttemptResult } from './domain/checkpoint-copy-rules';

/** One try at the bucket (a read and a PUT, maybe a read back) may take this long. */
export const CHECKPOINT_S3_TIMEOUT_MS = 30_000;

/**
 * The client for CHECKPOINT_S3_BUCKET, built from the evidence store's S3
 * settings (EVIDENCE_S3_ENDPOINT, _REGION, _ACCESS_KEY_ID, _SECRET_ACCESS_KEY,
 * _FORCE_PATH_STYLE) as the evidence store builds its own. One try per call
 * (`maxAttempts: 1`): the copy's own retries (with back-off, recorded) are the worker's.
 */
export function checkpointS3Client(config: ConfigService<AppConfig, true>): S3Client {
  return new S3Client({ ...s3ClientConfig(config), maxAttempts: 1 });
}

/**
 * Puts a checkpoint at `s3://<bucket>/checkpoints/<file name>`, never over an
 * existing object: read first (an identical object is the copy already done,
 * another one the alarm "a different checkpoint of this size exists"), then a
 * PUT with `If-None-Match: *`; a server that answers 412 (another writer got
 * there between the read and the PUT) is read back and compared the same way.
 * (A server that ignores If-None-Match is still protected by the read first,
 * up to that race.) One try takes at most CHECKPOINT_S3_TIMEOUT_MS.
 */
export async function copyToS3(
  client: S3Client,
  bucket: string,
  checkpoint: CheckpointForCopy,
  shutdown: AbortSignal,
): Promise<CopyAttemptResult> {
  const Key = checkpointObjectKey(checkpoint.origin, checkpoint.treeSize);
  const where = `s3://${bucket}/${Key}`;
  const deadline = attemptDeadline(CHECKPOINT_S3_TIMEOUT_MS, shutdown);
  const signal = deadline.signal;
  try {
    const existing = await readObject(client, bucket, Key, signal);
    if (existing !== null) return compare(existing, checkpoint.text, where);
    try {
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key,
          Body: Buffer.from(checkpoint.text, 'utf8'),
          ContentType: 'text/plain; charset=utf-8',
          IfNoneMatch: '*',
        }),
        { abortSignal: signal },
      );
      return { ok: true };
    } catch (err) {
      if (statusOf(err) !== 412) throw err;
      const raced = await readObject(client, bucket, Key, signal);
      if (raced === null) return { ok: false, error: `${where}: the server refused the PUT (412) but holds no object` };
      return compare(raced, checkpoint.text, where);
    }
  } catch (err) {
    if (deadline.timedOut) return { ok: false, error: `${where}: timed out after ${CHECKPOINT_S3_TIMEOUT_MS} ms` };
    if (shutdown.aborted) return { ok: false, error: `${where}: aborted: the server was shutting down` };
    return { ok: false, error: `${where}: ${s3ErrorText(err)}` };
  } finally {
    deadline.dispose();
  }
}

async function readObject(client: S3Client, Bucket: string, Key: string, signal: AbortSignal): Promise<Buffer | null> {
  try {
    const res = await client.send(new GetObjectCommand({ Bucket, Key }), { abortSignal: signal });
    if (!res.Body) return Buffer.alloc(0);
    return Buffer.from(await res.Body.transformToByteArray());
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

function compare(existing: Buffer, text: string, where: string): CopyAttemptResult {
  if (existing.equals(Buffer.from(text, 'utf8'))) return { ok: true };
  return { ok: false, final: true, error: `${DIFFERENT_CHECKPOINT} (${where})` };
}

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

function isNotFound(err: unknown): boolean {
  const name = (err as { name?: string } | null)?.name;
  return name === 'NotFound' || name === 'NoSuchKey' || statusOf(err) === 404;
}

function s3ErrorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const status = statusOf(err);
  const code = (err as { code?: string }).code ?? (err.cause as { code?: string } | undefined)?.code;
  return [err.name !== 'Error' ? err.name : null, err.message, status ? `HTTP ${status}` : null, code ?? null]
    .filter((p): p is string => !!p)
    .filter((p, i, all) => all.indexOf(p) === i)
    .join(': ');
}
