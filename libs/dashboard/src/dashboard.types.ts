import type { Blocker } from '@app/promotion-gate';

/** The dashboard as the service returns it (plain data; the API maps it to GraphQL types). */

export interface DashboardItem {
  id: string;
  key: string;
  title: string;
  status: string;
  dueDate: string;
  /** Days past the due date on `asOf` (negative: days left). */
  daysOverdue: number;
  ownerId: string;
  ownerName: string;
}

export interface BlockedItem extends DashboardItem {
  reason: string | null;
  blockedSince: Date | null;
}

export interface DashboardTotals {
  /** Countermeasures that stand (every status but CANCELLED). */
  total: number;
  /** VERIFIED or OPERATING. */
  verified: number;
  verifiedShare: number;
  /** Marked required for the gate (a CANCELLED one too: it still blocks the gate). */
  requiredTotal: number;
  requiredVerified: number;
  requiredVerifiedShare: number;
  /** The full counts behind the bounded lists. */
  open: number;
  overdue: number;
  dueSoon: number;
  blocked: number;
  atRisk: number;
}

export interface StatusCount {
  status: string;
  count: number;
}

export interface CategoryStatusCount {
  category: string;
  status: string;
  count: number;
}

export interface ReviewQueueSummary {
  waiting: number;
  oldestUploadedAt: Date | null;
  oldestWaitDays: number | null;
}

export interface FindingSummary {
  bySeverity: { severity: string; open: number }[];
  auditStatus: string | null;
  cleared: boolean;
}

export interface GateSummary {
  key: string;
  state: string;
  canPromote: boolean;
  /** The gate's own blockers (as `gate(key)` gives them), stored as JSON on the gate and its history. */
  blockers: Blocker[];
}

export interface OwnerLoad {
  ownerId: string;
  ownerName: string;
  open: number;
  overdue: number;
}

export interface BurnUpPoint {
  day: string;
  total: number;
  implemented: number;
  verified: number;
}

export interface ActivityEntry {
  seq: string;
  at: Date;
  actorLabel: string;
  action: string;
  entityType: string;
  entityId: string;
  summary: string;
  /** The display name of the person who acted; null when the system or an API key did (actorLabel says which). */
  actorName: string | null;
  /** What it concerns: "CM-004 <title>", "F-001 <title>", an engagement's title, a gate's key... */
  subject: string;
  /** The status or state moved from and to, when the entry moved one. */
  fromState: string | null;
  toState: string | null;
  /** A review's decision (evidence.reviewed). */
  decision: string | null;
}

export interface Dashboard {
  asOf: string;
  generatedAt: Date;
  incidentId: string;
  incidentTitle: string;
  /** The incident's first day: the earliest `asOf`, the burn-up's first day. */
  startsOn: string;
  /** `current` (today, from the kept state) or `history` (a past day, rebuilt from the history tables). */
  source: 'current' | 'history';
  totals: DashboardTotals;
  byStatus: StatusCount[];
  byCategory: CategoryStatusCount[];
  overdue: DashboardItem[];
  dueSoon: DashboardItem[];
  blocked: BlockedItem[];
  atRisk: DashboardItem[];
  reviewQueue: ReviewQueueSummary;
  findings: FindingSummary;
  gate: GateSummary | null;
  ownerLoad: OwnerLoad[];
  burnUp: BurnUpPoint[];
  latestActivity: ActivityEntry[];
}

export interface DashboardRequest {
  /** Default: the most recent incident. */
  incidentId?: string | null;
  /** YYYY-MM-DD, Asia/Tokyo; default today. */
  asOf?: string | null;
  /** Force a source (tests compare the two at today); default: `current` for today, `history` for a past day. */
  source?: 'current' | 'history';
}
