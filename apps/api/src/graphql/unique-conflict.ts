import { uniqueViolationOf } from '@app/database';

/**
 * What a client is told when a unique constraint refused its write (two
 * requests creating one keyed thing at once, past the services' own checks):
 * CONFLICT, reason ALREADY_EXISTS, and the thing and field in the API's words.
 * Only constraints listed here are named; any other says neither (never the
 * server's detail, which quotes the values, nor the raw constraint name).
 */
const UNIQUE_CONSTRAINTS: Readonly<Record<string, { entity: string; field: string }>> = {
  UQ_users_email: { entity: 'User', field: 'email' },
  UQ_promotion_gates_key: { entity: 'PromotionGate', field: 'key' },
  UQ_api_keys_prefix: { entity: 'ApiKey', field: 'prefix' },
  UQ_countermeasures_incident_seq: { entity: 'Countermeasure', field: 'key' },
  UQ_countermeasure_targets: { entity: 'CountermeasureTarget', field: 'systemId' },
  UQ_countermeasure_sign_offs_standing: { entity: 'SignOff', field: 'countermeasureId' },
  UQ_evidence_supersedes: { entity: 'Evidence', field: 'supersedesId' },
  UQ_audit_findings_incident_seq: { entity: 'AuditFinding', field: 'key' },
  UQ_audit_clearances_standing: { entity: 'AuditClearance', field: 'engagementId' },
  UQ_audit_risk_acceptances_finding: { entity: 'RiskAcceptance', field: 'findingId' },
  UQ_audit_risk_acceptances_requirement: { entity: 'RiskAcceptance', field: 'requirementId' },
  UQ_task_force_members_current: { entity: 'TaskForceMember', field: 'userId' },
  UQ_task_force_members_chief: { entity: 'TaskForceMember', field: 'chief' },
  UQ_notifications_user_dedupe: { entity: 'Notification', field: 'dedupeKey' },
};

export interface UniqueConflict {
  message: string;
  extensions: { reason: 'ALREADY_EXISTS'; entity?: string; field?: string };
}

/** The caller's view of a unique violation, or null if `exception` is not one. */
export function describeUniqueConflict(exception: unknown): UniqueConflict | null {
  const violation = uniqueViolationOf(exception);
  if (!violation) return null;
  const known = violation.constraint ? UNIQUE_CONSTRAINTS[violation.constraint] : undefined;
  return known
    ? {
        message: `This ${known.entity} already exists (same ${known.field}); someone created it at the same moment: reload and try again`,
        extensions: { reason: 'ALREADY_EXISTS', entity: known.entity, field: known.field },
      }
    : {
        message: 'This already exists; someone created it at the same moment: reload and try again',
        extensions: { reason: 'ALREADY_EXISTS' },
      };
}
