import type { Translate } from './i18n';
import type { GateBlocker } from './queries';

/** A blocker as the server sends it, or of a kind this page does not know yet. */
type AnyBlocker = Omit<Pick<GateBlocker, 'kind' | 'itemKey' | 'itemTitle' | 'message'>, 'kind'> & { kind: string };

/**
 * A gate blocker in plain words, in the page's language. The server's
 * `message` (English, precise) is the fallback for a kind this page does not
 * know yet, and the tooltip of every line.
 */
export function blockerText(t: Translate, b: AnyBlocker): string {
  const vars = { key: b.itemKey ?? '', title: b.itemTitle ?? '' };
  switch (b.kind) {
    case 'COUNTERMEASURE_NOT_VERIFIED':
      return t('blocker.COUNTERMEASURE_NOT_VERIFIED', vars);
    case 'NO_AUDIT_CLEARANCE':
      return t('blocker.NO_AUDIT_CLEARANCE');
    case 'OPEN_FINDING':
      return t('blocker.OPEN_FINDING', vars);
    case 'MANUAL_HOLD':
      return t('blocker.MANUAL_HOLD');
    default:
      return b.message;
  }
}

/** 0..1 as a whole percentage ("67%"). */
export function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

/** The statuses in workflow order (the order of `byStatus`, and of the chart's stacks). */
export const STATUS_ORDER = [
  'PLANNED',
  'IN_PROGRESS',
  'BLOCKED',
  'IMPLEMENTED',
  'CHANGES_REQUESTED',
  'REOPENED',
  'VERIFIED',
  'OPERATING',
  'DEGRADED',
  'CANCELLED',
] as const;

export const CATEGORY_ORDER = [
  'DB_SHUTDOWN',
  'ACCESS_RESTRICTION',
  'EXPORT_RESTRICTION',
  'MONITORING',
  'EXTERNAL_AUDIT',
  'GOVERNANCE',
  'CUSTOMER_PROTECTION',
  'COMMUNICATION',
  'OTHER',
] as const;

export const STATUS_COLORS: Record<string, string> = {
  PLANNED: '#94a3b8',
  IN_PROGRESS: '#3b82f6',
  BLOCKED: '#dc2626',
  IMPLEMENTED: '#f59e0b',
  CHANGES_REQUESTED: '#9333ea',
  REOPENED: '#db2777',
  VERIFIED: '#16a34a',
  OPERATING: '#0d9488',
  DEGRADED: '#ea580c',
  CANCELLED: '#cbd5e1',
};

/**
 * The stacked bar chart's series: one per status present, in workflow order;
 * categories present, in the catalogue's order; a count per category.
 */
export function categoryStacks(byCategory: readonly { category: string; status: string; count: number }[]): {
  categories: string[];
  series: { status: string; counts: number[] }[];
} {
  const rank = (order: readonly string[], v: string) => (order.includes(v) ? order.indexOf(v) : order.length);
  const categories = [...new Set(byCategory.map((c) => c.category))].sort(
    (a, b) => rank(CATEGORY_ORDER, a) - rank(CATEGORY_ORDER, b) || a.localeCompare(b),
  );
  const statuses = [...new Set(byCategory.map((c) => c.status))].sort(
    (a, b) => rank(STATUS_ORDER, a) - rank(STATUS_ORDER, b) || a.localeCompare(b),
  );
  const series = statuses.map((status) => ({
    status,
    counts: categories.map((category) =>
      byCategory.filter((c) => c.category === category && c.status === status).reduce((n, c) => n + c.count, 0),
    ),
  }));
  return { categories, series };
}

/** A number of days ("1 day", "3 days"; 「3 日」). */
export function daysText(t: Translate, n: number): string {
  return t(n === 1 ? 'days.one' : 'days', { n });
}

/** How long until a due date, from the dashboard's `daysOverdue` (0 on the day, negative before it). */
export function daysLeftText(t: Translate, daysOverdue: number): string {
  if (daysOverdue === 0) return t('dueToday');
  return daysOverdue < 0 ? daysText(t, -daysOverdue) : t('tile.overdue');
}
