import { describe, expect, it } from 'vitest';
import { CronMinutes, wallClock } from './cron-minutes';

const at = (iso: string) => new Date(iso);

describe('CronMinutes: whether a cron fires in a minute, in its time zone', () => {
  it('reads the cron in Tokyo wall-clock time (UTC+9)', () => {
    const midnight = new CronMinutes('0 0 * * *', 'Asia/Tokyo');
    expect(midnight.matches(at('2026-12-07T15:00:00Z'))).toBe(true);
    expect(midnight.matches(at('2026-12-07T15:00:59.999Z'))).toBe(true);
    expect(midnight.matches(at('2026-12-07T15:01:00Z'))).toBe(false);
    expect(midnight.matches(at('2026-12-07T00:00:00Z'))).toBe(false);
    const hourly = new CronMinutes('17 * * * *', 'Asia/Tokyo');
    expect(hourly.matches(at('2026-12-07T03:17:30Z'))).toBe(true);
    expect(hourly.matches(at('2026-12-07T03:18:00Z'))).toBe(false);
  });

  it('reads the day of the week where the zone is (Monday 07:30 in Tokyo is Sunday 22:30 UTC); Sunday is 0 or 7', () => {
    const digest = new CronMinutes('30 7 * * 1', 'Asia/Tokyo');
    expect(digest.matches(at('2026-12-06T22:30:00Z'))).toBe(true); // Mon 07:30 JST
    expect(digest.matches(at('2026-12-07T22:30:00Z'))).toBe(false); // Tue 07:30 JST
    expect(digest.matches(at('2026-12-07T07:30:00Z'))).toBe(false); // Mon 07:30 UTC
    expect(new CronMinutes('0 9 * * 7', 'UTC').matches(at('2026-12-06T09:00:00Z'))).toBe(true);
    expect(new CronMinutes('0 9 * * 0', 'UTC').matches(at('2026-12-06T09:00:00Z'))).toBe(true);
  });

  it('fires on either the day of the month or the day of the week when both are given, as cron does', () => {
    const thirteenthOrFriday = new CronMinutes('0 12 13 * 5', 'UTC');
    expect(thirteenthOrFriday.matches(at('2026-12-13T12:00:00Z'))).toBe(true); // a Sunday, the 13th
    expect(thirteenthOrFriday.matches(at('2026-12-11T12:00:00Z'))).toBe(true); // a Friday, the 11th
    expect(thirteenthOrFriday.matches(at('2026-12-10T12:00:00Z'))).toBe(false); // a Thursday, the 10th
    // A field written as a range of every day still restricts (Vixie cron looks at the leading "*").
    const firstOrAnyWeekday = new CronMinutes('0 0 1 * 0-6', 'UTC');
    expect(firstOrAnyWeekday.matches(at('2026-12-10T00:00:00Z'))).toBe(true);
    const firstOfMonth = new CronMinutes('0 0 1 * *', 'UTC');
    expect(firstOfMonth.matches(at('2027-01-01T00:00:00Z'))).toBe(true);
    expect(firstOfMonth.matches(at('2026-12-31T00:00:00Z'))).toBe(false);
  });

  it('follows the wall clock through daylight saving: a skipped time does not fire, a repeated one fires twice', () => {
    // New York, 2026-03-08: 02:00 EST becomes 03:00 EDT. 2026-11-01: 02:00 EDT becomes 01:00 EST.
    const twoThirty = new CronMinutes('30 2 * * *', 'America/New_York');
    const minutesOf = (cron: CronMinutes, dayStartUtc: string) => {
      const found: string[] = [];
      for (let t = Date.parse(dayStartUtc); t < Date.parse(dayStartUtc) + 86_400_000; t += 60_000) {
        if (cron.matches(new Date(t))) found.push(new Date(t).toISOString());
      }
      return found;
    };
    expect(minutesOf(twoThirty, '2026-03-08T05:00:00Z')).toEqual([]);
    expect(minutesOf(new CronMinutes('30 1 * * *', 'America/New_York'), '2026-11-01T04:00:00Z')).toEqual([
      '2026-11-01T05:30:00.000Z',
      '2026-11-01T06:30:00.000Z',
    ]);
  });

  it('refuses what it cannot read when made, not at its first look', () => {
    expect(() => new CronMinutes('0 0 * * * *', 'UTC')).toThrow(/five-field/);
    expect(() => new CronMinutes('61 0 * * *', 'UTC')).toThrow();
    expect(() => new CronMinutes('0 0 * * *', 'Mars/Olympus_Mons')).toThrow();
    expect(() => new CronMinutes('0 0 L * *', 'UTC')).toThrow(/not read here/);
    expect(() => new CronMinutes('0 0 * * 1#2', 'UTC')).toThrow(/not read here/);
  });

  it('gives the wall clock of a moment in a zone', () => {
    expect(wallClock(at('2026-12-31T15:00:00Z'), 'Asia/Tokyo')).toEqual({ month: 1, day: 1, hour: 0, minute: 0, weekday: 5 });
  });
});
