import { describe, expect, it } from 'vitest';
import { dayOf, daysBetween, daysLeft, dueDay, lateDays, type DayCountRule } from './day-count';

const TOKYO: DayCountRule = { timeZone: 'Asia/Tokyo', knowledgeDayNumber: 1 };
const CIVIL: DayCountRule = { timeZone: 'Asia/Tokyo', knowledgeDayNumber: 0 };
const at = (iso: string) => new Date(iso);

describe('the duty day count (calendar days in Asia/Tokyo, the knowledge day is day 1)', () => {
  it('takes the knowledge day in Tokyo, not in UTC: 15:30 UTC on 2 July is 3 July in Japan', () => {
    expect(dayOf(at('2026-07-02T15:30:00Z'), TOKYO)).toBe('2026-07-03');
    expect(dayOf(at('2026-07-02T14:59:59.999Z'), TOKYO)).toBe('2026-07-02');
  });

  it('counts the knowledge day as day 1: 30 days from 3 July fall due on 1 August, 60 days on 31 August', () => {
    expect(dueDay(at('2026-07-03T01:00:00+09:00'), 30, TOKYO)).toBe('2026-08-01');
    expect(dueDay(at('2026-07-03T23:59:00+09:00'), 60, TOKYO)).toBe('2026-08-31');
    expect(dueDay(at('2026-07-03T09:00:00+09:00'), 5, TOKYO)).toBe('2026-07-07');
  });

  it('a pack may count from the next day instead (Civil Code art. 140): one day later', () => {
    expect(dueDay(at('2026-07-03T09:00:00+09:00'), 30, CIVIL)).toBe('2026-08-02');
  });

  it('runs across month and year ends, February and leap days included, weekends counted', () => {
    expect(dueDay(at('2026-01-31T10:00:00+09:00'), 30, TOKYO)).toBe('2026-03-01'); // 2026 is not a leap year
    expect(dueDay(at('2028-01-31T10:00:00+09:00'), 30, TOKYO)).toBe('2028-02-29'); // 2028 is
    expect(dueDay(at('2026-12-15T10:00:00+09:00'), 30, TOKYO)).toBe('2027-01-13');
    expect(dueDay(at('2026-11-30T10:00:00+09:00'), 60, TOKYO)).toBe('2027-01-28');
    // 2026-07-04 is a Saturday: a five-day target starting on a Friday still ends on Tuesday.
    expect(dueDay(at('2026-07-03T10:00:00+09:00'), 5, TOKYO)).toBe('2026-07-07');
  });

  it('the knowledge day late at night in Japan is already the next UTC day: the count follows Tokyo', () => {
    // 31 January 23:30 in Tokyo = 31 January 14:30 UTC; 1 February 00:30 in Tokyo = 31 January 15:30 UTC.
    expect(dueDay(at('2026-01-31T14:30:00Z'), 30, TOKYO)).toBe('2026-03-01');
    expect(dueDay(at('2026-01-31T15:30:00Z'), 30, TOKYO)).toBe('2026-03-02');
  });

  it('refuses a limit that is not a whole number of days ≥ 1', () => {
    expect(() => dueDay(at('2026-07-03T00:00:00Z'), 0, TOKYO)).toThrow(RangeError);
    expect(() => dueDay(at('2026-07-03T00:00:00Z'), 2.5, TOKYO)).toThrow(RangeError);
  });

  it('days left: positive before, 0 on the due day (until 24:00 Tokyo), negative once late', () => {
    expect(daysLeft('2026-08-01', at('2026-07-25T12:00:00+09:00'), TOKYO)).toBe(7);
    expect(daysLeft('2026-08-01', at('2026-08-01T23:59:59+09:00'), TOKYO)).toBe(0);
    expect(daysLeft('2026-08-01', at('2026-08-02T00:00:00+09:00'), TOKYO)).toBe(-1);
    expect(daysLeft('2026-08-01', at('2026-08-01T15:00:00Z'), TOKYO)).toBe(-1); // 2 August 00:00 in Tokyo
  });

  it('a filing on its due day is on time; the days late are counted in Tokyo days', () => {
    expect(lateDays('2026-08-01', at('2026-08-01T23:59:00+09:00'), TOKYO)).toBe(0);
    expect(lateDays('2026-08-01', at('2026-07-20T10:00:00+09:00'), TOKYO)).toBe(0);
    expect(lateDays('2026-08-01', at('2026-08-04T09:00:00+09:00'), TOKYO)).toBe(3);
    expect(daysBetween('2026-02-27', '2026-03-01')).toBe(2);
  });
});
