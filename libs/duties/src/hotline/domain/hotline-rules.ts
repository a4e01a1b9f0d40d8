import { addDays, isCalendarDay, isUuid } from '@app/common';
import { DutyError, DutyErrorCode } from '../../domain/duties.errors';

/**
 * The hotline's figures (promises 5, 8, 10): what customer support logs per day, and the pure rules its input must
 * meet. No I/O here: the service reads today (Asia/Tokyo, from the app Clock) and hands it in.
 */

/** What a contact was about. The table's CHECK lists the same values (hotline.entities.ts). */
export const HOTLINE_KINDS = ['BREACH_QUESTION', 'IMPERSONATION_REPORT', 'STOP_CONTACT_REQUEST', 'OTHER'] as const;
export type HotlineKind = (typeof HOTLINE_KINDS)[number];

export const HOTLINE_LIMITS = {
  /** One kind's contacts on one day: far above a real day (the letter's hotline is one desk), low enough to catch a typo. */
  maxCount: 100_000,
  /** A notable case is a short entry, in characters (code points: one kanji is one). */
  summary: 500,
  /** The longest span `hotlineContacts` answers for, in days (both ends included). */
  rangeDays: 366,
  /** The notable cases the PPC draft's item 5 quotes (the latest). */
  notableCasesInFigures: 20,
} as const;

export interface HotlineCountInput {
  kind: string;
  count: number;
}

function invalid(field: string, value: unknown, message: string): DutyError {
  return new DutyError(DutyErrorCode.INVALID_FIELD, message, { field, value });
}

export function assertIncidentId(value: string): string {
  if (typeof value !== 'string' || !isUuid(value)) throw invalid('incidentId', value, 'incidentId must be an incident id (a UUID)');
  return value;
}

/** A real calendar day (YYYY-MM-DD) that is not after `today` (Asia/Tokyo): the hotline logs what happened. */
export function assertPastOrToday(value: string, today: string, field: string): string {
  if (typeof value !== 'string' || !isCalendarDay(value)) throw invalid(field, value, `${field} must be a calendar day written YYYY-MM-DD`);
  if (value > today)
    throw invalid(field, value, `${field} (${value}) is after today (${today}, Asia/Tokyo): figures are logged for days that happened`);
  return value;
}

export function assertKind(value: string, field = 'kind'): HotlineKind {
  if (!(HOTLINE_KINDS as readonly string[]).includes(value))
    throw invalid(field, value, `${field} must be one of ${HOTLINE_KINDS.join(', ')}`);
  return value as HotlineKind;
}

/**
 * A day's counts as given: at least one entry, at most one per kind, each a whole number 0..100000.
 * Returns them by kind (only the kinds given).
 */
export function validateCounts(counts: readonly HotlineCountInput[]): Map<HotlineKind, number> {
  if (!Array.isArray(counts) || counts.length === 0) throw invalid('counts', counts, 'counts must give at least one kind');
  const out = new Map<HotlineKind, number>();
  counts.forEach((c, i) => {
    const kind = assertKind(c?.kind, `counts[${i}].kind`);
    if (out.has(kind)) throw invalid(`counts[${i}].kind`, kind, `${kind} is given twice: one entry per kind`);
    const n = c.count;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > HOTLINE_LIMITS.maxCount) {
      throw invalid(`counts[${i}].count`, n, `count must be a whole number from 0 to ${HOTLINE_LIMITS.maxCount}`);
    }
    out.set(kind, n);
  });
  return out;
}

/** The expected version of the day: null for a day with no figures yet, else a whole number ≥ 1. */
export function assertExpectedVersion(value: number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  if (!Number.isInteger(value) || value < 1) {
    throw invalid('expectedVersion', value, 'expectedVersion must be the day’s version (1 or more), or null for a day with no figures yet');
  }
  return value;
}

/**
 * All four kinds of a day after a recording: the kinds given take their new count; the others keep what the day
 * held (`current`), or 0 on a new day (a day is recorded whole: a kind nobody contacted about had no contacts).
 */
export function mergeCounts(
  current: ReadonlyMap<string, number> | null,
  given: ReadonlyMap<HotlineKind, number>,
): Record<HotlineKind, number> {
  const out = {} as Record<HotlineKind, number>;
  for (const kind of HOTLINE_KINDS) out[kind] = given.get(kind) ?? current?.get(kind) ?? 0;
  return out;
}

export function sameCounts(a: Readonly<Record<HotlineKind, number>>, b: Readonly<Record<HotlineKind, number>>): boolean {
  return HOTLINE_KINDS.every((k) => a[k] === b[k]);
}

/** A notable case's summary: trimmed, 1..500 characters. */
export function validateSummary(value: string): string {
  const t = typeof value === 'string' ? value.trim() : '';
  if (!t || [...t].length > HOTLINE_LIMITS.summary) {
    const shown = typeof value === 'string' && value.length > 100 ? `${value.slice(0, 100)}…` : value;
    throw invalid('summary', shown, `summary must have 1 to ${HOTLINE_LIMITS.summary} characters`);
  }
  return t;
}

/** A range of days for `hotlineContacts`: real days, from ≤ to, at most 366 days long (both ends included). */
export function validateRange(from: string, to: string): { from: string; to: string } {
  for (const [field, value] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (typeof value !== 'string' || !isCalendarDay(value))
      throw invalid(field, value, `${field} must be a calendar day written YYYY-MM-DD`);
  }
  if (from > to) throw invalid('to', to, `to (${to}) is before from (${from})`);
  if (addDays(from, HOTLINE_LIMITS.rangeDays - 1) < to) {
    throw invalid('to', to, `the range from ${from} to ${to} is longer than ${HOTLINE_LIMITS.rangeDays} days: ask in parts`);
  }
  return { from, to };
}

/** Every kind with its count, in the fixed order, zero included. */
export function byKind(counts: ReadonlyMap<string, number>): { kind: HotlineKind; count: number }[] {
  return HOTLINE_KINDS.map((kind) => ({ kind, count: counts.get(kind) ?? 0 }));
}
