import { signWebhook } from '@app/common';
import { attemptDeadline } from './attempt-deadline';
import { webhookBody, type CheckpointForCopy, type CopyAttemptResult } from './domain/checkpoint-copy-rules';

/** One POST of the checkpoint webhook may take this long before it counts as failed. */
export const CHECKPOINT_WEBHOOK_TIMEOUT_MS = 10_000;

/**
 * The way out for the checkpoint webhook (a port: the address rules and the
 * pinned connection are the gate webhook's, in @app/promotion-gate, which
 * depends on this lib; apps/api provides it with WebhookTargets and postPinned).
 * `refused`: the URL may not be called (http(s) only, no credentials, and a
 * public address unless GATE_WEBHOOK_ALLOW_PRIVATE_NETWORKS); nothing was sent.
 */
export abstract class CheckpointWebhookPost {
  abstract post(
    url: string,
    headers: Record<string, string>,
    body: string,
    signal: AbortSignal,
  ): Promise<{ status: number; statusText: string } | { refused: string }>;
}

export interface WebhookCopyTarget {
  url: string;
  secret: string;
}

/**
 * POSTs `{ origin, treeSize, rootHash, checkpoint, createdAt }` (JSON), signed
 * as the gate's webhooks are (@app/common webhook-signing) under the headers
 * `X-Checkpoint-Timestamp`, `X-Checkpoint-Signature: sha256=<HMAC-SHA256(secret,
 * "<timestamp>.<body>")>` and `X-Checkpoint-Delivery: <copy id>` (the same on
 * every retry: receivers de-duplicate on it). A 2xx answer is the copy done.
 */
export async function copyToWebhook(
  poster: CheckpointWebhookPost,
  target: WebhookCopyTarget,
  checkpoint: CheckpointForCopy,
  deliveryId: string,
  now: Date,
  shutdown: AbortSignal,
): Promise<CopyAttemptResult> {
  const body = webhookBody(checkpoint);
  const timestamp = Math.floor(now.getTime() / 1000);
  const deadline = attemptDeadline(CHECKPOINT_WEBHOOK_TIMEOUT_MS, shutdown);
  try {
    const answer = await poster.post(
      target.url,
      {
        'Content-Type': 'application/json',
        'User-Agent': 'remediation-tracker-checkpoint-webhook/1',
        'X-Checkpoint-Signature': signWebhook(target.secret, timestamp, body),
        'X-Checkpoint-Timestamp': String(timestamp),
        'X-Checkpoint-Delivery': deliveryId,
      },
      body,
      deadline.signal,
    );
    if ('refused' in answer) return { ok: false, error: `not sent: the URL is not allowed: ${answer.refused}` };
    if (answer.status >= 200 && answer.status < 300) return { ok: true };
    return { ok: false, error: `HTTP ${answer.status}${answer.statusText ? ` ${answer.statusText}` : ''}` };
  } catch (err) {
    if (deadline.timedOut) return { ok: false, error: `timed out after ${CHECKPOINT_WEBHOOK_TIMEOUT_MS} ms` };
    if (shutdown.aborted) return { ok: false, error: 'aborted: the server was shutting down' };
    return { ok: false, error: postErrorText(err) };
  } finally {
    deadline.dispose();
  }
}

function postErrorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: string }).code ?? (err.cause as { code?: string } | undefined)?.code;
  return code && !err.message.includes(code) ? `${err.message} (${code})` : err.message;
}
