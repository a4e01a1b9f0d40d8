import { AuditError, AuditErrorCode } from '@app/audits';

/**
 * How each operation meets the engagement limit of an auditor (issue 16): the incident an operation works in,
 * found from its arguments before it runs. Deny by default: an operation (GraphQL root field or HTTP route) not
 * listed here is refused to a limited auditor (OUTSIDE_ENGAGEMENT), except oneself: the operations allowed by
 * SELF_READ or SELF_SECURITY (me, one's sessions and second factors, signing out) or marked @DuringSignIn, and
 * ALWAYS_OPEN; these stay open even after the engagements end.
 *
 * A rule gets the operation's arguments and a `ScopeCheck`; it throws to refuse. Keys: `Query.x`,
 * `Mutation.x`, `Subscription.x`, or `http:<Controller>.<method>`.
 */

export type Args = Record<string, unknown>;

/** The records whose incident the check finds through their owner's read (an unknown id: the owner's NOT_FOUND). */
export type RecordKind = 'countermeasure' | 'evidence' | 'engagement' | 'finding' | 'bundle' | 'filing' | 'gate';

export interface ScopeCheck {
  /** The incident id must be one the auditor may work in today (none given: INCIDENT_NOT_NAMED). */
  incident(incidentId: unknown): void;
  /** The record's incident must be one the auditor may work in today. */
  record(kind: RecordKind, id: unknown): Promise<void>;
  /** An optional incident argument: checked when given, else narrowed to the auditor's only open incident. */
  narrow(holder: Args, field?: string): void;
  /** Nothing incident-bound: open while any engagement of the auditor is. */
  open(): void;
}

export type ScopeRule = (args: Args, check: ScopeCheck) => void | Promise<void>;

/** Open to a limited auditor at any time, even after the engagements end: reading oneself. */
export const ALWAYS_OPEN: ReadonlySet<string> = new Set(['Query.me']);

/**
 * The lists whose answer keeps only the items of the auditor's open incidents (their node's `incidentId`, or the
 * incident's own `id`); items of no incident (a notification about nothing in particular) stay.
 */
export const EXCLUDED_FROM_LISTS: Readonly<Record<string, (node: Record<string, unknown>) => unknown>> = {
  'Query.incidents': (n) => n['id'],
  'Query.evidenceBundles': (n) => n['incidentId'],
  'Query.notifications': (n) => n['incidentId'],
};

const input = (a: Args): Args => (a['input'] ?? {}) as Args;
const filter = (a: Args): Args => {
  // An absent filter is made, so that a list is narrowed to the auditor's incident.
  if (a['filter'] == null) a['filter'] = {};
  return a['filter'] as Args;
};
const open: ScopeRule = (_, c) => c.open();

export const SCOPE_RULES: Readonly<Record<string, ScopeRule>> = {
  // ---- oneself and what belongs to no incident: open while an engagement is --------------------------------
  'Query.user': open,
  'Query.users': open,
  'Query.notificationPreferences': open,
  'Mutation.setNotificationPreference': open,
  'Query.unreadNotificationCount': open,
  'Mutation.markNotificationsRead': open,
  'Query.notifications': open, // and EXCLUDED_FROM_LISTS
  // The trail's checkpoints and proofs: hashes over the whole chain, no record's content.
  'Query.trailCheckpoint': open,
  'Query.trailCheckpoints': open,
  'Query.trailConsistencyProof': open,
  'Query.trailInclusionProof': open,
  'Query.verifyAuditTrail': open,
  'Mutation.createTrailCheckpoint': open,
  'Mutation.cosignTrailCheckpoint': open,
  'Mutation.registerCosigningKey': open,
  // Not listed, so refused: `auditTrail` (every incident's entries, which name no incident; the evidence bundle
  // of one's incident carries its trail), `notificationAdded` and `gateChanged` without a key.

  // ---- an incident named ----------------------------------------------------------------------------------
  'Query.incident': (a, c) => c.incident(a['id']),
  'Query.incidents': open, // and EXCLUDED_FROM_LISTS
  'Query.auditStanding': (a, c) => c.incident(a['incidentId']),
  'Query.breachDeadlines': (a, c) => c.incident(a['incidentId']),
  'Query.breachNotification': (a, c) => c.incident(a['incidentId']),
  'Query.hotlineCases': (a, c) => c.incident(a['incidentId']),
  'Query.hotlineContacts': (a, c) => c.incident(a['incidentId']),
  'Query.hotlineSummary': (a, c) => c.incident(a['incidentId']),
  'Query.progressStatements': (a, c) => c.incident(a['incidentId']),
  // A route's query cannot be narrowed in place: the incident must be named.
  'http:ReportsController.csv': (a, c) => c.incident(a['incidentId']),
  'http:ReportsController.pdf': (a, c) => c.incident(a['incidentId']),

  // ---- lists of an incident (narrowed when none is named) ---------------------------------------------------
  'Query.dashboard': (a, c) => c.narrow(a),
  'Query.evidenceReviewQueue': (a, c) => c.narrow(a),
  'Query.gates': (a, c) => c.narrow(a),
  'Query.countermeasures': (a, c) => c.narrow(filter(a)),
  'Query.auditEngagements': (a, c) => c.narrow(filter(a)),
  'Query.auditFindings': (a, c) => c.narrow(filter(a)),
  'Query.riskAcceptances': (a, c) => c.narrow(filter(a)),
  'Query.evidenceBundles': open, // and EXCLUDED_FROM_LISTS
  // A subscription's filter reads its own arguments: the incident must be named (never narrowed in place).
  'Subscription.countermeasureChanged': (a, c) => c.incident(a['incidentId']),
  'Subscription.dashboardChanged': (a, c) => c.incident(a['incidentId']),

  // ---- a record named: its incident ------------------------------------------------------------------------
  'Query.countermeasure': (a, c) => (a['id'] != null ? c.record('countermeasure', a['id']) : c.narrow(a)),
  'Query.evidence': (a, c) => c.record('evidence', a['id']),
  'http:EvidenceFilesController.download': (a, c) => c.record('evidence', a['id']),
  'Query.auditEngagement': (a, c) => c.record('engagement', a['id']),
  'Query.auditFinding': (a, c) => c.record('finding', a['id']),
  'Query.evidenceBundle': (a, c) => c.record('bundle', a['id']),
  'http:BundlesController.download': (a, c) => c.record('bundle', a['id']),
  'Query.breachFiling': (a, c) => c.record('filing', a['id']),
  'http:FilingFilesController.file': (a, c) => c.record('filing', /^[0-9a-fA-F-]{36}/.exec(String(a['file']))?.[0] ?? a['file']),
  'Query.gate': (a, c) => c.record('gate', a['key']),
  'Query.canPromote': (a, c) => c.record('gate', a['gate']),
  'http:GatesController.check': (a, c) => c.record('gate', a['key']),
  'Subscription.gateChanged': (a, c) => (a['key'] == null ? c.incident(null) : c.record('gate', a['key'])),

  // ---- what an auditor does -----------------------------------------------------------------------------
  'Mutation.reviewEvidence': (a, c) => c.record('evidence', input(a)['evidenceId']),
  'Mutation.signOffCountermeasure': (a, c) => c.record('countermeasure', input(a)['countermeasureId']),
  'Mutation.raiseAuditFinding': async (a, c) => {
    await c.record('engagement', input(a)['engagementId']);
    if (input(a)['countermeasureId'] != null) await c.record('countermeasure', input(a)['countermeasureId']);
  },
  'Mutation.resolveAuditFinding': (a, c) => c.record('finding', input(a)['id']),
  'Mutation.reopenAuditFinding': (a, c) => c.record('finding', input(a)['id']),
  'Mutation.moveAuditEngagement': (a, c) => c.record('engagement', input(a)['id']),
  'Mutation.clearAudit': (a, c) => c.record('engagement', input(a)['engagementId']),
  // The end date bounds the auditor's own access: a limited lead may not move it (the admin or a new engagement does).
  'Mutation.updateAuditEngagement': async (a, c) => {
    await c.record('engagement', input(a)['id']);
    if (input(a)['endsOn'] !== undefined) {
      throw new AuditError(AuditErrorCode.NOT_PERMITTED, 'Your access ends with this engagement: its end date is not yours to move', {
        field: 'endsOn',
      });
    }
  },
  'Mutation.exportEvidenceBundle': (a, c) => {
    const { scope, id } = input(a);
    if (scope === 'ENGAGEMENT') return c.record('engagement', id);
    if (scope === 'COUNTERMEASURE') return c.record('countermeasure', id);
    return c.incident(id);
  },
};
