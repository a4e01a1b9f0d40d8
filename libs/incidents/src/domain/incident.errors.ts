import { DomainError } from '@app/common';

export const IncidentErrorCode = {
  INCIDENT_NOT_FOUND: 'INCIDENT_NOT_FOUND',
} as const;
export type IncidentErrorCode = (typeof IncidentErrorCode)[keyof typeof IncidentErrorCode];

export class IncidentError extends DomainError<IncidentErrorCode> {
  readonly context = 'incidents';
}
