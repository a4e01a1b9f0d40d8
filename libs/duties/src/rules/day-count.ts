import { addDays, dayStart, DAY_MS, todayIn } from '@app/common';

/**
 * How a rule pack counts days (README, "Duties to the outside"): calendar days in the pack's time zone (Asia/Tokyo),
 * weekends and holidays included. The day the company knew (覚知: the Tokyo calendar day of `knownAt`) is day
 * `knowledgeDayNumber` — 1 in appi-ppc@2024-04-01, the stricter reading — so a limit of N days falls due on the
 * knowledge day + N − 1, and ends at 24:00 Tokyo time that day. A filing made on its due day is on time; one made
 * the next day is one day late. This is the one place the tracker counts a duty's days.
 */
export interface DayCountRule {
  timeZone: string;
  knowledgeDayNumber: 0 | 1;
}

/** The calendar day (YYYY-MM-DD) an instant falls on in the rule's time zone. */
export function dayOf(at: Date, rule: Pick<DayCountRule, 'timeZone'>): string {
  return todayIn(rule.timeZone, at);
}

/** The last day to file a duty of `days` days counted from knowing at `knownAt`. */
export function dueDay(knownAt: Date, days: number, rule: DayCountRule): string {
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`a limit of ${days} days cannot be counted`);
  return addDays(dayOf(knownAt, rule), days - rule.knowledgeDayNumber);
}

/** Whole calendar days from `from` to `to` (both YYYY-MM-DD): positive when `to` is later. */
export function daysBetween(from: string, to: string): number {
  return Math.round((dayStart(to).getTime() - dayStart(from).getTime()) / DAY_MS);
}

/** Days left until the due day, seen at `now`: 0 on the due day itself, negative once it has passed (days late). */
export function daysLeft(due: string, now: Date, rule: Pick<DayCountRule, 'timeZone'>): number {
  return daysBetween(dayOf(now, rule), due);
}

/** Days a filing made at `at` is late (0 when on or before its due day). */
export function lateDays(due: string, at: Date, rule: Pick<DayCountRule, 'timeZone'>): number {
  return Math.max(0, daysBetween(due, dayOf(at, rule)));
}
