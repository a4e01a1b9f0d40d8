import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { DateTimeScalar } from '../graphql/date-time.scalar';
import { DELIVERY_STATUSES, type DeliveryWithAttempts, type WebhookAttemptEntity } from '@app/promotion-gate';

export const GateWebhookDeliveryStatusEnum = Object.fromEntries(DELIVERY_STATUSES.map((v) => [v, v]));
registerEnumType(GateWebhookDeliveryStatusEnum, {
  name: 'GateWebhookDeliveryStatus',
  valuesMap: {
    PENDING: { description: 'Not delivered yet: being sent, or waiting for its next attempt' },
    DELIVERED: { description: 'The receiver answered 2xx' },
    FAILED: { description: 'Given up (see failureReason): too many failed attempts, or the webhook was removed' },
  },
});

@ObjectType('GateWebhookAttempt', { description: 'One POST of a webhook delivery' })
export class GateWebhookAttemptType {
  @Field(() => ID) id!: string;
  @Field(() => DateTimeScalar) at!: Date;
  @Field(() => Int, { nullable: true, description: 'The HTTP status answered; null when no answer came (error)' }) httpStatus!:
    number | null;
  @Field(() => String, {
    nullable: true,
    description: 'What went wrong (a non-2xx status, a refused connection, a timeout); null on success',
  })
  error!: string | null;
  @Field(() => Int) durationMs!: number;

  static from(a: WebhookAttemptEntity): GateWebhookAttemptType {
    return { id: a.id, at: a.at, httpStatus: a.httpStatus, error: a.error, durationMs: a.durationMs };
  }
}

@ObjectType('GateWebhookDelivery', { description: 'One state change of a gate, POSTed to its webhook (admins only)' })
export class GateWebhookDeliveryType {
  @Field(() => ID, { description: 'Sent as X-Gate-Delivery' }) id!: string;
  @Field(() => ID, { description: 'The gate change (history entry) it reports' }) changeId!: string;
  @Field({ description: 'Where it is (or was last) sent' }) url!: string;
  @Field({ description: 'The exact JSON body sent and signed' }) body!: string;
  @Field(() => GateWebhookDeliveryStatusEnum) status!: string;
  @Field(() => Int, { description: 'Attempts started so far' }) attemptCount!: number;
  @Field(() => DateTimeScalar, { description: 'While PENDING: not before' }) nextAttemptAt!: Date;
  @Field(() => DateTimeScalar, { nullable: true }) deliveredAt!: Date | null;
  @Field(() => String, { nullable: true, description: 'Why it was given up (FAILED)' }) failureReason!: string | null;
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Field(() => [GateWebhookAttemptType], { description: 'Every attempt, oldest first' }) attempts!: GateWebhookAttemptType[];

  static from({ delivery: d, attempts }: DeliveryWithAttempts): GateWebhookDeliveryType {
    return {
      id: d.id,
      changeId: d.changeId,
      url: d.url,
      body: d.body,
      status: d.status,
      attemptCount: d.attempts,
      nextAttemptAt: d.nextAttemptAt,
      deliveredAt: d.deliveredAt,
      failureReason: d.failureReason,
      createdAt: d.createdAt,
      attempts: attempts.map(GateWebhookAttemptType.from),
    };
  }
}
