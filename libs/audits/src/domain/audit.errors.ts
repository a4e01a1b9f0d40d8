import { DomainError } from '@app/common';

/** Codes of the external-audit context (engagements, findings, clearance, risk acceptance). */
export const AuditErrorCode = {
  /** No audit engagement with that id. */
  ENGAGEMENT_NOT_FOUND: 'ENGAGEMENT_NOT_FOUND',
  /** No finding with that id. */
  FINDING_NOT_FOUND: 'FINDING_NOT_FOUND',
  /** No risk acceptance with that id. */
  RISK_ACCEPTANCE_NOT_FOUND: 'RISK_ACCEPTANCE_NOT_FOUND',
  /** No evidence requirement with that id (risk acceptance of an unmet requirement). */
  REQUIREMENT_NOT_FOUND: 'REQUIREMENT_NOT_FOUND',
  /** A field value the rules refuse (blank statement, over-long text, impossible dates). Details: `field`. */
  INVALID_FIELD: 'INVALID_FIELD',
  /** The lead auditor or a team member is not an active user with the AUDITOR role. Details: `userIds`. */
  NOT_AN_AUDITOR: 'NOT_AN_AUDITOR',
  /** A countermeasure or system given for the scope (or a finding) belongs to another incident or does not exist. Details: `countermeasureIds`, `systemIds`. */
  NOT_IN_INCIDENT: 'NOT_IN_INCIDENT',
  /** The caller's part in the engagement does not allow this (not the lead, not on the team, not the chief...). */
  NOT_PERMITTED: 'NOT_PERMITTED',
  /** The engagement cannot move from its status to the one asked for. Details: `from`, `to`, `allowed`. */
  INVALID_ENGAGEMENT_TRANSITION: 'INVALID_ENGAGEMENT_TRANSITION',
  /** The engagement's status does not allow this change (e.g. scope change while CLEARED, a finding while PLANNED). Details: `status`, `allowedIn`. */
  ENGAGEMENT_STATUS_FORBIDS: 'ENGAGEMENT_STATUS_FORBIDS',
  /**
   * The audit cannot be cleared now. Details: `blockers` (each `{kind, ...}`),
   * `countermeasures` (keys not VERIFIED/OPERATING), `findings` (keys of open
   * CRITICAL/HIGH findings), `emptyScope`.
   */
  CLEARANCE_BLOCKED: 'CLEARANCE_BLOCKED',
  /** The finding cannot make this move from its status. Details: `status`, `to`. */
  INVALID_FINDING_TRANSITION: 'INVALID_FINDING_TRANSITION',
  /** The finding already concerns a countermeasure: no new one is created from it. Details: `countermeasureId`. */
  FINDING_ALREADY_LINKED: 'FINDING_ALREADY_LINKED',
  /** The requirement already has a standing risk acceptance. Details: `riskAcceptanceId`. */
  RISK_ALREADY_ACCEPTED: 'RISK_ALREADY_ACCEPTED',
  /** The risk acceptance is no longer standing (revoked, expired or ended). */
  RISK_ACCEPTANCE_ENDED: 'RISK_ACCEPTANCE_ENDED',
  /** An auditor limited to their engagements named an incident (or a record of one) outside them, or an operation closed to them. Details: `incidentId`. */
  OUTSIDE_ENGAGEMENT: 'OUTSIDE_ENGAGEMENT',
  /** An auditor limited to their engagements asked after the engagement's last day (Japan time). Details: `endedOn`, `incidentId`. */
  ENGAGEMENT_ENDED: 'ENGAGEMENT_ENDED',
  /** An auditor limited to several incidents' engagements listed without naming the incident. Details: `field`, `incidentIds`. */
  INCIDENT_NOT_NAMED: 'INCIDENT_NOT_NAMED',
} as const;
export type AuditErrorCode = (typeof AuditErrorCode)[keyof typeof AuditErrorCode];

export class AuditError extends DomainError<AuditErrorCode> {
  readonly context = 'audits';
}
