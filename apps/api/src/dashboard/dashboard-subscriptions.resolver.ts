import { Inject, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Args, Field, ID, Int, ObjectType, Resolver, Subscription } from '@nestjs/graphql';
import { DateTimeScalar } from '../graphql/date-time.scalar';
import { TRAIL_CHANNEL, type TrailAppendedNotice } from '@app/audit-trail';
import { DashboardService } from '@app/dashboard';
import { NoticeBus, type NoticeListener } from '@app/database';
import { Permission } from '@app/identity';
import { Allow } from '../auth/access.decorators';
import { PUB_SUB, SubscriptionTrigger, type AppPubSub } from '../subscriptions/pubsub.provider';

/** A burst of changes to one incident gives one `dashboardChanged` per this window. */
export const DASHBOARD_CHANGED_WINDOW_MS = 500;

@ObjectType('CountermeasureChange', { description: 'A committed change of a countermeasure (one audit-trail entry about it)' })
export class CountermeasureChangeType {
  @Field(() => ID) countermeasureId!: string;
  @Field({ description: 'CM-004' }) key!: string;
  @Field(() => ID) incidentId!: string;
  @Field({ description: 'The audit-trail action, e.g. countermeasure.status_changed' }) action!: string;
  @Field(() => DateTimeScalar) at!: Date;
}

@ObjectType('DashboardChange', { description: 'Something the dashboard shows has changed: refetch `dashboard` now' })
export class DashboardChangeType {
  @Field(() => DateTimeScalar, { description: 'When the latest change of the burst was made' }) at!: Date;
  @Field({ description: "The latest change's audit-trail action (listener.reconnected: changes may have been missed)" }) action!: string;
  @Field({ description: "The latest change's entity type (Countermeasure, Evidence, AuditFinding, PromotionGate...)" }) entityType!: string;
  @Field(() => ID, {
    nullable: true,
    description: 'The incident it concerns; null when it concerns none in particular (a user, a reconnection)',
  })
  incidentId!: string | null;
  @Field(() => Int, { description: 'How many committed changes this event stands for (a burst gives one event)' }) changes!: number;
}

interface Pending {
  latest: TrailAppendedNotice | { action: string; entityType: string; at: string };
  changes: number;
  timer: NodeJS.Timeout;
}

/**
 * `countermeasureChanged` and `dashboardChanged`, fed by every committed
 * audit-trail entry (`audit_trail_appended` through the NoticeBus, delivered at
 * commit only: a rolled-back or refused change is never announced).
 *
 * Each notice is handled once per instance, in commit order: its incident is
 * looked up (one primary-key read, only while someone listens), then
 * - an entry about a countermeasure is published at once as a CountermeasureChange;
 * - every entry is folded into its incident's window: the first starts a
 *   500 ms timer, later ones in the window only count, and when it ends one
 *   DashboardChange goes out (the latest change, and how many) — a burst of
 *   changes (one mutation appends several entries) gives one refetch.
 * After a lost LISTEN connection is re-established, a DashboardChange
 * (`listener.reconnected`, every incident) tells clients to refetch.
 */
@Resolver()
export class DashboardSubscriptionsResolver implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(DashboardSubscriptionsResolver.name);
  private readonly notifications: NoticeListener<TrailAppendedNotice>;
  private readonly pending = new Map<string, Pending>();
  private queue: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void)[] = [];

  constructor(
    @Inject(NoticeBus) notices: NoticeBus,
    @Inject(DashboardService) private readonly dashboards: DashboardService,
    @Inject(PUB_SUB) private readonly pubSub: AppPubSub,
  ) {
    this.notifications = notices.listen<TrailAppendedNotice>(TRAIL_CHANNEL);
  }

  async onModuleInit(): Promise<void> {
    this.unsubscribe = [
      this.notifications.subscribe((notice) => {
        this.queue = this.queue.then(() => this.handle(notice));
      }),
      this.notifications.onReconnect(() =>
        this.fold(null, { action: 'listener.reconnected', entityType: 'Dashboard', at: new Date().toISOString() }),
      ),
    ];
    await this.notifications.start();
  }

  async onModuleDestroy(): Promise<void> {
    for (const u of this.unsubscribe) u();
    await this.notifications.stop();
    await this.queue;
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
  }

  private async handle(notice: TrailAppendedNotice): Promise<void> {
    const cmListeners = this.pubSub.listenerCount(SubscriptionTrigger.COUNTERMEASURE_CHANGED);
    const dashboardListeners = this.pubSub.listenerCount(SubscriptionTrigger.DASHBOARD_CHANGED);
    if (cmListeners === 0 && dashboardListeners === 0) return; // nobody listens: no lookup
    try {
      const scope = await this.dashboards.entryScope(notice.entityType, notice.entityId);
      if (notice.entityType === 'Countermeasure' && scope.incidentId && scope.countermeasureKey && cmListeners > 0) {
        const event: CountermeasureChangeType = {
          countermeasureId: notice.entityId,
          key: scope.countermeasureKey,
          incidentId: scope.incidentId,
          action: notice.action,
          at: new Date(notice.at),
        };
        await this.pubSub.publish(SubscriptionTrigger.COUNTERMEASURE_CHANGED, event);
      }
      if (dashboardListeners > 0) this.fold(scope.incidentId, notice);
    } catch (err) {
      this.logger.error(`trail entry ${notice.seq} (${notice.action}) not published: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Counts a change into its incident's window; the window's end publishes one DashboardChange. */
  private fold(incidentId: string | null, latest: Pending['latest']): void {
    const group = incidentId ?? '*';
    const open = this.pending.get(group);
    if (open) {
      open.latest = latest;
      open.changes++;
      return;
    }
    const timer = setTimeout(() => {
      const p = this.pending.get(group);
      this.pending.delete(group);
      if (!p) return;
      const event: DashboardChangeType = {
        at: new Date(p.latest.at),
        action: p.latest.action,
        entityType: p.latest.entityType,
        incidentId,
        changes: p.changes,
      };
      this.pubSub
        .publish(SubscriptionTrigger.DASHBOARD_CHANGED, event)
        .catch((err: unknown) => this.logger.error(`dashboardChanged not published: ${String(err)}`));
    }, DASHBOARD_CHANGED_WINDOW_MS);
    timer.unref();
    this.pending.set(group, { latest, changes: 1, timer });
  }

  @Allow(Permission.REMEDIATION_READ)
  @Subscription(() => CountermeasureChangeType, {
    description:
      'Every committed change of a countermeasure (of the incident `incidentId`, or of every incident), as it happens. Over WebSocket (graphql-ws) only.',
    filter: (event: CountermeasureChangeType, args: { incidentId?: string | null }) =>
      !args.incidentId || event.incidentId === args.incidentId,
    resolve: (event: CountermeasureChangeType) => event,
  })
  async countermeasureChanged(
    @Args('incidentId', { type: () => ID, nullable: true, description: 'Omit for every incident' }) incidentId?: string | null,
  ) {
    // An incident that does not exist is a mistake to report now (NOT_FOUND), not a silence forever.
    if (incidentId) await this.dashboards.incident(incidentId);
    return this.pubSub.asyncIterableIterator<CountermeasureChangeType>(SubscriptionTrigger.COUNTERMEASURE_CHANGED);
  }

  @Allow(Permission.REMEDIATION_READ)
  @Subscription(() => DashboardChangeType, {
    description:
      'Something the dashboard shows has changed (at most one event per 500 ms per incident: a burst gives one): refetch `dashboard`. Events that concern no incident in particular reach every subscriber. Over WebSocket (graphql-ws) only.',
    filter: (event: DashboardChangeType, args: { incidentId?: string | null }) =>
      !args.incidentId || event.incidentId === null || event.incidentId === args.incidentId,
    resolve: (event: DashboardChangeType) => event,
  })
  async dashboardChanged(
    @Args('incidentId', { type: () => ID, nullable: true, description: 'Omit for every incident' }) incidentId?: string | null,
  ) {
    if (incidentId) await this.dashboards.incident(incidentId);
    return this.pubSub.asyncIterableIterator<DashboardChangeType>(SubscriptionTrigger.DASHBOARD_CHANGED);
  }
}
