/**
 * Every GraphQL operation the page sends, and the shapes it reads. The page
 * talks to the server through these only (the public GraphQL API, the same
 * one any client uses; no private route).
 */
export type Role = 'ADMIN' | 'EXECUTIVE' | 'TASK_FORCE' | 'AUDITOR' | 'SERVICE';
export type GateState = 'SUSPENDED' | 'ELIGIBLE' | 'OPEN';

export interface SessionUser {
  id: string;
  displayName: string;
  roles: Role[];
}

export const LOGIN = /* GraphQL */ `
  mutation SignIn($input: LoginInput!) {
    login(input: $input) {
      accessToken
      expiresAt
      user { id displayName roles }
    }
  }
`;
export interface LoginData {
  login: { accessToken: string; expiresAt: string; user: SessionUser };
}

export interface GateBlocker {
  kind: 'COUNTERMEASURE_NOT_VERIFIED' | 'NO_AUDIT_CLEARANCE' | 'OPEN_FINDING' | 'MANUAL_HOLD' | string;
  itemKey: string | null;
  itemTitle: string | null;
  ownerName: string | null;
  message: string;
}

export interface DashboardItem {
  id: string;
  key: string;
  title: string;
  status: string;
  dueDate: string;
  daysOverdue: number;
  ownerId: string;
  ownerName: string;
}

export interface OwnerLoad {
  ownerId: string;
  ownerName: string;
  open: number;
  overdue: number;
}

export interface ActivityEntry {
  at: string;
  actorLabel: string;
  action: string;
  entityType: string;
  entityId: string;
  summary: string;
}

export interface Dashboard {
  /** The day shown (Asia/Tokyo): today, or the past day asked for. */
  asOf: string;
  generatedAt: string;
  incidentId: string;
  incidentTitle: string;
  /** The incident's first day: the earliest day the dashboard can show. */
  startsOn: string;
  totals: {
    total: number;
    verified: number;
    verifiedShare: number;
    requiredTotal: number;
    requiredVerified: number;
    requiredVerifiedShare: number;
    open: number;
    overdue: number;
    dueSoon: number;
    blocked: number;
    atRisk: number;
  };
  byStatus: { status: string; count: number }[];
  byCategory: { category: string; status: string; count: number }[];
  overdue: DashboardItem[];
  dueSoon: DashboardItem[];
  blocked: (DashboardItem & { reason: string | null; blockedSince: string | null })[];
  atRisk: DashboardItem[];
  reviewQueue: { waiting: number; oldestUploadedAt: string | null; oldestWaitDays: number | null };
  findings: { bySeverity: { severity: string; open: number }[]; auditStatus: string | null; cleared: boolean };
  gate: { key: string; state: GateState; canPromote: boolean; blockers: GateBlocker[] } | null;
  ownerLoad: OwnerLoad[];
  burnUp: { day: string; total: number; implemented: number; verified: number }[];
  latestActivity: ActivityEntry[];
}

const ITEM = 'id key title status dueDate daysOverdue ownerId ownerName';

/** The dashboard of the most recent incident, today (`asOf` null: live) or as it stood at the end of a past day. */
export const DASHBOARD = /* GraphQL */ `
  query Dashboard($asOf: LocalDate) {
    dashboard(asOf: $asOf) {
      asOf generatedAt incidentId incidentTitle startsOn
      totals { total verified verifiedShare requiredTotal requiredVerified requiredVerifiedShare open overdue dueSoon blocked atRisk }
      byStatus { status count }
      byCategory { category status count }
      overdue { ${ITEM} }
      dueSoon { ${ITEM} }
      blocked { ${ITEM} reason blockedSince }
      atRisk { ${ITEM} }
      ownerLoad { ownerId ownerName open overdue }
      latestActivity { at actorLabel action entityType entityId summary }
      reviewQueue { waiting oldestUploadedAt oldestWaitDays }
      findings { bySeverity { severity open } auditStatus cleared }
      gate { key state canPromote blockers { kind itemKey itemTitle ownerName message } }
      burnUp { day total implemented verified }
    }
  }
`;
export interface DashboardData {
  dashboard: Dashboard;
}

/** Auditors: the evidence waiting for their review, oldest first. */
export const REVIEW_QUEUE = /* GraphQL */ `
  query ReviewQueue {
    evidenceReviewQueue(first: 20) {
      totalCount
      nodes { waitingDays evidence { id name kind uploadedByLabel countermeasure { key title } } }
    }
  }
`;
export interface ReviewQueueData {
  evidenceReviewQueue: {
    totalCount: number;
    nodes: { waitingDays: number; evidence: { id: string; name: string; kind: string; uploadedByLabel: string; countermeasure: { key: string; title: string } | null } }[];
  };
}

/** Task-force members: the countermeasures they own, by due date. */
export const MY_ITEMS = /* GraphQL */ `
  query MyItems($ownerId: ID!) {
    countermeasures(first: 50, filter: { ownerId: $ownerId }, orderBy: DUE_DATE) {
      totalCount
      nodes { id key title status dueDate overdue }
    }
  }
`;
export interface MyItemsData {
  countermeasures: { totalCount: number; nodes: { id: string; key: string; title: string; status: string; dueDate: string; overdue: boolean }[] };
}

/** One countermeasure by its key: a link to an item that is in none of the page's lists. */
export const COUNTERMEASURE_BY_KEY = /* GraphQL */ `
  query CountermeasureByKey($key: String!, $incidentId: ID) {
    countermeasure(key: $key, incidentId: $incidentId) { id key title status }
  }
`;
export interface CountermeasureByKeyData {
  countermeasure: { id: string; key: string; title: string; status: string };
}

/** "Something changed: refetch" (one event per burst of changes, per incident). */
export const DASHBOARD_CHANGED = /* GraphQL */ `
  subscription DashboardChanged($incidentId: ID) {
    dashboardChanged(incidentId: $incidentId) { at action entityType }
  }
`;

/** The gate's state changes (also announced by dashboardChanged; this one is the gate's own feed). */
export const GATE_CHANGED = /* GraphQL */ `
  subscription GateChanged {
    gateChanged { changeId toState at }
  }
`;
