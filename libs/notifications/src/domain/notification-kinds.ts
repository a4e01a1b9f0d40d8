/**
 * What a notification is about. Each kind has its recipients, its moment and its
 * "period" (see notification-texts.ts for the words and reminder-queries.ts for
 * the SQL that finds the candidates):
 *
 * | kind | to | when | once per |
 * |---|---|---|---|
 * | DUE_IN_7_DAYS | owner, contributors | open item due in 2..7 days (today = the case's time zone) | item and due date |
 * | DUE_IN_1_DAY | owner, contributors | open item due tomorrow or today | item and due date |
 * | OVERDUE | owner, contributors, the task-force chief | open item past its due date | item and due date |
 * | REVIEW_WAITING | every active auditor who may review it | live evidence waiting for review more than 3 days | evidence |
 * | EVIDENCE_GOING_STALE | owner, contributors | a recurring requirement of an OPERATING measure whose accepted evidence turns stale within 7 days | requirement and latest accepted effective day |
 * | RISK_ACCEPTANCE_EXPIRING | executives, the acceptor | a standing risk acceptance whose last day is within 7 days | acceptance and last day |
 * | GATE_CHANGED | executives, the gate incident's task force | every committed state change of a gate | gate change |
 * | WEEKLY_DIGEST | executives | Mondays: the past seven days | week |
 * | BREACH_REPORT_DUE | the incident's chief and legal leads, executives | a mandatory PPC report (速報/確報) not submitted, due in 7, 2 or 1 days or today (the rule pack's `reminders.daysBefore`, and 0; a day the job missed is caught up: 6..3 days left sends the 7-day reminder if it was not sent) | incident, filing kind, due day and reminder day |
 * | BREACH_REPORT_OVERDUE | the incident's chief and legal leads, executives | every day (`reminders.overdueEveryDays`) while such a report is past its due day | incident, filing kind, due day and day |
 *
 * A due date moved (or new accepted evidence, a renewed acceptance, or a corrected
 * knownAt of the breach-notification record, which moves a PPC report's due day) starts a
 * new period, so the reminder comes again for the new date; running the job
 * twice creates nothing new.
 */
export const NOTIFICATION_KINDS = [
  'DUE_IN_7_DAYS',
  'DUE_IN_1_DAY',
  'OVERDUE',
  'REVIEW_WAITING',
  'EVIDENCE_GOING_STALE',
  'RISK_ACCEPTANCE_EXPIRING',
  'GATE_CHANGED',
  'WEEKLY_DIGEST',
  'BREACH_REPORT_DUE',
  'BREACH_REPORT_OVERDUE',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export function isNotificationKind(value: string): value is NotificationKind {
  return (NOTIFICATION_KINDS as readonly string[]).includes(value);
}

/** Reminder windows, in calendar days of the case's time zone. */
export const REMINDER_WINDOWS = {
  /** DUE_IN_7_DAYS: due in more than 1 and at most 7 days. */
  dueSoonDays: 7,
  /** REVIEW_WAITING: uploaded more than this many days (of 24 h) ago and still without a review. */
  reviewWaitingDays: 3,
  /** EVIDENCE_GOING_STALE: the first stale day is at most this many days ahead. */
  staleWithinDays: 7,
  /** RISK_ACCEPTANCE_EXPIRING: the last day is at most this many days ahead. */
  acceptanceExpiringDays: 7,
  /** GATE_CHANGED: the daily run also catches up on changes of this many past days (a notice missed while the server was down). */
  gateCatchUpDays: 2,
} as const;

export interface NotificationPreferenceValue {
  inbox: boolean;
  email: boolean;
}

/**
 * Without a row of its own a user receives every kind in the inbox and by
 * e-mail (e-mail only when the server has SMTP_URL). A kind with both off is
 * not created at all for that user.
 */
export function defaultPreference(_kind: NotificationKind): NotificationPreferenceValue {
  return { inbox: true, email: true };
}

/** The dedupe key: one notification per user and (kind, subject, period). */
export function dedupeKey(kind: NotificationKind, subject: string, period?: string | null): string {
  return period ? `${kind}:${subject}:${period}` : `${kind}:${subject}`;
}

export const EMAIL_STATUSES = ['PENDING', 'SENDING', 'SENT', 'FAILED'] as const;
export type EmailStatus = (typeof EMAIL_STATUSES)[number];
