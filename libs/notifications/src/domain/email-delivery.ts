/**
 * When a notification's e-mail is tried again, as pure functions.
 *
 * Delivery is at least once: the first attempt right after the notification
 * is created; a failed attempt is retried after 1 min, 5 min, 30 min, 2 h and
 * 12 h (six attempts over about 15 h), then given up (FAILED). No jitter: the
 * retries are picked up by a job that runs once a minute, which spreads them
 * anyway, and there is only one SMTP server to spare.
 *
 * Not retried, FAILED at once: an answer that says the same message will be
 * refused again (a permanent 5xx reply to RCPT TO or DATA: unknown mailbox,
 * message rejected). Everything else is retried: the server away or slow, a
 * 4xx "try later", and also a refused login or sender (the server's
 * configuration, which an administrator may fix meanwhile).
 */

/** The wait after failed attempt n (1-based) is `EMAIL_RETRY_DELAYS_MS[n - 1]`. */
export const EMAIL_RETRY_DELAYS_MS: readonly number[] = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3600_000, 12 * 3600_000];

/** Attempts before an e-mail is given up: the first and one per retry delay. */
export const EMAIL_MAX_ATTEMPTS = EMAIL_RETRY_DELAYS_MS.length + 1;

/**
 * How long a claimed e-mail stays out of reach of other workers. A process that
 * dies while sending leaves it claimed; after this time another one sends it
 * again (at least once). Far longer than one SMTP conversation may take
 * (NotificationMailer's timeouts: 10 s + 10 s + 30 s).
 */
export const EMAIL_CLAIM_LEASE_MS = 15 * 60_000;

export type EmailAttemptOutcome = { status: 'SENT' } | { status: 'PENDING'; retryInMs: number } | { status: 'FAILED'; error: string };

/**
 * After attempt `attempt` (1-based, counted when the e-mail was claimed): sent;
 * or to be retried after the schedule's delay; or given up (a permanent refusal,
 * or the last attempt), with the error to record.
 */
export function afterEmailAttempt(
  result: { ok: true } | { ok: false; error: string; permanent: boolean },
  attempt: number,
): EmailAttemptOutcome {
  if (result.ok) return { status: 'SENT' };
  if (result.permanent) return { status: 'FAILED', error: result.error };
  if (attempt >= EMAIL_MAX_ATTEMPTS) return { status: 'FAILED', error: `gave up after ${attempt} attempts; last: ${result.error}` };
  const delay = EMAIL_RETRY_DELAYS_MS[Math.max(1, Math.floor(attempt)) - 1]!;
  return { status: 'PENDING', retryInMs: delay };
}
