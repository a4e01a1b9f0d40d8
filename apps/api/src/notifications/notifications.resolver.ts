import { Inject, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Args, ID, Int, Mutation, Query, Resolver, Subscription } from '@nestjs/graphql';
import { Permission, type UserEntity } from '@app/identity';
import { NotificationFeed, NotificationsService, type NotificationAddedNotice } from '@app/notifications';
import { Allow, CurrentUser } from '../auth/access.decorators';
import { toConnection } from '../common/connection.type';
import type { SubscriptionContext } from '../subscriptions/graphql-ws.config';
import { PUB_SUB, SubscriptionTrigger, type AppPubSub } from '../subscriptions/pubsub.provider';
import {
  MarkNotificationsReadPayload,
  NotificationConnection,
  NotificationKindEnum,
  NotificationPreferenceType,
  NotificationsArgs,
  NotificationType,
  ReminderRunType,
} from './notification.types';

interface NotificationAddedEvent {
  userId: string;
  notification: NotificationType;
}

/**
 * One's own inbox. Every operation reads or changes the caller's notifications
 * only (another user's id is NOT_FOUND); `runReminders` is the admins' "run the
 * job now". `notificationAdded` is fed from PostgreSQL LISTEN (announced at the
 * commit of the transaction that created the notification), so every instance
 * sees every new notification and a rolled-back one is never sent.
 */
@Resolver(() => NotificationType)
export class NotificationsResolver implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(NotificationsResolver.name);
  private unsubscribe: (() => void) | null = null;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    @Inject(NotificationsService) private readonly service: NotificationsService,
    @Inject(NotificationFeed) private readonly feed: NotificationFeed,
    @Inject(PUB_SUB) private readonly pubSub: AppPubSub,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.feed.subscribe((notice) => {
      this.queue = this.queue.then(() => this.publish(notice));
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.queue;
  }

  private async publish(notice: NotificationAddedNotice): Promise<void> {
    // Nobody on this instance listens: skip the read.
    if (this.pubSub.listenerCount(SubscriptionTrigger.NOTIFICATION_ADDED) === 0) return;
    try {
      const n = await this.service.getOwn(notice.userId, notice.id);
      const event: NotificationAddedEvent = { userId: n.userId, notification: NotificationType.from(n) };
      await this.pubSub.publish(SubscriptionTrigger.NOTIFICATION_ADDED, event);
    } catch (err) {
      this.logger.error(`notification ${notice.id} not published: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  @Allow(Permission.NOTIFICATIONS_OWN)
  @Query(() => NotificationConnection, { description: 'One’s own notifications, newest first' })
  async notifications(@Args() args: NotificationsArgs, @CurrentUser() user: UserEntity): Promise<NotificationConnection> {
    return toConnection(await this.service.list(user.id, args), NotificationType.from);
  }

  @Allow(Permission.NOTIFICATIONS_OWN)
  @Query(() => Int, { description: 'How many of one’s notifications are unread' })
  unreadNotificationCount(@CurrentUser() user: UserEntity): Promise<number> {
    return this.service.unreadCount(user.id);
  }

  @Allow(Permission.NOTIFICATIONS_OWN)
  @Mutation(() => MarkNotificationsReadPayload, {
    description:
      'Marks one’s own notifications read: `ids`, or `all: true`. An id that is not one of one’s own is NOT_FOUND and nothing is marked.',
  })
  markNotificationsRead(
    @CurrentUser() user: UserEntity,
    @Args('ids', { type: () => [ID], nullable: true }) ids?: string[] | null,
    @Args('all', { type: () => Boolean, nullable: true }) all?: boolean | null,
  ): Promise<MarkNotificationsReadPayload> {
    return this.service.markRead(user.id, { ids, all });
  }

  @Allow(Permission.NOTIFICATIONS_OWN)
  @Query(() => [NotificationPreferenceType], { description: 'For every kind, whether one receives it in the inbox and by e-mail' })
  async notificationPreferences(@CurrentUser() user: UserEntity): Promise<NotificationPreferenceType[]> {
    return (await this.service.preferences(user.id)).map(NotificationPreferenceType.from);
  }

  @Allow(Permission.NOTIFICATIONS_OWN)
  @Mutation(() => NotificationPreferenceType, {
    description: 'Whether one receives `kind` in the inbox and by e-mail (both off: not at all), from the next notification on',
  })
  async setNotificationPreference(
    @CurrentUser() user: UserEntity,
    @Args('kind', { type: () => NotificationKindEnum }) kind: string,
    @Args('inbox', { type: () => Boolean }) inbox: boolean,
    @Args('email', { type: () => Boolean }) email: boolean,
  ): Promise<NotificationPreferenceType> {
    return NotificationPreferenceType.from(await this.service.setPreference(user.id, kind, inbox, email));
  }

  @Allow(Permission.REMINDERS_RUN)
  @Mutation(() => ReminderRunType, {
    description: 'Admins: run the daily reminders now (idempotent), and with `weeklyDigest: true` the weekly digest',
  })
  async runReminders(
    @Args('weeklyDigest', { type: () => Boolean, nullable: true }) weeklyDigest?: boolean | null,
  ): Promise<ReminderRunType> {
    const runs = [await this.service.runDaily()];
    if (weeklyDigest) runs.push(await this.service.runWeeklyDigest());
    return ReminderRunType.from(runs);
  }

  @Allow(Permission.NOTIFICATIONS_OWN)
  @Subscription(() => NotificationType, {
    description: 'Each new notification of one’s own inbox, as it is created. Over WebSocket (graphql-ws) only.',
    // Only the recipient's own subscriptions get it (an API key has no inbox: the guard refuses it first).
    filter: (event: NotificationAddedEvent, _args: unknown, context: SubscriptionContext) => {
      const principal = context.req.user;
      return !!principal && 'id' in principal && event.userId === principal.id;
    },
    resolve: (event: NotificationAddedEvent) => event.notification,
  })
  notificationAdded() {
    return this.pubSub.asyncIterableIterator<NotificationAddedEvent>(SubscriptionTrigger.NOTIFICATION_ADDED);
  }
}
