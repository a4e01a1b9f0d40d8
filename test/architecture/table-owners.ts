/**
 * The ownership map: every table of the database and the one context (libs/<name>)
 * that owns it. Only the owner names a table in SQL or uses its entity class with a
 * repository or manager; every other context asks the owner's exported methods
 * (../shared/CONVENTIONS.md, "Each table has one owning context").
 * table-ownership.spec.ts checks the code against it (in `npm test`).
 *
 * A new table (an @Entity or a CREATE TABLE in migrations/) fails the check until it
 * is listed here with its owner.
 */
export const TABLE_OWNERS = {
  // identity
  users: 'identity',
  api_keys: 'identity',
  auth_sessions: 'identity',
  auth_refresh_tokens: 'identity',
  second_factor_policy: 'identity',
  user_second_factors: 'identity',
  webauthn_credentials: 'identity',
  webauthn_challenges: 'identity',
  totp_secrets: 'identity',
  recovery_codes: 'identity',
  sso_sign_in_states: 'identity',
  sso_handoffs: 'identity',
  sso_identities: 'identity',
  // the sign-in throttle's counts (rate-limiter-flexible's table), when not in Redis
  login_throttle: 'identity',
  // the audit trail (one hash chain)
  audit_trail: 'audit-trail',
  // its signed checkpoints (Merkle tree heads), their co-signatures and copies outside the database
  trail_checkpoints: 'audit-trail',
  trail_checkpoint_cosignatures: 'audit-trail',
  trail_checkpoint_copies: 'audit-trail',
  trail_cosigner_keys: 'audit-trail',
  // the public halves of the tracker's signing keys (the private keys are files, never rows)
  signing_keys: 'signing-keys',
  // evidence bundles (exports for auditors)
  evidence_bundles: 'bundles',
  // incidents
  incidents: 'incidents',
  incident_events: 'incidents',
  incident_systems: 'incidents',
  incident_data_categories: 'incidents',
  incident_parties: 'incidents',
  task_force_members: 'incidents',
  // countermeasures
  countermeasures: 'countermeasures',
  countermeasure_contributors: 'countermeasures',
  countermeasure_parties: 'countermeasures',
  countermeasure_requirements: 'countermeasures',
  countermeasure_transitions: 'countermeasures',
  countermeasure_due_date_changes: 'countermeasures',
  countermeasure_dependencies: 'countermeasures',
  countermeasure_targets: 'countermeasures',
  countermeasure_status_counts: 'countermeasures',
  countermeasure_status_days: 'countermeasures',
  // evidence (the sign-off rests on evidence: its table lives here, whatever its name says)
  evidence: 'evidence',
  evidence_reviews: 'evidence',
  countermeasure_sign_offs: 'evidence',
  // audits
  audit_engagements: 'audits',
  audit_engagement_team: 'audits',
  audit_scope_countermeasures: 'audits',
  audit_scope_systems: 'audits',
  audit_engagement_transitions: 'audits',
  audit_findings: 'audits',
  audit_clearances: 'audits',
  audit_risk_acceptances: 'audits',
  // auditors' accounts limited to their engagements (issue 16)
  auditor_access_limits: 'audits',
  // the promotion gate
  promotion_gates: 'promotion-gate',
  promotion_gate_history: 'promotion-gate',
  gate_webhook_deliveries: 'promotion-gate',
  gate_webhook_attempts: 'promotion-gate',
  // notifications
  notifications: 'notifications',
  notification_preferences: 'notifications',
  // duties to the outside (libs/duties): the PPC reports, notice to individuals, public progress, the hotline
  breach_notifications: 'duties',
  breach_filings: 'duties',
  notice_campaigns: 'duties',
  progress_statements: 'duties',
  hotline_daily_counts: 'duties',
  hotline_cases: 'duties',
  // TypeORM's own record of the migrations run (no entity, no CREATE TABLE in migrations/)
  migrations: 'database',
  // pg-boss's schema `pgboss` (the job queue's tables: CREATE TABLE pgboss.… in migrations/1795900000700-JobQueue.ts,
  // seen here by its schema's name). Infrastructure like `migrations`, under database because owners are libs; its
  // one user is the API's jobs module (apps/api/src/jobs: pg-boss, and the admins' reads of pgboss.job). No lib names it.
  pgboss: 'database',
} as const satisfies Record<string, string>;

export type Table = keyof typeof TABLE_OWNERS;

/**
 * Declared read models (decided by the lead): a projection that builds one
 * statement for speed (CONVENTIONS "Performance") may SELECT these foreign tables,
 * and only these, and only SELECT: any write, lock or repository of a foreign table
 * fails. A new read is a change to this list, reviewed like any other.
 * `path`: a lib folder (ends with /) or one file.
 */
export const READ_MODELS: readonly { path: string; why: string; reads: readonly Table[] }[] = [
  {
    path: 'libs/dashboard/',
    why: 'the dashboard page: one statement per figure over the kept state (CONVENTIONS "Performance")',
    reads: [
      'audit_clearances',
      'audit_engagement_transitions',
      'audit_engagements',
      'audit_findings',
      'audit_risk_acceptances',
      'audit_trail',
      'countermeasure_due_date_changes',
      'countermeasure_requirements',
      'countermeasure_status_counts',
      'countermeasure_status_days',
      'countermeasure_targets',
      'countermeasure_transitions',
      'countermeasures',
      'evidence',
      'evidence_reviews',
      'incidents',
      'promotion_gate_history',
      'promotion_gates',
      'users',
    ],
  },
  {
    path: 'libs/reports/',
    why: 'the status report: one READ ONLY transaction reading a consistent picture of the incident',
    reads: [
      'audit_clearances',
      'audit_engagements',
      'audit_findings',
      'countermeasure_requirements',
      'countermeasure_sign_offs',
      'countermeasures',
      'incidents',
      'users',
    ],
  },
  {
    path: 'libs/bundles/src/bundle-records.sql.ts',
    why: 'the evidence bundle: one REPEATABLE READ, READ ONLY transaction reading the records of a scope as of an instant',
    reads: [
      'audit_clearances',
      'audit_engagements',
      'audit_findings',
      'audit_risk_acceptances',
      'audit_scope_countermeasures',
      'countermeasure_requirements',
      'countermeasure_sign_offs',
      'countermeasures',
      'evidence',
      'evidence_reviews',
      'incidents',
      'promotion_gate_history',
      'promotion_gates',
    ],
  },
  {
    path: 'libs/notifications/src/reminder-queries.ts',
    why: 'the reminder sweeps: one statement per kind of reminder over every incident',
    reads: [
      'audit_findings',
      'audit_risk_acceptances',
      'countermeasure_contributors',
      'countermeasure_requirements',
      'countermeasures',
      'evidence',
      'promotion_gate_history',
      'promotion_gates',
      'task_force_members',
      'users',
    ],
  },
  {
    path: 'libs/promotion-gate/src/gate-facts.sql.ts',
    why: "the gate's facts in one statement, read under the incident lock in the transaction of every change that feeds the gate",
    reads: ['audit_clearances', 'audit_engagements', 'audit_findings', 'audit_risk_acceptances', 'countermeasures', 'users'],
  },
];

/**
 * The apps hold no business rule (CONVENTIONS "The shape of the system"): they name
 * no table at all. An exception needs its file and reason here.
 */
export const APP_EXCEPTIONS: readonly { path: string; why: string; tables: readonly Table[] }[] = [];
