import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The outgoing webhooks' signature and retry schedule, as pure functions: the
 * gate's webhook (headers `X-Gate-*`, below) and the trail checkpoint webhook
 * (the same scheme under `X-Checkpoint-Timestamp`, `X-Checkpoint-Signature`,
 * `X-Checkpoint-Delivery`, signed with CHECKPOINT_WEBHOOK_SECRET).
 *
 * ## Signature (format `sha256=`, documented in the README, "Webhook")
 * Each POST of the gate's webhook carries
 * - `X-Gate-Timestamp: <unix seconds when this attempt was signed>`
 * - `X-Gate-Signature: sha256=<lowercase hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`
 * - `X-Gate-Delivery: <delivery id>` (the same on every retry of one delivery: de-duplicate on it)
 * The secret is the gate's secret at the moment of the attempt (an admin who
 * rotates it affects retries too). A receiver recomputes the HMAC over the raw
 * bytes of the body it received (never over re-serialised JSON), compares in
 * constant time, and refuses a timestamp more than 5 minutes from its clock
 * (a captured request cannot be replayed later; the timestamp is inside the
 * signed text, so it cannot be changed either).
 *
 * ## Retries
 * Attempt n (1-based) that fails is retried after a delay in [0.8·d, d] with
 * d = min(cap, base · 2^(n-1)): 1 s, 2 s, 4 s ... 5 min by default. The jitter
 * only ever shortens (never past the cap), and 0.8 · 2d > d, so before the cap
 * every wait is longer than the one before it.
 */

export const SIGNATURE_SCHEME = 'sha256';
/** How far a receiver should accept X-Gate-Timestamp from its own clock. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export const RETRY_CAP_MS = 5 * 60 * 1000;
export const RETRY_JITTER = 0.2;

/** `sha256=<hex>` over `"<timestamp>.<body>"`. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `${SIGNATURE_SCHEME}=${createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

/**
 * What a receiver does (the README shows the same few lines): true only when the
 * signature matches the body and timestamp, and the timestamp is within
 * `toleranceSeconds` of `nowSeconds`.
 */
export function verifyWebhook(
  secret: string,
  body: string,
  signatureHeader: string | undefined,
  timestampHeader: string | undefined,
  nowSeconds: number,
  toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS,
): boolean {
  if (!signatureHeader || !timestampHeader || !/^\d{1,12}$/.test(timestampHeader)) return false;
  const timestamp = Number(timestampHeader);
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(signatureHeader);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The wait after failed attempt `attempt` (1-based), in ms. `random` is in [0, 1)
 * (Math.random in production; fixed in tests).
 */
export function retryDelayMs(attempt: number, baseMs: number, random: number, capMs = RETRY_CAP_MS): number {
  const n = Math.max(1, Math.floor(attempt));
  const d = Math.min(capMs, baseMs * 2 ** Math.min(n - 1, 40));
  const r = Math.min(Math.max(random, 0), 1);
  return Math.round(d * (1 - RETRY_JITTER * r));
}

/** What happens to a delivery after an attempt. */
export type AttemptOutcome = { status: 'DELIVERED' } | { status: 'PENDING'; retryInMs: number } | { status: 'FAILED' };

/**
 * After attempt `attempt` (1-based): a 2xx delivers; anything else (another HTTP
 * status, a timeout, a refused connection) is retried until `maxAttempts`, then FAILED.
 */
export function afterAttempt(
  httpStatus: number | null,
  attempt: number,
  policy: { maxAttempts: number; baseMs: number },
  random: number,
): AttemptOutcome {
  if (httpStatus !== null && httpStatus >= 200 && httpStatus < 300) return { status: 'DELIVERED' };
  if (attempt >= policy.maxAttempts) return { status: 'FAILED' };
  return { status: 'PENDING', retryInMs: retryDelayMs(attempt, policy.baseMs, random) };
}
