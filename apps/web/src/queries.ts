/**
 * Every GraphQL operation the page sends. The page talks to the server
 * through these only (the public GraphQL API, the same one any client uses;
 * no private route). Written with gql.tada's `graphql()`: each document is
 * checked against the API's schema by the type checker, and the shapes the
 * page reads are the documents' result types, not hand-written copies.
 */
import { graphql, type ResultOf } from './graphql';

export const LOGIN = graphql(`
  mutation SignIn($input: LoginInput!) {
    login(input: $input) {
      accessToken
      expiresAt
      refreshToken
      refreshExpiresAt
      session { id state }
      user { id displayName roles }
    }
  }
`);
export type SessionUser = ResultOf<typeof LOGIN>['login']['user'];
export type Role = SessionUser['roles'][number];

const ITEM = graphql(`
  fragment DashboardItemFields on DashboardItem @_unmask {
    id key title status dueDate daysOverdue ownerId ownerName
  }
`);

/**
 * The dashboard of an incident (`incidentId` null: the most recent), today (`asOf` null: live) or as it stood at the
 * end of a past day.
 */
export const DASHBOARD = graphql(
  `
  query Dashboard($asOf: LocalDate, $incidentId: ID) {
    dashboard(asOf: $asOf, incidentId: $incidentId) {
      asOf generatedAt incidentId incidentTitle startsOn
      totals { total verified verifiedShare requiredTotal requiredVerified requiredVerifiedShare open overdue dueSoon blocked atRisk }
      byStatus { status count }
      byCategory { category status count }
      overdue { ...DashboardItemFields }
      dueSoon { ...DashboardItemFields }
      blocked { id key title status dueDate daysOverdue ownerId ownerName reason blockedSince }
      atRisk { ...DashboardItemFields }
      ownerLoad { ownerId ownerName open overdue }
      latestActivity { at actorLabel actorName action entityType entityId summary subject fromState toState decision }
      reviewQueue { waiting oldestUploadedAt oldestWaitDays }
      findings { bySeverity { severity open } auditStatus cleared }
      gate { key state canPromote blockers { kind itemKey itemTitle ownerName message } }
      burnUp { day total implemented verified }
    }
  }
`,
  [ITEM],
);
export type Dashboard = ResultOf<typeof DASHBOARD>['dashboard'];
export type DashboardItem = ResultOf<typeof ITEM>;
export type GateState = NonNullable<Dashboard['gate']>['state'];
export type GateBlocker = NonNullable<Dashboard['gate']>['blockers'][number];
export type OwnerLoad = Dashboard['ownerLoad'][number];
export type ActivityEntry = Dashboard['latestActivity'][number];

/** Auditors: the evidence waiting for their review, oldest first. */
export const REVIEW_QUEUE = graphql(`
  query ReviewQueue {
    evidenceReviewQueue(first: 20) {
      totalCount
      nodes { waitingDays evidence { id name kind uploadedByLabel countermeasure { key title } } }
    }
  }
`);

/** Task-force members: the countermeasures they own, by due date. */
export const MY_ITEMS = graphql(`
  query MyItems($ownerId: ID!) {
    countermeasures(first: 50, filter: { ownerId: $ownerId }, orderBy: DUE_DATE) {
      totalCount
      nodes { id key title status dueDate overdue }
    }
  }
`);

/** One countermeasure by its key: a link to an item that is in none of the page's lists. */
export const COUNTERMEASURE_BY_KEY = graphql(`
  query CountermeasureByKey($key: String!, $incidentId: ID) {
    countermeasure(key: $key, incidentId: $incidentId) { id key title status }
  }
`);

/** "Something changed: refetch" (one event per burst of changes, per incident). */
export const DASHBOARD_CHANGED = graphql(`
  subscription DashboardChanged($incidentId: ID) {
    dashboardChanged(incidentId: $incidentId) { at action entityType }
  }
`);

/** The gate's state changes (also announced by dashboardChanged; this one is the gate's own feed). */
export const GATE_CHANGED = graphql(`
  subscription GateChanged {
    gateChanged { changeId toState at }
  }
`);
