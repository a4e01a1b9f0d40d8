/**
 * Calendar days (YYYY-MM-DD) as the case writes dates: deadlines, disclosure
 * dates, membership dates. They are compared as text (ISO order).
 */

/** The calendar the case lives in: a deadline falls due at the end of that day in Japan. */
export const CASE_TIME_ZONE = 'Asia/Tokyo';

/** A real day written YYYY-MM-DD (no 2026-02-30, no 2026-7-9). */
export function isCalendarDay(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** Today's calendar day in `timeZone`. */
export function todayIn(timeZone: string, now: Date): string {
  // A formatter is costly to make (time-zone data); one per zone, reused.
  let format = dayFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, format);
  }
  return format.format(now);
}

/** `day` (YYYY-MM-DD) plus `days` calendar days. */
export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/**
 * A calendar day as an instant, for arithmetic in whole days only (midnight
 * UTC of that date: the difference between two such instants is a whole
 * number of days whatever the time zone the days were read in).
 */
export function dayStart(day: string): Date {
  return new Date(`${day}T00:00:00.000Z`);
}

export const DAY_MS = 86_400_000;
