import { describe, expect, it } from 'vitest';
import { CASE_TIME_ZONE } from '@app/common';
import { CronMinutes } from './cron-minutes';
import { JOB_DEFINITIONS, JOB_NAMES } from './job-definitions';

/**
 * One job per period rests on pg-boss's `singleton_on` (now() cut to a multiple of `periodSeconds` since 1970,
 * UTC): each period must hold exactly one firing of the queue's cron, read in Asia/Tokyo (UTC+9 all year).
 */

describe('the job definitions', () => {
  it('name every queue once, in the case’s time zone', () => {
    expect(JOB_DEFINITIONS.map((d) => d.name).sort()).toEqual([...JOB_NAMES].sort());
    expect(new Set(JOB_DEFINITIONS.map((d) => d.timeZone))).toEqual(new Set([CASE_TIME_ZONE]));
    expect(CASE_TIME_ZONE).toBe('Asia/Tokyo');
  });

  it.each(JOB_DEFINITIONS.map((d) => [d.name, d] as const))('%s: every period holds one firing of its cron, no more', (_name, def) => {
    const start = Date.UTC(2026, 11, 28); // a fortnight over a year's end, Mondays included
    const cron = new CronMinutes(def.cron, def.timeZone);
    const firingsPerPeriod = new Map<number, number>();
    for (let t = start; t < start + 14 * 86_400_000; t += 60_000) {
      if (!cron.matches(new Date(t))) continue;
      const period = Math.floor(t / 1000 / def.periodSeconds);
      firingsPerPeriod.set(period, (firingsPerPeriod.get(period) ?? 0) + 1);
    }
    expect(firingsPerPeriod.size).toBeGreaterThan(0);
    expect(Math.max(...firingsPerPeriod.values())).toBe(1);
  });

  it('retry with back-off, expire before a day, and let the every-minute looks retry less', () => {
    for (const d of JOB_DEFINITIONS) {
      expect(d.retryBackoff).toBe(true);
      expect(d.expireInSeconds).toBeLessThan(86_400);
      expect(d.retryLimit).toBe(d.periodSeconds === 60 ? 2 : 5);
    }
  });
});
