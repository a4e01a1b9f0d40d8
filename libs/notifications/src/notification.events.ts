/**
 * Announced for every new inbox notification by `pg_notify(NOTIFICATION_CHANNEL, <json>)`
 * inside the transaction that creates it: PostgreSQL delivers it at commit, never
 * for a rollback. `NotificationFeed` LISTENs; the API's `notificationAdded`
 * subscription is fed from it (on every instance).
 */
export const NOTIFICATION_CHANNEL = 'notification_added';

export interface NotificationAddedNotice {
  id: string;
  userId: string;
  kind: string;
}
