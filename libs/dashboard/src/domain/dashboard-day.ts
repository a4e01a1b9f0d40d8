import { addDays, isCalendarDay } from '@app/common';
import { DashboardError, DashboardErrorCode } from './dashboard.errors';

/**
 * The days a dashboard speaks of, as pure functions (no clock, no I/O).
 *
 * - A dashboard is "as of" a calendar day in Asia/Tokyo: it shows every change
 *   made before the end of that day (the next midnight in Tokyo, exclusive).
 * - The earliest day is the incident's first day: the day it was detected, or,
 *   when that is not recorded, the day the incident was recorded in the tracker.
 * - The latest day is today: the dashboard reports what was, never a forecast.
 */

/** Japan keeps no daylight-saving time: a day in Tokyo always starts at 00:00+09:00. */
const TOKYO_OFFSET = '+09:00';

/** The first instant after `day` in Asia/Tokyo: a change counts as of `day` when it happened before this. */
export function endOfDayInTokyo(day: string): Date {
  return new Date(`${addDays(day, 1)}T00:00:00.000${TOKYO_OFFSET}`);
}

/** The incident's first day: detected on, or else the day it was recorded. */
export function incidentStartDay(incident: { detectedOn: string | null; createdOn: string }): string {
  return incident.detectedOn ?? incident.createdOn;
}

/**
 * Checks `asOf` (default: today) against the incident's span [start, today];
 * returns the day to show. Refusals are coded (BAD_USER_INPUT in the API) and
 * name the allowed range, nothing else.
 */
export function resolveAsOf(asOf: string | null | undefined, start: string, today: string): string {
  if (asOf === null || asOf === undefined) return today;
  if (!isCalendarDay(asOf)) {
    throw new DashboardError(DashboardErrorCode.INVALID_AS_OF, 'asOf must be a calendar day written YYYY-MM-DD', {
      field: 'asOf',
      value: asOf,
    });
  }
  if (asOf < start) {
    throw new DashboardError(DashboardErrorCode.AS_OF_BEFORE_INCIDENT, `asOf must not be before ${start}, the first day of the incident`, {
      field: 'asOf',
      earliest: start,
    });
  }
  if (asOf > today) {
    throw new DashboardError(DashboardErrorCode.AS_OF_IN_FUTURE, `asOf must not be after today (${today}, Asia/Tokyo)`, {
      field: 'asOf',
      latest: today,
    });
  }
  return asOf;
}

/** Part of a whole, 0..1; 0 when the whole is empty (nothing to verify is not "100 % verified"). */
export function share(part: number, whole: number): number {
  return whole === 0 ? 0 : part / whole;
}
