import type { Provider } from '@nestjs/common';
import { PubSub } from 'graphql-subscriptions';

/**
 * The in-process fan-out of GraphQL subscriptions: one event published here
 * reaches every matching subscription open on this instance.
 *
 * Nothing publishes here from inside a transaction: each context feeds it
 * from what PostgreSQL announces at commit (LISTEN/NOTIFY, e.g. the gate's
 * `GateNotifications`), so every instance of the server publishes every
 * committed change to its own subscribers, and a rolled-back change is never
 * published.
 */
export const PUB_SUB = Symbol('PUB_SUB');

/** Trigger names, one per subscription field (add countermeasureChanged, dashboardChanged here). */
export const SubscriptionTrigger = {
  GATE_CHANGED: 'gateChanged',
  NOTIFICATION_ADDED: 'notificationAdded',
  COUNTERMEASURE_CHANGED: 'countermeasureChanged',
  DASHBOARD_CHANGED: 'dashboardChanged',
} as const;
export type SubscriptionTrigger = (typeof SubscriptionTrigger)[keyof typeof SubscriptionTrigger];

export class AppPubSub extends PubSub<Record<SubscriptionTrigger, unknown>> {
  /** How many subscriptions listen on `trigger` on this instance (health, tests). */
  listenerCount(trigger: SubscriptionTrigger): number {
    return this.ee.listenerCount(trigger);
  }
}

export const pubSubProvider: Provider = { provide: PUB_SUB, useFactory: () => new AppPubSub() };
