import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { DateTimeScalar } from '../graphql/date-time.scalar';
import { ArrayMaxSize, IsInt, IsOptional, IsString, IsUUID, MaxLength, Min } from 'class-validator';
import {
  BLOCKER_KINDS,
  GATE_CHANGE_CAUSES,
  GATE_STATES,
  type Blocker,
  type GateChangeEntity,
  type PromotionGateEntity,
} from '@app/promotion-gate';

const enumOf = (values: readonly string[]) => Object.fromEntries(values.map((v) => [v, v]));
export const GateStateEnum = enumOf(GATE_STATES);
registerEnumType(GateStateEnum, {
  name: 'GateState',
  valuesMap: {
    SUSPENDED: { description: 'A rule is broken (or an executive holds it): promotion must not run' },
    ELIGIBLE: { description: 'Every rule holds; waiting for an executive to authorize the reopening' },
    OPEN: { description: 'Authorized, and every rule still holds: promotion may run' },
  },
});
export const BlockerKindEnum = enumOf(BLOCKER_KINDS);
registerEnumType(BlockerKindEnum, { name: 'GateBlockerKind' });
export const GateChangeCauseEnum = enumOf(GATE_CHANGE_CAUSES);
registerEnumType(GateChangeCauseEnum, { name: 'GateChangeCause' });

@ObjectType('GateBlocker', { description: 'One thing that stands between the company and reopening' })
export class GateBlockerType {
  @Field(() => BlockerKindEnum) kind!: string;
  @Field(() => ID, { nullable: true }) itemId!: string | null;
  @Field(() => String, { nullable: true, description: 'CM-004, F-002' }) itemKey!: string | null;
  @Field(() => String, { nullable: true }) itemTitle!: string | null;
  @Field(() => ID, { nullable: true }) ownerId!: string | null;
  @Field(() => String, { nullable: true }) ownerName!: string | null;
  @Field({ description: 'A sentence a person can act on' }) message!: string;

  static from(b: Blocker): GateBlockerType {
    return { ...b };
  }
}

@ObjectType('GateChange', { description: 'One state change of a gate: cause, actor, time, and the blockers then' })
export class GateChangeType {
  @Field(() => ID) id!: string;
  @Field(() => GateStateEnum, { nullable: true }) fromState!: string | null;
  @Field(() => GateStateEnum) toState!: string;
  @Field(() => GateChangeCauseEnum) cause!: string;
  @Field() reason!: string;
  @Field(() => [GateBlockerType]) blockers!: GateBlockerType[];
  @Field(() => ID, { nullable: true }) actorId!: string | null;
  @Field() actorLabel!: string;
  @Field(() => DateTimeScalar) at!: Date;

  static from(c: GateChangeEntity): GateChangeType {
    return { ...c, blockers: c.blockers.map(GateBlockerType.from) };
  }
}

@ObjectType('PromotionGate', { description: 'A sales-promotion gate (販売促進の再開判定): its state is derived from the rules' })
export class GateType {
  @Field(() => ID) id!: string;
  @Field(() => ID) incidentId!: string;
  @Field() key!: string;
  @Field() name!: string;
  @Field({ description: 'What it covers' }) description!: string;
  @Field({ description: 'Why it was suspended when created' }) createdReason!: string;
  @Field(() => GateStateEnum) state!: string;
  @Field({ description: 'state = OPEN' }) canPromote!: boolean;
  @Field(() => [GateBlockerType], { description: 'Why it is SUSPENDED (empty when ELIGIBLE or OPEN)' }) blockers!: GateBlockerType[];
  @Field(() => [ID], { description: 'Executives who may authorize the reopening; empty: the task-force chief' }) authorizerIds!: string[];
  @Field(() => DateTimeScalar, { nullable: true }) openedAt!: Date | null;
  @Field(() => String, { nullable: true }) openedByLabel!: string | null;
  @Field(() => String, { nullable: true }) openStatement!: string | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'Held by hand since' }) heldAt!: Date | null;
  @Field(() => String, { nullable: true }) heldByLabel!: string | null;
  @Field(() => String, { nullable: true }) holdReason!: string | null;
  @Field(() => String, { nullable: true, description: 'The outbound webhook (the secret is never shown)' }) webhookUrl!: string | null;
  @Field(() => Int, { description: 'The webhook configuration’s version: send it back as expectedWebhookVersion' })
  webhookVersion!: number;
  @Field(() => Int, { description: 'Send it back as expectedVersion' }) version!: number;
  @Field(() => DateTimeScalar) updatedAt!: Date;

  static from(g: PromotionGateEntity): GateType {
    return { ...g, canPromote: g.state === 'OPEN', blockers: g.blockers.map(GateBlockerType.from) };
  }
}

@ObjectType('PromotionCheck', { description: 'The fast answer for promotion systems' })
export class PromotionCheckType {
  @Field() key!: string;
  @Field(() => GateStateEnum) state!: string;
  @Field() canPromote!: boolean;
  @Field(() => DateTimeScalar, { description: 'The gate row last changed at' }) since!: Date;
}

@InputType()
export class CreateGateInput {
  @Field(() => ID) @IsUUID() incidentId!: string;
  @Field({ description: 'e.g. new-customer-promotion' }) @IsString() @MaxLength(63) key!: string;
  @Field() @IsString() @MaxLength(2000) name!: string;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxLength(2000) description?: string | null;
  @Field({ description: 'Why it is suspended' }) @IsString() @MaxLength(2000) reason!: string;
  @Field(() => [ID], { nullable: true, description: 'Executives who may authorize; default the task-force chief' })
  @IsOptional()
  @ArrayMaxSize(20)
  @IsUUID('all', { each: true })
  authorizerIds?: string[] | null;
}

@InputType()
export class GateDecisionInput {
  @Field() @IsString() @MaxLength(63) key!: string;
  @Field(() => Int) @IsInt() @Min(1) expectedVersion!: number;
  @Field({ description: 'The statement (authorization) or the reason (hold, release)' }) @IsString() @MaxLength(2000) statement!: string;
}

@InputType()
export class ConfigureGateWebhookInput {
  @Field() @IsString() @MaxLength(63) key!: string;
  @Field(() => Int, {
    description: 'The gate’s webhookVersion you replace: another admin’s configuration made meanwhile is a CONFLICT',
  })
  @IsInt()
  @Min(1)
  expectedWebhookVersion!: number;
  @Field(() => String, { nullable: true, description: 'null removes the webhook' }) @IsOptional() @IsString() @MaxLength(2048) url?:
    string | null;
  @Field(() => String, { nullable: true, description: 'HMAC-SHA256 key, 16 to 256 characters; write-only' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  secret?: string | null;
}
