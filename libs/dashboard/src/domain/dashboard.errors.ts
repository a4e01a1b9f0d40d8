import { DomainError } from '@app/common';

/** Codes of the dashboard context (mapped to GraphQL codes in apps/api/src/graphql/error-codes.ts). */
export const DashboardErrorCode = {
  /** `asOf` is not a calendar day written YYYY-MM-DD (the API's LocalDate scalar refuses most of these first). Details: `field`, `value`. */
  INVALID_AS_OF: 'INVALID_AS_OF',
  /** `asOf` is before the incident began (its detected day, or the day it was recorded). Details: `field`, `earliest`. */
  AS_OF_BEFORE_INCIDENT: 'AS_OF_BEFORE_INCIDENT',
  /** `asOf` is after today (Asia/Tokyo): the dashboard shows what was, not what will be. Details: `field`, `latest`. */
  AS_OF_IN_FUTURE: 'AS_OF_IN_FUTURE',
  /** No incident with that id (or no incident at all when none was named). */
  INCIDENT_NOT_FOUND: 'INCIDENT_NOT_FOUND',
} as const;
export type DashboardErrorCode = (typeof DashboardErrorCode)[keyof typeof DashboardErrorCode];

export class DashboardError extends DomainError<DashboardErrorCode> {
  readonly context = 'dashboard';
}
