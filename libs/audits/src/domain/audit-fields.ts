import { isCalendarDay } from '@app/common';
import { AuditError, AuditErrorCode } from './audit.errors';

export const ENGAGEMENT_STATUSES = ['PLANNED', 'FIELDWORK', 'REPORTING', 'CLEARED', 'NOT_CLEARED'] as const;
export type EngagementStatus = (typeof ENGAGEMENT_STATUSES)[number];

export const FINDING_SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const;
export type FindingSeverity = (typeof FINDING_SEVERITIES)[number];
/** Severities that block a clearance (and, later, the promotion gate) while open. */
export const BLOCKING_SEVERITIES: readonly FindingSeverity[] = ['CRITICAL', 'HIGH'];

export const FINDING_STATUSES = ['OPEN', 'RESOLVED', 'ACCEPTED_RISK'] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

/** How a risk acceptance stopped standing. */
export const RISK_ACCEPTANCE_END_KINDS = ['REVOKED', 'EXPIRED', 'FINDING_RESOLVED'] as const;
export type RiskAcceptanceEndKind = (typeof RISK_ACCEPTANCE_END_KINDS)[number];

export const MAX_TITLE_LENGTH = 200;
export const MAX_TEXT_LENGTH = 10_000;
export const MAX_REASON_LENGTH = 2_000;
export const MAX_TEAM_SIZE = 20;
export const MAX_SCOPE_SIZE = 200;
/** A risk is accepted for at most this many days (then an executive must decide again). */
export const MAX_RISK_ACCEPTANCE_DAYS = 366;

/** F-001, F-002 ... numbered within the incident (so a finding is named the same in every engagement's list). */
export function findingKey(seq: number): string {
  return `F-${String(seq).padStart(3, '0')}`;
}

/** Trimmed text of 1..max code points (Japanese counts per character), or INVALID_FIELD. */
export function requireText(value: string | null | undefined, field: string, max: number): string {
  const t = (value ?? '').trim();
  if (!t) throw new AuditError(AuditErrorCode.INVALID_FIELD, `${field} must not be blank`, { field });
  if ([...t].length > max)
    throw new AuditError(AuditErrorCode.INVALID_FIELD, `${field} must have at most ${max} characters`, { field, max });
  return t;
}

/** Trimmed optional text of at most max code points. */
export function optionalText(value: string | null | undefined, field: string, max: number): string {
  const t = (value ?? '').trim();
  if ([...t].length > max)
    throw new AuditError(AuditErrorCode.INVALID_FIELD, `${field} must have at most ${max} characters`, { field, max });
  return t;
}

export function optionalDay(value: string | null | undefined, field: string): string | null {
  if (value == null || value === '') return null;
  if (!isCalendarDay(value))
    throw new AuditError(AuditErrorCode.INVALID_FIELD, `${field} must be a calendar day YYYY-MM-DD`, { field, value });
  return value;
}

/** The engagement's dates: each a real day, the end not before the start. */
export function checkPeriod(
  startsOn: string | null | undefined,
  endsOn: string | null | undefined,
): { startsOn: string | null; endsOn: string | null } {
  const s = optionalDay(startsOn, 'startsOn');
  const e = optionalDay(endsOn, 'endsOn');
  if (s && e && e < s)
    throw new AuditError(AuditErrorCode.INVALID_FIELD, 'endsOn must not be before startsOn', { field: 'endsOn', startsOn: s, endsOn: e });
  return { startsOn: s, endsOn: e };
}

/** Whole days from `from` to `to` (both YYYY-MM-DD). */
function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/**
 * A risk acceptance's expiry: a calendar day (Asia/Tokyo) after today and at most
 * MAX_RISK_ACCEPTANCE_DAYS ahead. The acceptance holds through that day and has
 * expired from the next one (`expiresOn < today`).
 */
export function checkRiskExpiry(expiresOn: string, today: string): string {
  if (!isCalendarDay(expiresOn))
    throw new AuditError(AuditErrorCode.INVALID_FIELD, 'expiresOn must be a calendar day YYYY-MM-DD', {
      field: 'expiresOn',
      value: expiresOn,
    });
  const days = daysBetween(today, expiresOn);
  if (days < 1 || days > MAX_RISK_ACCEPTANCE_DAYS) {
    throw new AuditError(
      AuditErrorCode.INVALID_FIELD,
      `expiresOn must be after today (${today}) and at most ${MAX_RISK_ACCEPTANCE_DAYS} days ahead`,
      {
        field: 'expiresOn',
        value: expiresOn,
        today,
        maxDays: MAX_RISK_ACCEPTANCE_DAYS,
      },
    );
  }
  return expiresOn;
}

/** An acceptance whose last day is before today no longer holds. */
export function isExpired(expiresOn: string, today: string): boolean {
  return expiresOn < today;
}

/** The team besides the lead: each auditor once, the lead left out, at most MAX_TEAM_SIZE (else INVALID_FIELD). */
export function auditTeam(leadId: string, teamIds: readonly string[]): string[] {
  const team = [...new Set(teamIds)].filter((u) => u !== leadId);
  if (team.length > MAX_TEAM_SIZE)
    throw new AuditError(AuditErrorCode.INVALID_FIELD, `A team has at most ${MAX_TEAM_SIZE} auditors`, { field: 'teamIds' });
  return team;
}

/** An engagement's scope: each id once, at most MAX_SCOPE_SIZE countermeasures and as many systems (else INVALID_FIELD). */
export function auditScope(
  countermeasureIds: readonly string[],
  systemIds: readonly string[],
): { countermeasureIds: string[]; systemIds: string[] } {
  const cmIds = [...new Set(countermeasureIds)];
  const sysIds = [...new Set(systemIds)];
  if (cmIds.length > MAX_SCOPE_SIZE || sysIds.length > MAX_SCOPE_SIZE) {
    throw new AuditError(
      AuditErrorCode.INVALID_FIELD,
      `A scope holds at most ${MAX_SCOPE_SIZE} countermeasures and ${MAX_SCOPE_SIZE} systems`,
      { field: 'scope' },
    );
  }
  return { countermeasureIds: cmIds, systemIds: sysIds };
}
