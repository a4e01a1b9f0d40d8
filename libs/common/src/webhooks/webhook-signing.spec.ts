import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { afterAttempt, RETRY_CAP_MS, retryDelayMs, signWebhook, verifyWebhook } from './webhook-signing';

const SECRET = 'a-webhook-secret-of-some-length';
const BODY = '{"event":"gate.changed","key":"new-customer-promotion","toState":"SUSPENDED"}';

describe('webhook signature (what a receiver recomputes)', () => {
  it('is sha256=<hex HMAC-SHA256 of "<timestamp>.<body>"> with the secret (a known vector, and the recipe from the README)', () => {
    expect(signWebhook('key', 1700000000, '{}')).toBe(`sha256=${createHmac('sha256', 'key').update('1700000000.{}').digest('hex')}`);
    expect(signWebhook('key', 1700000000, '{}')).toMatch(/^sha256=[0-9a-f]{64}$/);
  });

  it('signs the body bytes as UTF-8 (Japanese text in a reason)', () => {
    const body = '{"reason":"社長が手動で停止"}';
    expect(signWebhook(SECRET, 1, body)).toBe(
      `sha256=${createHmac('sha256', Buffer.from(SECRET))
        .update(Buffer.from(`1.${body}`, 'utf8'))
        .digest('hex')}`,
    );
  });

  it('verifies with the right secret, body and a fresh timestamp', () => {
    const ts = 1_800_000_000;
    expect(verifyWebhook(SECRET, BODY, signWebhook(SECRET, ts, BODY), String(ts), ts + 10)).toBe(true);
  });

  it('refuses another secret, a changed body, a changed timestamp, and missing headers', () => {
    const ts = 1_800_000_000;
    const sig = signWebhook(SECRET, ts, BODY);
    expect(verifyWebhook('another-secret-of-some-length', BODY, sig, String(ts), ts)).toBe(false);
    expect(verifyWebhook(SECRET, BODY.replace('SUSPENDED', 'OPEN'), sig, String(ts), ts)).toBe(false);
    expect(verifyWebhook(SECRET, BODY, sig, String(ts + 1), ts)).toBe(false);
    expect(verifyWebhook(SECRET, BODY, undefined, String(ts), ts)).toBe(false);
    expect(verifyWebhook(SECRET, BODY, sig, undefined, ts)).toBe(false);
    expect(verifyWebhook(SECRET, BODY, sig, 'not-a-number', ts)).toBe(false);
    expect(verifyWebhook(SECRET, BODY, 'sha256=00', String(ts), ts)).toBe(false);
  });

  it('refuses a replay: a timestamp more than 5 minutes from the receiver clock, either way', () => {
    const ts = 1_800_000_000;
    const sig = signWebhook(SECRET, ts, BODY);
    expect(verifyWebhook(SECRET, BODY, sig, String(ts), ts + 300)).toBe(true);
    expect(verifyWebhook(SECRET, BODY, sig, String(ts), ts + 301)).toBe(false);
    expect(verifyWebhook(SECRET, BODY, sig, String(ts), ts - 301)).toBe(false);
  });
});

describe('retry schedule (exponential back-off with jitter)', () => {
  it('without jitter: 1 s, 2 s, 4 s ... doubling, capped at 5 minutes', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 20].map((n) => retryDelayMs(n, 1000, 0))).toEqual([
      1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000, 256000, 300000, 300000, 300000,
    ]);
  });

  it('jitter only shortens, by at most 20 %, and never passes the cap', () => {
    for (const n of [1, 2, 5, 9, 10, 30]) {
      const full = retryDelayMs(n, 1000, 0);
      for (const r of [0, 0.25, 0.5, 0.999999]) {
        const d = retryDelayMs(n, 1000, r);
        expect(d).toBeLessThanOrEqual(full);
        expect(d).toBeGreaterThanOrEqual(Math.floor(full * 0.8));
        expect(d).toBeLessThanOrEqual(RETRY_CAP_MS);
      }
    }
  });

  it('before the cap, every wait is longer than the one before, whatever the jitter', () => {
    for (let n = 1; n < 9; n++) {
      const longestNow = retryDelayMs(n, 1000, 0);
      const shortestNext = retryDelayMs(n + 1, 1000, 0.999999);
      expect(shortestNext).toBeGreaterThan(longestNow);
    }
  });

  it('scales with the configured base and survives absurd attempt numbers', () => {
    expect(retryDelayMs(1, 50, 0)).toBe(50);
    expect(retryDelayMs(3, 50, 0)).toBe(200);
    expect(retryDelayMs(10_000, 1000, 0)).toBe(RETRY_CAP_MS);
    expect(retryDelayMs(0, 1000, 0)).toBe(1000);
  });
});

describe('after an attempt', () => {
  const policy = { maxAttempts: 3, baseMs: 1000 };

  it('a 2xx delivers, even on the last attempt', () => {
    expect(afterAttempt(200, 1, policy, 0)).toEqual({ status: 'DELIVERED' });
    expect(afterAttempt(204, 3, policy, 0)).toEqual({ status: 'DELIVERED' });
  });

  it('a non-2xx answer (3xx included) or no answer is retried with the back-off until the last attempt, then FAILED', () => {
    expect(afterAttempt(500, 1, policy, 0)).toEqual({ status: 'PENDING', retryInMs: 1000 });
    expect(afterAttempt(302, 1, policy, 0)).toEqual({ status: 'PENDING', retryInMs: 1000 });
    expect(afterAttempt(null, 2, policy, 0)).toEqual({ status: 'PENDING', retryInMs: 2000 });
    expect(afterAttempt(500, 3, policy, 0)).toEqual({ status: 'FAILED' });
    expect(afterAttempt(null, 3, policy, 0)).toEqual({ status: 'FAILED' });
  });
});
