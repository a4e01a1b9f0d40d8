import { Role } from './role';

/**
 * What an operation needs. Every GraphQL operation and HTTP route names one
 * permission (or is explicitly public); the global guard refuses everything
 * else. The role → permission map below is the one place access is granted.
 */
export const Permission = {
  /** Any signed-in, active user: read one's own account. */
  SELF_READ: 'self:read',
  /** Any signed-in, active user: one's own sessions (list, end) and second factors (enrol, prove, remove). */
  SELF_SECURITY: 'self:security',
  /** List and read user accounts (to pick owners, see who is on the task force). */
  USERS_READ: 'users:read',
  /** Create users, change their roles, deactivate and reactivate them. */
  USERS_MANAGE: 'users:manage',
  /** Read incidents, the task force and countermeasures. */
  REMEDIATION_READ: 'remediation:read',
  /** Change countermeasures (who may change which item is decided per record by the service). */
  REMEDIATION_WRITE: 'remediation:write',
  /** Read the audit trail and verify its hash chain. */
  AUDIT_TRAIL_READ: 'audit-trail:read',
  /** Submit, supersede and withdraw evidence (owner and contributors, checked per record). */
  EVIDENCE_SUBMIT: 'evidence:submit',
  /** Review evidence and sign countermeasures off: auditors only (segregation of duties per record). */
  EVIDENCE_REVIEW: 'evidence:review',
  /** Run the external audit: engagements, findings, clearance (the lead auditor, checked per record). */
  AUDIT_CONDUCT: 'audit:conduct',
  /** Accept a risk (an open finding, an unmet requirement) with a justification and an expiry: executives. */
  RISK_ACCEPT: 'risk:accept',
  /** Read the promotion gates and whether promotion may run (every role, and promotion systems' API keys). */
  GATE_READ: 'gate:read',
  /** Create a gate (executives and admins). */
  GATE_CREATE: 'gate:create',
  /** Authorize a gate's reopening, hold and release it: executives (who exactly is decided per gate). */
  GATE_DECIDE: 'gate:decide',
  /** Configure a gate's webhook, create and revoke API keys: admins. */
  INTEGRATIONS_MANAGE: 'integrations:manage',
  /** One's own inbox: read and mark one's notifications, choose which kinds one receives (every user role). */
  NOTIFICATIONS_OWN: 'notifications:own',
  /** Run the reminder job (and the weekly digest) on demand: admins. */
  REMINDERS_RUN: 'reminders:run',
  /**
   * Record-level standing (asked by the services, never named by an operation): govern every incident —
   * create one, edit any incident's facts and inventory and its timeline, designate its chief: executives and admins.
   */
  INCIDENTS_GOVERN: 'incidents:govern',
  /**
   * Record-level standing: plan any incident as its chief would — run its task force, create countermeasures and
   * assign their owners, re-plan due dates, link dependencies, commission its external audit: admins.
   */
  PLANS_MANAGE: 'plans:manage',
  /** Record-level standing: cancel a countermeasure, reopen verified work: executives. */
  REMEDIATION_DECIDE: 'remediation:decide',
  /** Download the status report (CSV, PDF) for the board and the regulator: executives, auditors, admins (task-force members use the dashboard). */
  REPORTS_READ: 'reports:read',
  /** Have the trail checkpointed now (a signed Merkle tree head): auditors, executives, admins. */
  TRAIL_CHECKPOINT: 'trail:checkpoint',
  /** Register one's own Ed25519 key and co-sign trail checkpoints with it: auditors (the witnesses). */
  TRAIL_COSIGN: 'trail:cosign',
  /** Export, list and download evidence bundles (signed, checkable offline): auditors, executives, admins. */
  BUNDLES_EXPORT: 'bundles:export',
  /** Rotate the tracker's signing keys: admins. */
  SIGNING_KEYS_MANAGE: 'signing-keys:manage',
  /**
   * Read an incident's duties to the outside: the breach-notification record, the PPC filings, the notice campaign,
   * hotline cases: executives and auditors; task-force members only where they hold BREACH_REPORTS_FILE's standing
   * for that incident (its chief, its legal lead), checked per record by libs/duties.
   */
  DUTIES_READ: 'duties:read',
  /**
   * Prepare the breach-notification record and the PPC filings, submit them, run the notice campaign: executives;
   * task-force members only where they hold the standing below for that incident (checked per record).
   */
  DUTIES_PREPARE: 'duties:prepare',
  /**
   * Record-level standing (asked by the services, never named by an operation): prepare and submit any incident's
   * PPC reports (the legal lead's duty): executives. A task-force member gets it for one incident by being its chief
   * or by being designated its legal lead (`setTaskForceMemberLegalLead`).
   */
  BREACH_REPORTS_FILE: 'breach-reports:file',
  /** Record-level standing: read every incident's duties record and filings (the chief and the legal lead read their own): executives, auditors. */
  DUTIES_OVERSEE: 'duties:oversee',
  /** Publish progress statements on the public progress page (promise 9): executives. */
  PROGRESS_PUBLISH: 'progress:publish',
  /** Log the hotline's daily contact figures and notable cases (promises 5, 8, 10): task-force members, executives. */
  HOTLINE_LOG: 'hotline:log',
} as const;
export type Permission = (typeof Permission)[keyof typeof Permission];
export const ALL_PERMISSIONS: readonly Permission[] = Object.values(Permission);

export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  ADMIN: [
    Permission.SELF_READ,
    Permission.SELF_SECURITY,
    Permission.USERS_READ,
    Permission.USERS_MANAGE,
    Permission.REMEDIATION_READ,
    Permission.REMEDIATION_WRITE,
    Permission.AUDIT_TRAIL_READ,
    Permission.GATE_READ,
    Permission.GATE_CREATE,
    Permission.INTEGRATIONS_MANAGE,
    Permission.NOTIFICATIONS_OWN,
    Permission.REMINDERS_RUN,
    Permission.REPORTS_READ,
    Permission.INCIDENTS_GOVERN,
    Permission.PLANS_MANAGE,
    Permission.TRAIL_CHECKPOINT,
    Permission.BUNDLES_EXPORT,
    Permission.SIGNING_KEYS_MANAGE,
  ],
  TASK_FORCE: [
    Permission.SELF_READ,
    Permission.SELF_SECURITY,
    Permission.USERS_READ,
    Permission.REMEDIATION_READ,
    Permission.REMEDIATION_WRITE,
    Permission.EVIDENCE_SUBMIT,
    Permission.GATE_READ,
    Permission.NOTIFICATIONS_OWN,
    Permission.DUTIES_READ,
    Permission.DUTIES_PREPARE,
    Permission.HOTLINE_LOG,
  ],
  EXECUTIVE: [
    Permission.SELF_READ,
    Permission.SELF_SECURITY,
    Permission.USERS_READ,
    Permission.REMEDIATION_READ,
    Permission.REMEDIATION_WRITE,
    Permission.AUDIT_TRAIL_READ,
    Permission.EVIDENCE_SUBMIT,
    Permission.RISK_ACCEPT,
    Permission.GATE_READ,
    Permission.GATE_CREATE,
    Permission.GATE_DECIDE,
    Permission.NOTIFICATIONS_OWN,
    Permission.REPORTS_READ,
    Permission.INCIDENTS_GOVERN,
    Permission.REMEDIATION_DECIDE,
    Permission.TRAIL_CHECKPOINT,
    Permission.BUNDLES_EXPORT,
    Permission.DUTIES_READ,
    Permission.DUTIES_PREPARE,
    Permission.BREACH_REPORTS_FILE,
    Permission.DUTIES_OVERSEE,
    Permission.PROGRESS_PUBLISH,
    Permission.HOTLINE_LOG,
  ],
  // Auditors read everything, edit nothing of the plan, and alone review, sign off and clear.
  // Admins do not review or clear: administering the tool gives no say over the audit.
  AUDITOR: [
    Permission.SELF_READ,
    Permission.SELF_SECURITY,
    Permission.USERS_READ,
    Permission.REMEDIATION_READ,
    Permission.AUDIT_TRAIL_READ,
    Permission.EVIDENCE_REVIEW,
    Permission.AUDIT_CONDUCT,
    Permission.GATE_READ,
    Permission.NOTIFICATIONS_OWN,
    Permission.REPORTS_READ,
    Permission.TRAIL_CHECKPOINT,
    Permission.TRAIL_COSIGN,
    Permission.BUNDLES_EXPORT,
    Permission.DUTIES_READ,
    Permission.DUTIES_OVERSEE,
  ],
  // A promotion system's API key: whether it may promote, nothing else.
  SERVICE: [Permission.GATE_READ],
};

export function permissionsOf(roles: readonly Role[]): Set<Permission> {
  return new Set(roles.flatMap((r) => ROLE_PERMISSIONS[r] ?? []));
}

export function hasPermission(roles: readonly Role[], needed: Permission): boolean {
  return permissionsOf(roles).has(needed);
}

/**
 * Whether the actor's roles grant `needed`: what record-level rules ask
 * (never a role's name). The system actor has no roles; the rules that let it
 * do what it is asked check `isSystem(actor)` (@app/common) first.
 */
export function actorMay(actor: { roles: readonly string[] }, needed: Permission): boolean {
  return hasPermission(actor.roles as readonly Role[], needed);
}
