import { Inject, Injectable } from '@nestjs/common';
import type { Page } from '@app/common';
import type { DigestFacts } from './domain/notification-texts';
import { NotificationEmailOutbox, type EmailPass } from './notification-email-outbox';
import { NotificationInbox, type EffectivePreference, type NotificationListRequest } from './notification-inbox';
import { NotificationReminders, type ReminderRun } from './notification-reminders';
import type { NotificationEntity } from './notification.entities';
import { WeeklyDigestFacts } from './weekly-digest-facts';

export type { EmailPass } from './notification-email-outbox';
export type { EffectivePreference, NotificationListRequest } from './notification-inbox';
export type { ReminderRun } from './notification-reminders';
export { word } from './domain/notification-wording';

/**
 * Reminders and the inbox: the one entry point of the notifications context
 * (resolvers, jobs, the CLI, the demo). Each seam has its own file:
 *
 * - `runDaily(now)` (07:00 Asia/Tokyo, `runReminders`, `npm run cli -- run-reminders`)
 *   creates every due, overdue, review-waiting, going-stale, expiring-acceptance
 *   notification, and catches up on gate changes of the last days; idempotent
 *   (the dedupe key is unique per user), one transaction per kind
 *   (notification-reminders.ts; who hears about what: reminder-queries.ts, a
 *   declared read model).
 * - `runWeeklyDigest(now)` (Mondays 07:30) summarises the seven days before
 *   `now`'s day (its facts: weekly-digest-facts.ts, asked of the owning contexts).
 * - `notifyGateChange(changeId)` is called after a gate change commits (LISTEN).
 * - Each new notification is announced at commit (pg_notify); e-mail, when the
 *   server has SMTP_URL and the user wants that kind by e-mail, is sent after
 *   the commit and its outcome recorded on the row. A failed e-mail is logged
 *   and recorded, never thrown, and tried again later (`deliverPendingEmail`,
 *   run every minute and at start by the API's job; schedule in
 *   domain/email-delivery.ts; notification-email-outbox.ts). The e-mail ends
 *   with a link to the page when PUBLIC_BASE_URL is set (domain/notification-links.ts).
 * - The inbox and the preferences: notification-inbox.ts.
 *
 * Creating and reading notifications is not written to the audit trail: they are
 * messages about recorded changes, not changes of the plan.
 */
@Injectable()
export class NotificationsService {
  constructor(
    @Inject(NotificationReminders) private readonly reminders: NotificationReminders,
    @Inject(WeeklyDigestFacts) private readonly digest: WeeklyDigestFacts,
    @Inject(NotificationEmailOutbox) private readonly outbox: NotificationEmailOutbox,
    @Inject(NotificationInbox) private readonly inbox: NotificationInbox,
  ) {}

  // ---- the jobs ---------------------------------------------------------------------------------

  /** The daily reminders as of `now` (its day in the case's time zone; default: the Clock's now). Idempotent. */
  runDaily(now?: Date): Promise<ReminderRun> {
    return this.reminders.runDaily(now);
  }

  /** The weekly digest to every active executive: the seven days before `now`'s day. Idempotent per week. */
  runWeeklyDigest(now?: Date): Promise<ReminderRun> {
    return this.reminders.runWeeklyDigest(now);
  }

  /** GATE_CHANGED for one committed gate change (idempotent: the listener and the daily catch-up may both call it). */
  notifyGateChange(changeId: string, now?: Date): Promise<ReminderRun> {
    return this.reminders.notifyGateChange(changeId, now);
  }

  /** The facts of the weekly digest for the seven days before `now`'s day (also what the digest says). */
  digestFacts(now?: Date): Promise<DigestFacts> {
    return this.digest.of(now);
  }

  /** Sends every e-mail due at `now` (NotificationEmailOutbox.deliverPendingEmail). Never throws for a failed send. */
  deliverPendingEmail(now?: Date): Promise<EmailPass> {
    return this.outbox.deliverPendingEmail(now);
  }

  /** At shutdown: every e-mail pass (a run's own included) ends after the e-mail it is sending, and none begins. */
  stopSendingEmail(): void {
    this.outbox.stop();
  }

  // ---- the inbox ---------------------------------------------------------------------------------

  /** The user's own inbox, newest first. */
  list(userId: string, req: NotificationListRequest): Promise<Page<NotificationEntity>> {
    return this.inbox.list(userId, req);
  }

  unreadCount(userId: string): Promise<number> {
    return this.inbox.unreadCount(userId);
  }

  /** One of the user's own inbox notifications; another user's is NOT_FOUND. */
  getOwn(userId: string, id: string): Promise<NotificationEntity> {
    return this.inbox.getOwn(userId, id);
  }

  /** Marks the user's own notifications read: `ids`, or `all` of them (any id not the user's refuses the whole call). */
  markRead(
    userId: string,
    sel: { ids?: readonly string[] | null; all?: boolean | null },
  ): Promise<{ marked: number; unreadCount: number }> {
    return this.inbox.markRead(userId, sel);
  }

  /** Every kind with the user's choice (the defaults where the user made none). */
  preferences(userId: string): Promise<EffectivePreference[]> {
    return this.inbox.preferences(userId);
  }

  /** The user's choice for one kind (applies to notifications created from now on). */
  setPreference(userId: string, kind: string, inbox: boolean, email: boolean): Promise<EffectivePreference> {
    return this.inbox.setPreference(userId, kind, inbox, email);
  }
}
