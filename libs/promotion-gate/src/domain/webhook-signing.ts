/**
 * The webhook signature and retry schedule moved to @app/common (webhooks/webhook-signing.ts),
 * shared with the trail checkpoint webhook; re-exported here so the gate's code and
 * @app/promotion-gate's exports stay as they were.
 */
export {
  SIGNATURE_SCHEME,
  SIGNATURE_TOLERANCE_SECONDS,
  RETRY_CAP_MS,
  RETRY_JITTER,
  signWebhook,
  verifyWebhook,
  retryDelayMs,
  afterAttempt,
  type AttemptOutcome,
} from '@app/common';
