import { DomainError } from '@app/common';

/** The background jobs' codes (mapped in apps/api/src/graphql/error-codes.ts). */
export const JobErrorCode = {
  /** Only a FAILED job is retried by hand; a job still waiting, running or retrying is left to the queue. */
  JOB_NOT_FAILED: 'JOB_NOT_FAILED',
} as const;
export type JobErrorCode = (typeof JobErrorCode)[keyof typeof JobErrorCode];

export class JobError extends DomainError<JobErrorCode> {
  readonly context = 'jobs';
}
