import { isCalendarDay } from '@app/common';
import { CountermeasureError, CountermeasureErrorCode } from './countermeasure.errors';
import { isOpen, type CountermeasureStatus } from './countermeasure-workflow';

export const COUNTERMEASURE_CATEGORIES = [
  'DB_SHUTDOWN',
  'ACCESS_RESTRICTION',
  'EXPORT_RESTRICTION',
  'MONITORING',
  'EXTERNAL_AUDIT',
  'GOVERNANCE',
  'CUSTOMER_PROTECTION',
  'COMMUNICATION',
  'OTHER',
] as const;
export type CountermeasureCategory = (typeof COUNTERMEASURE_CATEGORIES)[number];

export const PRIORITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type Priority = (typeof PRIORITIES)[number];
/** Most urgent first: the order of `orderBy: PRIORITY`. */
export const PRIORITIES_BY_URGENCY: readonly Priority[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'];

export const MAX_TITLE_LENGTH = 200;
export const MAX_DESCRIPTION_LENGTH = 10_000;
export const MAX_REASON_LENGTH = 2_000;

/** A calendar day, YYYY-MM-DD, that exists (no 2026-02-30). */
export function assertCalendarDay(value: string, field: string): string {
  if (!isCalendarDay(value)) {
    throw new CountermeasureError(CountermeasureErrorCode.INVALID_FIELD, `${field} must be a calendar day written YYYY-MM-DD`, {
      field,
      value,
    });
  }
  return value;
}

/** Overdue: still open and its due date is before today (in the deployment's calendar). */
export function isOverdue(status: CountermeasureStatus, dueDate: string, today: string): boolean {
  return isOpen(status) && dueDate < today;
}

export function requireReason(reason: string | null | undefined, field = 'reason'): string {
  const r = reason?.trim() ?? '';
  if (!r) {
    throw new CountermeasureError(CountermeasureErrorCode.REASON_REQUIRED, `A ${field} is required`, { field });
  }
  return r;
}
