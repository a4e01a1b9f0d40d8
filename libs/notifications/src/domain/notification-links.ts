import type { NotificationKind } from './notification-kinds';

/**
 * Where a notification sends its reader: a place on the web page served at `/`
 * (apps/web; its address parameters are read by apps/web/src/page-params.ts).
 * Pure: the same for the inbox (GraphQL `Notification.link`, a path the page
 * resolves against its own origin) and the e-mail (the absolute URL under
 * PUBLIC_BASE_URL).
 *
 * | kind | link |
 * |---|---|
 * | DUE_IN_7_DAYS, DUE_IN_1_DAY, OVERDUE, EVIDENCE_GOING_STALE | `/?item=CM-004`: the countermeasure highlighted |
 * | RISK_ACCEPTANCE_EXPIRING | `/?item=CM-004` when the requirement or the finding belongs to a countermeasure, else `/` |
 * | REVIEW_WAITING | `/?view=review`: the review queue (where the auditor acts; the evidence is named in the text) |
 * | GATE_CHANGED, WEEKLY_DIGEST | `/`: the dashboard (gate, counts, late items) |
 * | BREACH_REPORT_DUE, BREACH_REPORT_OVERDUE | `/?incident=<id>#duties`: the incident's duties section (PPC deadlines), else `/#duties` |
 *
 * Computed from the kind and the stored countermeasure key (and incident id), never stored: a
 * notification's link follows the page if the page's addresses change, and no
 * column has to be kept in step. No `asOf`: a notification calls for action
 * now, so it opens today's state (its `data` keeps the day it was made).
 */
export function notificationPath(kind: NotificationKind, countermeasureKey: string | null, incidentId: string | null = null): string {
  switch (kind) {
    case 'DUE_IN_7_DAYS':
    case 'DUE_IN_1_DAY':
    case 'OVERDUE':
    case 'EVIDENCE_GOING_STALE':
    case 'RISK_ACCEPTANCE_EXPIRING':
      return countermeasureKey ? `/?${new URLSearchParams({ item: countermeasureKey })}` : '/';
    case 'REVIEW_WAITING':
      return '/?view=review';
    case 'GATE_CHANGED':
    case 'WEEKLY_DIGEST':
      return '/';
    case 'BREACH_REPORT_DUE':
    case 'BREACH_REPORT_OVERDUE':
      return incidentId ? `/?${new URLSearchParams({ incident: incidentId })}#${DUTIES_SECTION}` : `/#${DUTIES_SECTION}`;
  }
}

/** The id of the page's section on the incident's duties (the PPC report deadlines). */
export const DUTIES_SECTION = 'duties';

/**
 * `path` (from `notificationPath`, starting with `/`) under the server's public
 * address; `baseUrl` is PUBLIC_BASE_URL as validated (no trailing slash, no
 * query or fragment; a path prefix such as https://example.co.jp/tracker is kept).
 */
export function absoluteLink(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${path}`;
}
