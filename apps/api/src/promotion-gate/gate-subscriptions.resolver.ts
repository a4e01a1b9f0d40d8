import { Inject, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Args, Field, ID, ObjectType, Resolver, Subscription } from '@nestjs/graphql';
import { DateTimeScalar } from '../graphql/date-time.scalar';
import { Permission } from '@app/identity';
import { GateNotifications, PromotionGateService, type GateChangedNotice } from '@app/promotion-gate';
import { Allow } from '../auth/access.decorators';
import { PUB_SUB, SubscriptionTrigger, type AppPubSub } from '../subscriptions/pubsub.provider';
import { GateChangeCauseEnum, GateStateEnum, GateType } from './gate.types';

@ObjectType('GateChangeEvent', { description: 'A committed state change of a gate, with the gate as it is after it' })
export class GateChangeEventType {
  @Field(() => GateType, { description: 'The gate after the change' }) gate!: GateType;
  @Field(() => ID, { description: 'The GateChange row (see gate.history)' }) changeId!: string;
  @Field(() => GateStateEnum, { nullable: true }) fromState!: string | null;
  @Field(() => GateStateEnum) toState!: string;
  @Field(() => GateChangeCauseEnum) cause!: string;
  @Field() reason!: string;
  @Field(() => DateTimeScalar) at!: Date;
}

/**
 * `gateChanged`: promotion systems stop within seconds of a re-suspension.
 *
 * Fed by `GateNotifications` (PostgreSQL LISTEN, delivered at commit only), so
 * every instance sees every committed change and a rolled-back one is never
 * sent. Each notice is turned into an event once per instance (the gate is
 * read once, in notice order), then fanned out by the PubSub and filtered by
 * key per subscription.
 */
@Resolver(() => GateChangeEventType)
export class GateSubscriptionsResolver implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(GateSubscriptionsResolver.name);
  private unsubscribe: (() => void) | null = null;
  /** Notices are turned into events one after the other, so subscribers see them in commit order. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    @Inject(PromotionGateService) private readonly gates: PromotionGateService,
    @Inject(GateNotifications) private readonly notifications: GateNotifications,
    @Inject(PUB_SUB) private readonly pubSub: AppPubSub,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.notifications.subscribe((notice) => {
      this.queue = this.queue.then(() => this.publish(notice));
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.queue;
  }

  private async publish(notice: GateChangedNotice): Promise<void> {
    try {
      const event: GateChangeEventType = {
        gate: GateType.from(await this.gates.getByKey(notice.key)),
        changeId: notice.changeId,
        fromState: notice.fromState,
        toState: notice.toState,
        cause: notice.cause,
        reason: notice.reason,
        at: new Date(notice.at),
      };
      await this.pubSub.publish(SubscriptionTrigger.GATE_CHANGED, event);
    } catch (err) {
      this.logger.error(
        `gate change ${notice.changeId} (${notice.key}) not published: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }

  @Allow(Permission.GATE_READ)
  @Subscription(() => GateChangeEventType, {
    description:
      'Every committed state change of a gate (of the gate `key`, or of every gate), as it happens. Over WebSocket (graphql-ws) only.',
    filter: (event: GateChangeEventType, args: { key?: string | null }) => !args.key || event.gate.key === normalizeKey(args.key),
    resolve: (event: GateChangeEventType) => event,
  })
  async gateChanged(
    @Args('key', { type: () => String, nullable: true, description: 'e.g. new-customer-promotion; omit for every gate' })
    key?: string | null,
  ) {
    // A key that names no gate is a mistake to report now (NOT_FOUND), not a silence forever.
    if (key) await this.gates.getByKey(key);
    return this.pubSub.asyncIterableIterator<GateChangeEventType>(SubscriptionTrigger.GATE_CHANGED);
  }
}

function normalizeKey(key: string): string {
  return key.trim().toLowerCase();
}
