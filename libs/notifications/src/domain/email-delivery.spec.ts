import { describe, expect, it } from 'vitest';
import { afterEmailAttempt, EMAIL_MAX_ATTEMPTS, EMAIL_RETRY_DELAYS_MS } from './email-delivery';

const MIN = 60_000;
const transient = { ok: false as const, error: 'EENVELOPE: 451 4.3.0 try again later', permanent: false };

describe('e-mail retry schedule', () => {
  it('an accepted e-mail is SENT, whatever the attempt', () => {
    expect(afterEmailAttempt({ ok: true }, 1)).toEqual({ status: 'SENT' });
    expect(afterEmailAttempt({ ok: true }, 9)).toEqual({ status: 'SENT' });
  });

  it('a temporary failure is retried after 1 min, 5 min, 30 min, 2 h, 12 h; the sixth failure gives up', () => {
    expect(EMAIL_MAX_ATTEMPTS).toBe(6);
    const waits = [1, 2, 3, 4, 5].map((n) => afterEmailAttempt(transient, n));
    expect(waits).toEqual([1 * MIN, 5 * MIN, 30 * MIN, 120 * MIN, 720 * MIN].map((retryInMs) => ({ status: 'PENDING', retryInMs })));
    expect(afterEmailAttempt(transient, 6)).toEqual({
      status: 'FAILED',
      error: 'gave up after 6 attempts; last: EENVELOPE: 451 4.3.0 try again later',
    });
    // A claim whose sender died counted an attempt too: past the last, a failure still gives up.
    expect(afterEmailAttempt(transient, 7).status).toBe('FAILED');
  });

  it('every wait is longer than the one before', () => {
    for (let i = 1; i < EMAIL_RETRY_DELAYS_MS.length; i++) expect(EMAIL_RETRY_DELAYS_MS[i]!).toBeGreaterThan(EMAIL_RETRY_DELAYS_MS[i - 1]!);
  });

  it('a permanent refusal (unknown mailbox) is FAILED at once with the server’s answer', () => {
    expect(afterEmailAttempt({ ok: false, error: 'EENVELOPE: 550 5.1.1 mailbox unavailable', permanent: true }, 1)).toEqual({
      status: 'FAILED',
      error: 'EENVELOPE: 550 5.1.1 mailbox unavailable',
    });
  });
});
