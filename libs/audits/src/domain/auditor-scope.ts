import { AuditError, AuditErrorCode } from './audit.errors';

/**
 * The engagement limit of an auditor's access (issue 16). An admin marks an auditor's account as limited to
 * their engagements (table auditor_access_limits; off unless set, so existing accounts keep their access). A
 * limited auditor reads and acts only within the incidents of the engagements they lead or are on, and only up
 * to each engagement's `ends_on` (the end of that day in Japan; no end date: open). Once every engagement has
 * ended (or the auditor has none) they are refused everything but reading themselves and signing out.
 *
 * Pure rules, evaluated when read ("rules with a date hold when read"): the scope is computed per request from
 * the engagements as they stand and today's date in Asia/Tokyo.
 */

/** One engagement the auditor leads or is on: its incident and last day (YYYY-MM-DD, null: no end set). */
export interface EngagementWindow {
  engagementId: string;
  incidentId: string;
  endsOn: string | null;
}

export interface AuditorScope {
  /** Incidents with at least one engagement of the auditor that has not ended today. */
  readonly open: ReadonlySet<string>;
  /** Incidents whose engagements of the auditor have all ended (and their last day). */
  readonly ended: ReadonlyMap<string, string>;
}

/** The incidents a limited auditor may work in today (`today` in Asia/Tokyo, YYYY-MM-DD). */
export function auditorScopeOn(windows: readonly EngagementWindow[], today: string): AuditorScope {
  const open = new Set<string>();
  const lastDay = new Map<string, string>();
  for (const w of windows) {
    if (w.endsOn === null || w.endsOn >= today) {
      open.add(w.incidentId);
    } else if ((lastDay.get(w.incidentId) ?? '') < w.endsOn) {
      lastDay.set(w.incidentId, w.endsOn);
    }
  }
  for (const id of open) lastDay.delete(id);
  return { open, ended: lastDay };
}

/** Nothing is open any more: the auditor's engagements have all ended (or there are none). */
export function assertScopeOpen(scope: AuditorScope): void {
  if (scope.open.size > 0) return;
  if (scope.ended.size > 0) {
    const last = [...scope.ended.values()].sort().at(-1)!;
    throw new AuditError(
      AuditErrorCode.ENGAGEMENT_ENDED,
      `Your access ended with your engagements (last day ${last}, Japan time); you may still read yourself and sign out`,
      { endedOn: last },
    );
  }
  throw new AuditError(
    AuditErrorCode.OUTSIDE_ENGAGEMENT,
    'Your access is limited to the incidents of your audit engagements, and you are on none; you may still read yourself and sign out',
  );
}

/** The incident `incidentId` is one the limited auditor may work in today; else FORBIDDEN with a clear code. */
export function assertIncidentInScope(scope: AuditorScope, incidentId: string): void {
  assertScopeOpen(scope);
  if (scope.open.has(incidentId)) return;
  const endedOn = scope.ended.get(incidentId);
  if (endedOn !== undefined) {
    throw new AuditError(AuditErrorCode.ENGAGEMENT_ENDED, `Your engagement on this incident ended on ${endedOn} (Japan time)`, {
      incidentId,
      endedOn,
    });
  }
  throw new AuditError(AuditErrorCode.OUTSIDE_ENGAGEMENT, 'Your access is limited to the incidents of your audit engagements', {
    incidentId,
  });
}

/**
 * The incident a list without one named is narrowed to: the only open one. With several open, the auditor must
 * name one (BAD_USER_INPUT INCIDENT_NOT_NAMED, with the ones they may name).
 */
export function soleIncidentOf(scope: AuditorScope): string {
  assertScopeOpen(scope);
  if (scope.open.size === 1) return [...scope.open][0]!;
  const incidentIds = [...scope.open].sort();
  throw new AuditError(AuditErrorCode.INCIDENT_NOT_NAMED, 'You audit several incidents: name the one you mean (incidentId)', {
    field: 'incidentId',
    incidentIds,
  });
}
