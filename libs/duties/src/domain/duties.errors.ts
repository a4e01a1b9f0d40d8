import { DomainError } from '@app/common';

/** What the duties to the outside refuse (libs/duties): mapped to GraphQL codes in apps/api/src/graphql/error-codes.ts. */
export const DutyErrorCode = {
  /** The incident has no breach-notification record yet (or the id names none). */
  NOTIFICATION_NOT_FOUND: 'NOTIFICATION_NOT_FOUND',
  /** The incident already has its breach-notification record (one per incident). */
  NOTIFICATION_EXISTS: 'NOTIFICATION_EXISTS',
  FILING_NOT_FOUND: 'FILING_NOT_FOUND',
  CAMPAIGN_NOT_FOUND: 'CAMPAIGN_NOT_FOUND',
  STATEMENT_NOT_FOUND: 'STATEMENT_NOT_FOUND',
  /** A value out of its range or inconsistent with another (the details name the field). */
  INVALID_FIELD: 'INVALID_FIELD',
  /** The caller lacks the standing for this record (not the chief, the legal lead or an executive). */
  NOT_PERMITTED: 'NOT_PERMITTED',
  /** A submitted filing is frozen: it is neither edited nor submitted again. */
  FILING_SUBMITTED: 'FILING_SUBMITTED',
  /** A filing of that kind already exists (one PRELIMINARY and one FINAL per incident), or its predecessor is missing. */
  FILING_OUT_OF_ORDER: 'FILING_OUT_OF_ORDER',
  /** A progress statement names something that is never published (an internal name, evidence, a comment). */
  NOT_PUBLISHABLE: 'NOT_PUBLISHABLE',
  /** A correction must name a published statement of the same incident that is not already corrected. */
  INVALID_CORRECTION: 'INVALID_CORRECTION',
} as const;
export type DutyErrorCode = (typeof DutyErrorCode)[keyof typeof DutyErrorCode];

export class DutyError extends DomainError<DutyErrorCode> {
  readonly context = 'duties';
}
