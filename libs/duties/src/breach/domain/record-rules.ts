import { CommonError, CommonErrorCode, isCalendarDay } from '@app/common';
import { DutyError, DutyErrorCode } from '../../domain/duties.errors';
import type { RulePack } from '../../rules/rule-pack';

/** Bounds of the record's fields: a form, not a document. */
export const RECORD_LIMITS = {
  reporter: 200,
  authorityName: 200,
  individuals: 200_000_000,
  reference: 100,
  note: 2_000,
  inquiryDesk: 500,
} as const;

const invalid = (field: string, message: string, details: Record<string, unknown> = {}) =>
  new DutyError(DutyErrorCode.INVALID_FIELD, message, { field, ...details });

export function requiredText(value: string, field: string, max: number): string {
  const v = value.trim();
  if (v === '' || v.length > max) throw invalid(field, `${field} must be 1 to ${max} characters`);
  return v;
}

export function optionalText(value: string | null | undefined, field: string, max: number): string | null {
  if (value == null || value.trim() === '') return null;
  return requiredText(value, field, max);
}

/** An instant that has happened (not after `now`), and not before `notBefore` when given. */
export function pastInstant(value: Date, now: Date, field: string, notBefore?: { at: Date; what: string }): Date {
  if (Number.isNaN(value.getTime())) throw invalid(field, `${field} is not a time`);
  if (value.getTime() > now.getTime()) throw invalid(field, `${field} cannot be in the future`);
  if (notBefore && value.getTime() < notBefore.at.getTime()) throw invalid(field, `${field} cannot be before ${notBefore.what}`);
  return value;
}

/** A calendar day (YYYY-MM-DD) not after `today`, or null. */
export function pastDay(value: string | null | undefined, today: string, field: string): string | null {
  if (value == null) return null;
  if (!isCalendarDay(value)) throw invalid(field, `${field} must be a day written YYYY-MM-DD`);
  if (value > today) throw invalid(field, `${field} cannot be in the future`);
  return value;
}

export function count(value: number | null | undefined, field: string, max: number = RECORD_LIMITS.individuals): number | null {
  if (value == null) return null;
  if (!Number.isInteger(value) || value < 0 || value > max) throw invalid(field, `${field} must be a whole number from 0 to ${max}`);
  return value;
}

/** A count and the day it was established: both or neither. */
export function countWithDay(n: number | null, day: string | null, field: string): void {
  if ((n === null) !== (day === null)) throw invalid(field, `${field} and its date go together`);
}

export function authorityOf(pack: RulePack, code: string): { code: string; ja: string } {
  const a = pack.authorities.find((x) => x.code === code);
  if (!a) throw invalid('authorityCode', `${code} is not an authority of ${pack.id}`, { allowed: pack.authorities.map((x) => x.code) });
  return a;
}

/** Refuses a change made on a version that is no longer current (CONFLICT, with the current version). */
export function assertVersion(entity: string, what: string, id: string, expectedVersion: number, currentVersion: number): void {
  if (expectedVersion === currentVersion) return;
  throw new CommonError(
    CommonErrorCode.STALE_VERSION,
    `The ${what} was changed meanwhile (you sent version ${expectedVersion}, it is ${currentVersion})`,
    {
      entity,
      id,
      expectedVersion,
      currentVersion,
    },
  );
}
