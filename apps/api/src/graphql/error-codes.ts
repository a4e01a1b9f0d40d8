import type { AuditErrorCode } from '@app/audits';
import type { TrailErrorCode } from '@app/audit-trail';
import type { BundleErrorCode } from '@app/bundles';
import type { CommonErrorCode, DomainError } from '@app/common';
import type { CountermeasureErrorCode } from '@app/countermeasures';
import type { DashboardErrorCode } from '@app/dashboard';
import type { DutyErrorCode } from '@app/duties';
import type { EvidenceErrorCode } from '@app/evidence';
import type { GateErrorCode } from '@app/promotion-gate';
import type { IdentityErrorCode } from '@app/identity';
import type { IncidentErrorCode } from '@app/incidents';
import type { NotificationErrorCode } from '@app/notifications';
import type { SigningKeyErrorCode } from '@app/signing-keys';
import type { JobErrorCode } from '../jobs/job.errors';

/** The `extensions.code` values clients can rely on. */
export const GqlCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
  /** A request body over its limit (HTTP 413), refused before it is parsed. */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** The database is not answering (down, restarting, or a timeout): try again; the session stays valid (HTTP 503). */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  /**
   * The session must prove a second factor (`extensions.next: VERIFY`) or enrol one (`ENROL`) before anything
   * else.
   */
  SECOND_FACTOR_REQUIRED: 'SECOND_FACTOR_REQUIRED',
  /** The operation signs a record: prove a second factor (verifySecondFactor, or a passkey) and send it again. */
  STEP_UP_REQUIRED: 'STEP_UP_REQUIRED',
} as const;
export type GqlCode = (typeof GqlCode)[keyof typeof GqlCode];

/**
 * One table per bounded context, each a Record over that context's whole code
 * list: a new domain code that is not mapped here fails to compile.
 */
const DOMAIN_CODE_MAP = {
  common: {
    NOT_FOUND: GqlCode.NOT_FOUND,
    STALE_VERSION: GqlCode.CONFLICT,
    INVALID_INPUT: GqlCode.BAD_USER_INPUT,
    INVALID_CURSOR: GqlCode.BAD_USER_INPUT,
    SERVER_BUSY: GqlCode.TOO_MANY_REQUESTS,
    COST_BUDGET_EXCEEDED: GqlCode.TOO_MANY_REQUESTS,
  } satisfies Record<CommonErrorCode, GqlCode>,
  identity: {
    INVALID_CREDENTIALS: GqlCode.UNAUTHENTICATED,
    ACCOUNT_DEACTIVATED: GqlCode.UNAUTHENTICATED,
    LOGIN_THROTTLED: GqlCode.TOO_MANY_REQUESTS,
    SIGN_IN_BUSY: GqlCode.TOO_MANY_REQUESTS,
    // The throttle's store is not answering: sign-in is refused (never admitted uncounted) until it does.
    SIGN_IN_UNAVAILABLE: GqlCode.SERVICE_UNAVAILABLE,
    INVALID_TOKEN: GqlCode.UNAUTHENTICATED,
    PERMISSION_DENIED: GqlCode.FORBIDDEN,
    EMAIL_TAKEN: GqlCode.CONFLICT,
    USER_NOT_FOUND: GqlCode.NOT_FOUND,
    SELF_LOCKOUT: GqlCode.CONFLICT,
    LAST_ADMIN: GqlCode.CONFLICT,
    WEAK_PASSWORD: GqlCode.BAD_USER_INPUT,
    NO_ROLES: GqlCode.BAD_USER_INPUT,
    ALREADY_IN_STATE: GqlCode.CONFLICT,
    ROLE_NOT_FOR_USERS: GqlCode.BAD_USER_INPUT,
    SELF_ROLE_CHANGE: GqlCode.FORBIDDEN,
    INCOMPATIBLE_ROLES: GqlCode.BAD_USER_INPUT,
    INVALID_API_KEY: GqlCode.UNAUTHENTICATED,
    API_KEY_NOT_FOUND: GqlCode.NOT_FOUND,
    API_KEY_ALREADY_REVOKED: GqlCode.CONFLICT,
    INVALID_API_KEY_NAME: GqlCode.BAD_USER_INPUT,
    REASON_REQUIRED: GqlCode.BAD_USER_INPUT,
    SESSION_REVOKED: GqlCode.UNAUTHENTICATED,
    SESSION_NOT_FOUND: GqlCode.NOT_FOUND,
    SECOND_FACTOR_REQUIRED: GqlCode.SECOND_FACTOR_REQUIRED,
    STEP_UP_REQUIRED: GqlCode.STEP_UP_REQUIRED,
    INVALID_SECOND_FACTOR: GqlCode.UNAUTHENTICATED,
    SECOND_FACTOR_NOT_FOUND: GqlCode.NOT_FOUND,
    SECOND_FACTOR_EXISTS: GqlCode.CONFLICT,
    LAST_SECOND_FACTOR: GqlCode.CONFLICT,
    SSO_NOT_CONFIGURED: GqlCode.NOT_FOUND,
    SSO_REFUSED: GqlCode.UNAUTHENTICATED,
  } satisfies Record<IdentityErrorCode, GqlCode>,
  incidents: {
    INCIDENT_NOT_FOUND: GqlCode.NOT_FOUND,
    MEMBER_NOT_FOUND: GqlCode.NOT_FOUND,
    USER_NOT_FOUND: GqlCode.NOT_FOUND,
    INVALID_FIELD: GqlCode.BAD_USER_INPUT,
    NOT_PERMITTED: GqlCode.FORBIDDEN,
    USER_INACTIVE: GqlCode.BAD_USER_INPUT,
    USER_NOT_ELIGIBLE: GqlCode.BAD_USER_INPUT,
    ALREADY_MEMBER: GqlCode.CONFLICT,
    MEMBER_HAS_LEFT: GqlCode.CONFLICT,
    OWNS_OPEN_COUNTERMEASURES: GqlCode.CONFLICT,
    CHIEF_MUST_BE_REPLACED: GqlCode.CONFLICT,
    ALREADY_CHIEF: GqlCode.CONFLICT,
    ALREADY_LISTED: GqlCode.CONFLICT,
    ENTRY_NOT_FOUND: GqlCode.NOT_FOUND,
    ENTRY_OF_ANOTHER_INCIDENT: GqlCode.BAD_USER_INPUT,
    ENTRY_REMOVED: GqlCode.CONFLICT,
    SYSTEM_IN_USE: GqlCode.CONFLICT,
  } satisfies Record<IncidentErrorCode, GqlCode>,
  countermeasures: {
    INVALID_TRANSITION: GqlCode.CONFLICT,
    NOT_ALLOWED: GqlCode.FORBIDDEN,
    SIGN_OFF_REQUIRED: GqlCode.FORBIDDEN,
    REASON_REQUIRED: GqlCode.BAD_USER_INPUT,
    EVIDENCE_MISSING: GqlCode.CONFLICT,
    NO_REQUIREMENTS: GqlCode.CONFLICT,
    // A stored state the workflow could never have produced: a bug, not the caller's fault.
    INVALID_WORKFLOW_INPUT: GqlCode.INTERNAL_SERVER_ERROR,
    COUNTERMEASURE_NOT_FOUND: GqlCode.NOT_FOUND,
    INVALID_FIELD: GqlCode.BAD_USER_INPUT,
    NOT_A_MEMBER: GqlCode.BAD_USER_INPUT,
    NOT_PERMITTED: GqlCode.FORBIDDEN,
    TARGET_NOT_FOUND: GqlCode.NOT_FOUND,
    REQUIREMENT_NOT_FOUND: GqlCode.NOT_FOUND,
    TARGET_HAS_PROGRESS: GqlCode.CONFLICT,
    REQUIREMENT_HAS_EVIDENCE: GqlCode.CONFLICT,
    REQUIREMENTS_FROZEN: GqlCode.CONFLICT,
    // The plan as it stands refuses the link (like INVALID_TRANSITION): CONFLICT.
    PARENT_CYCLE: GqlCode.CONFLICT,
    DEPENDENCY_CYCLE: GqlCode.CONFLICT,
    DIFFERENT_INCIDENT: GqlCode.BAD_USER_INPUT,
    DEPENDENCY_EXISTS: GqlCode.CONFLICT,
    DEPENDENCY_NOT_FOUND: GqlCode.NOT_FOUND,
  } satisfies Record<CountermeasureErrorCode, GqlCode>,
  evidence: {
    EVIDENCE_NOT_FOUND: GqlCode.NOT_FOUND,
    REQUIREMENT_NOT_FOUND: GqlCode.NOT_FOUND,
    TARGET_NOT_FOUND: GqlCode.NOT_FOUND,
    INVALID_FIELD: GqlCode.BAD_USER_INPUT,
    NOT_PERMITTED: GqlCode.FORBIDDEN,
    SELF_REVIEW: GqlCode.FORBIDDEN,
    CONFLICT_OF_INTEREST: GqlCode.FORBIDDEN,
    EVIDENCE_NOT_LIVE: GqlCode.CONFLICT,
    HASH_MISMATCH: GqlCode.CONFLICT,
    SIGN_OFF_NOT_READY: GqlCode.CONFLICT,
    COUNTERMEASURE_CLOSED: GqlCode.CONFLICT,
    COUNTERMEASURE_BLOCKED: GqlCode.CONFLICT,
    FILE_EMPTY: GqlCode.BAD_USER_INPUT,
    FILE_TOO_LARGE: GqlCode.BAD_USER_INPUT,
    FILE_TYPE_NOT_ALLOWED: GqlCode.BAD_USER_INPUT,
    UPLOAD_INVALID: GqlCode.BAD_USER_INPUT,
    // Stored bytes that no longer match their hash: never the caller's fault.
    STORAGE_INTEGRITY: GqlCode.INTERNAL_SERVER_ERROR,
  } satisfies Record<EvidenceErrorCode, GqlCode>,
  'promotion-gate': {
    GATE_NOT_FOUND: GqlCode.NOT_FOUND,
    KEY_TAKEN: GqlCode.CONFLICT,
    INVALID_FIELD: GqlCode.BAD_USER_INPUT,
    NOT_PERMITTED: GqlCode.FORBIDDEN,
    CLEARING_AUDITOR: GqlCode.FORBIDDEN,
    NOT_ELIGIBLE: GqlCode.CONFLICT,
    ALREADY_OPEN: GqlCode.CONFLICT,
    HOLD_STATE: GqlCode.CONFLICT,
    WEBHOOK_URL_NOT_ALLOWED: GqlCode.BAD_USER_INPUT,
  } satisfies Record<GateErrorCode, GqlCode>,
  audits: {
    ENGAGEMENT_NOT_FOUND: GqlCode.NOT_FOUND,
    FINDING_NOT_FOUND: GqlCode.NOT_FOUND,
    RISK_ACCEPTANCE_NOT_FOUND: GqlCode.NOT_FOUND,
    REQUIREMENT_NOT_FOUND: GqlCode.NOT_FOUND,
    INVALID_FIELD: GqlCode.BAD_USER_INPUT,
    NOT_AN_AUDITOR: GqlCode.BAD_USER_INPUT,
    NOT_IN_INCIDENT: GqlCode.BAD_USER_INPUT,
    NOT_PERMITTED: GqlCode.FORBIDDEN,
    INVALID_ENGAGEMENT_TRANSITION: GqlCode.CONFLICT,
    ENGAGEMENT_STATUS_FORBIDS: GqlCode.CONFLICT,
    // The state as it stands refuses the clearance (blockers in the details): CONFLICT.
    CLEARANCE_BLOCKED: GqlCode.CONFLICT,
    INVALID_FINDING_TRANSITION: GqlCode.CONFLICT,
    FINDING_ALREADY_LINKED: GqlCode.CONFLICT,
    RISK_ALREADY_ACCEPTED: GqlCode.CONFLICT,
    RISK_ACCEPTANCE_ENDED: GqlCode.CONFLICT,
    // An auditor limited to their engagements (issue 16): outside them, or after their end.
    OUTSIDE_ENGAGEMENT: GqlCode.FORBIDDEN,
    ENGAGEMENT_ENDED: GqlCode.FORBIDDEN,
    INCIDENT_NOT_NAMED: GqlCode.BAD_USER_INPUT,
  } satisfies Record<AuditErrorCode, GqlCode>,
  dashboard: {
    INVALID_AS_OF: GqlCode.BAD_USER_INPUT,
    AS_OF_BEFORE_INCIDENT: GqlCode.BAD_USER_INPUT,
    AS_OF_IN_FUTURE: GqlCode.BAD_USER_INPUT,
    INCIDENT_NOT_FOUND: GqlCode.NOT_FOUND,
  } satisfies Record<DashboardErrorCode, GqlCode>,
  notifications: {
    NOTIFICATION_NOT_FOUND: GqlCode.NOT_FOUND,
    INVALID_FIELD: GqlCode.BAD_USER_INPUT,
  } satisfies Record<NotificationErrorCode, GqlCode>,
  'audit-trail': {
    CHECKPOINT_NOT_FOUND: GqlCode.NOT_FOUND,
    ENTRY_NOT_FOUND: GqlCode.NOT_FOUND,
    INVALID_CHECKPOINT: GqlCode.BAD_USER_INPUT,
    INVALID_RANGE: GqlCode.BAD_USER_INPUT,
    INVALID_PUBLIC_KEY: GqlCode.BAD_USER_INPUT,
    NO_COSIGNING_KEY: GqlCode.CONFLICT,
    BAD_COSIGNATURE: GqlCode.BAD_USER_INPUT,
    // The stored trail no longer extends a signed checkpoint: the state refuses signing or proving over it.
    TRAIL_INCONSISTENT: GqlCode.CONFLICT,
  } satisfies Record<TrailErrorCode, GqlCode>,
  'signing-keys': {
    // The key is the operator's file (a setting): the state as it stands refuses rotation here.
    KEY_FROM_SETTING: GqlCode.CONFLICT,
    // Retired by another instance's start with a new key: this instance's state refuses to sign until it restarts.
    KEY_RETIRED: GqlCode.CONFLICT,
  } satisfies Record<SigningKeyErrorCode, GqlCode>,
  bundles: {
    BUNDLE_NOT_FOUND: GqlCode.NOT_FOUND,
    SCOPE_NOT_FOUND: GqlCode.NOT_FOUND,
    INVALID_FIELD: GqlCode.BAD_USER_INPUT,
    // One export of a scope at a time: the state as it stands refuses a second.
    EXPORT_IN_PROGRESS: GqlCode.CONFLICT,
  } satisfies Record<BundleErrorCode, GqlCode>,
  duties: {
    NOTIFICATION_NOT_FOUND: GqlCode.NOT_FOUND,
    NOTIFICATION_EXISTS: GqlCode.CONFLICT,
    FILING_NOT_FOUND: GqlCode.NOT_FOUND,
    CAMPAIGN_NOT_FOUND: GqlCode.NOT_FOUND,
    STATEMENT_NOT_FOUND: GqlCode.NOT_FOUND,
    INVALID_FIELD: GqlCode.BAD_USER_INPUT,
    NOT_PERMITTED: GqlCode.FORBIDDEN,
    // A submitted filing is frozen: the state as it stands refuses the change.
    FILING_SUBMITTED: GqlCode.CONFLICT,
    FILING_OUT_OF_ORDER: GqlCode.CONFLICT,
    NOT_PUBLISHABLE: GqlCode.BAD_USER_INPUT,
    INVALID_CORRECTION: GqlCode.BAD_USER_INPUT,
  } satisfies Record<DutyErrorCode, GqlCode>,
  // The background jobs (apps/api/src/jobs: pg-boss, no lib of their own).
  jobs: {
    // Only a FAILED job is retried by hand: the state as it stands refuses it.
    JOB_NOT_FAILED: GqlCode.CONFLICT,
  } satisfies Record<JobErrorCode, GqlCode>,
} as const;

type MappedContext = keyof typeof DOMAIN_CODE_MAP;

export function gqlCodeOf(error: DomainError): GqlCode {
  const table = DOMAIN_CODE_MAP[error.context as MappedContext] as Record<string, GqlCode> | undefined;
  const code = table?.[error.code];
  if (!code) {
    // Only reachable if a context is added without a table: treat as a bug.
    return GqlCode.INTERNAL_SERVER_ERROR;
  }
  return code;
}
