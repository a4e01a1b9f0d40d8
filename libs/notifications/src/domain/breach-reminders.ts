import { addDays } from '@app/common';
import type { BreachDeadlineReminder } from '@app/duties';
import { dedupeKey } from './notification-kinds';
import type { BreachReportFacts } from './notification-texts';

/**
 * Which PPC report deadlines call for a reminder today, and under which period key (pure: the facts come from
 * BreachDeadlineFeed, `today` is the case's day). The recipients named here are the incident's chief and legal leads;
 * the query adds the active executives (reminder-queries.ts, as for RISK_ACCEPTANCE_EXPIRING), and the database
 * drops duplicates, inactive users and what was already created.
 *
 * - BREACH_REPORT_DUE, on the reminder days of the pack (`daysBefore`: 7, 2, 1) and on the due day (0). The period is
 *   the reminder day reached, so a day the job missed is caught up by the next run (5 days left: the 7-day reminder,
 *   worded "残り5日", if it was not sent), and each reminder day sends at most one.
 * - BREACH_REPORT_OVERDUE, every `overdueEveryDays` days (1: every day) from the day after the due day; the period is
 *   the first day of that stretch, so one a day, caught up the same way.
 *
 * The subject is the incident, the filing kind and its due day: a corrected knownAt (a new due day) starts new
 * reminders; a submitted filing is no longer in the feed, so its reminders stop.
 */
export interface BreachReminderCandidate {
  kind: 'BREACH_REPORT_DUE' | 'BREACH_REPORT_OVERDUE';
  dedupeKey: string;
  incidentId: string;
  /** The chief and the legal leads (deduplicated). */
  userIds: string[];
  facts: BreachReportFacts & { period: string };
}

/** The reminder day reached with `daysLeft` days left: the smallest of `daysBefore` ∪ {0} not below it; null when none. */
export function dueReminderDay(daysLeft: number, daysBefore: readonly number[]): number | null {
  if (daysLeft < 0) return null;
  const reached = [...daysBefore, 0].filter((d) => d >= daysLeft);
  return reached.length ? Math.min(...reached) : null;
}

/** The first day of the overdue stretch `today` falls in (`every` days each, from the day after `dueOn`). */
export function overduePeriodStart(dueOn: string, lateDays: number, every: number): string {
  const step = Math.max(1, every);
  return addDays(dueOn, 1 + Math.floor((lateDays - 1) / step) * step);
}

export function breachReminders(deadlines: readonly BreachDeadlineReminder[]): BreachReminderCandidate[] {
  const out: BreachReminderCandidate[] = [];
  for (const d of deadlines) {
    const subject = `${d.incidentId}:${d.kind}:${d.dueOn}`;
    const userIds = [...new Set([...(d.chiefId ? [d.chiefId] : []), ...d.legalLeadIds])];
    const facts: BreachReportFacts = {
      incidentTitle: d.incidentTitle,
      filingKind: d.kind,
      labelJa: d.label.ja,
      labelEn: d.label.en,
      dueOn: d.dueOn,
      daysLeft: d.daysLeft,
      binding: d.binding,
      guidanceJa: d.guidance.ja,
      guidanceEn: d.guidance.en,
    };
    if (d.daysLeft < 0) {
      const period = overduePeriodStart(d.dueOn, -d.daysLeft, d.reminders.overdueEveryDays);
      const kind = 'BREACH_REPORT_OVERDUE';
      out.push({ kind, dedupeKey: dedupeKey(kind, subject, period), incidentId: d.incidentId, userIds, facts: { ...facts, period } });
      continue;
    }
    const day = dueReminderDay(d.daysLeft, d.reminders.daysBefore);
    if (day === null) continue;
    const kind = 'BREACH_REPORT_DUE';
    const period = `D-${day}`;
    out.push({ kind, dedupeKey: dedupeKey(kind, subject, period), incidentId: d.incidentId, userIds, facts: { ...facts, period } });
  }
  return out;
}
