import { isCalendarDay } from '@app/common';
import { IncidentError, IncidentErrorCode } from './incident.errors';

/** Field limits, in characters (code points, so that one kanji counts as one). The API inputs use the same numbers. */
export const INCIDENT_LIMITS = {
  title: 200,
  summary: 10_000,
  eventDescription: 2_000,
  systemName: 200,
  systemDescription: 2_000,
  dataCategoryName: 200,
  partyName: 200,
  partyRole: 500,
  roleTitle: 100,
  /** Why an entry of the timeline or inventory was corrected or removed (kept in the trail). */
  reason: 2_000,
} as const;

/** The case's calendar (one constant for the whole product). */
export { CASE_TIME_ZONE as INCIDENT_TIME_ZONE } from '@app/common';

/** The four dated milestones of a case. */
export const INCIDENT_DATE_FIELDS = ['detectedOn', 'policeReportedOn', 'regulatorReportedOn', 'disclosedOn'] as const;
export type IncidentDateField = (typeof INCIDENT_DATE_FIELDS)[number];

function invalid(field: string, value: unknown, message: string): IncidentError {
  return new IncidentError(IncidentErrorCode.INVALID_FIELD, message, { field, value });
}

/** A calendar day, YYYY-MM-DD, that exists (no 2026-02-30, no 2026-7-9). */
export function assertCalendarDay(value: string, field: string): string {
  if (!isCalendarDay(value)) throw invalid(field, value, `${field} must be a calendar day written YYYY-MM-DD`);
  return value;
}

/** A calendar day that is not after `today` (membership dates record what happened, not plans). */
export function assertDayNotAfter(value: string, today: string, field: string): string {
  assertCalendarDay(value, field);
  if (value > today) throw invalid(field, value, `${field} (${value}) must not be after today (${today})`);
  return value;
}

export { todayIn } from '@app/common';

/** Trimmed text of 1..max characters (a name, a title). */
export function requiredText(value: string, field: string, max: number): string {
  const t = value.trim();
  if (!t || [...t].length > max)
    throw invalid(field, value.length > 100 ? `${value.slice(0, 100)}…` : value, `${field} must have 1 to ${max} characters`);
  return t;
}

/** Trimmed text of 0..max characters (a description); absent is empty. */
export function optionalText(value: string | null | undefined, field: string, max: number): string {
  const t = (value ?? '').trim();
  if ([...t].length > max) throw invalid(field, `${t.slice(0, 100)}…`, `${field} must have at most ${max} characters`);
  return t;
}

/** Compares names as people mean them: trimmed, case-insensitive, full-width and half-width forms alike (NFKC). */
export function sameName(a: string, b: string): boolean {
  const norm = (s: string) => s.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
  return norm(a) === norm(b);
}
