import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { DateTimeScalar } from '../graphql/date-time.scalar';
import {
  ALL_COUNTERMEASURE_STATUSES,
  ALL_TRANSITION_CAUSES,
  COUNTERMEASURE_CATEGORIES,
  countermeasureKey,
  PRIORITIES,
  type CountermeasureEntity,
} from '@app/countermeasures';
import { ConnectionType } from '../common/connection.type';
import { LocalDateScalar } from '../graphql/local-date.scalar';

const enumOf = (values: readonly string[]) => Object.fromEntries(values.map((v) => [v, v]));
export const CountermeasureStatusEnum = enumOf(ALL_COUNTERMEASURE_STATUSES);
registerEnumType(CountermeasureStatusEnum, { name: 'CountermeasureStatus', description: 'The workflow (ステータス)' });
export const CountermeasureCategoryEnum = enumOf(COUNTERMEASURE_CATEGORIES);
registerEnumType(CountermeasureCategoryEnum, { name: 'CountermeasureCategory' });
export const PriorityEnum = enumOf(PRIORITIES);
registerEnumType(PriorityEnum, { name: 'Priority' });
export const TransitionCauseEnum = enumOf(ALL_TRANSITION_CAUSES);
registerEnumType(TransitionCauseEnum, { name: 'TransitionCause' });
export const CountermeasureOrderEnum = { KEY: 'KEY', DUE_DATE: 'DUE_DATE', PRIORITY: 'PRIORITY' } as const;
registerEnumType(CountermeasureOrderEnum, { name: 'CountermeasureOrder' });

@ObjectType('EvidenceRequirement', { description: 'What must be shown (証跡の要件)' })
export class RequirementType {
  @Field(() => ID) id!: string;
  @Field(() => Int) position!: number;
  @Field() title!: string;
  @Field() description!: string;
  @Field(() => Int, { nullable: true, description: 'Recurring: evidence older than this many days is stale' })
  recurrenceDays!: number | null;
  @Field(() => Int, { description: 'Live evidence (latest versions, not withdrawn)' }) liveEvidenceCount!: number;
  @Field(() => Int, { description: 'Live evidence whose latest review accepted exactly its bytes' }) acceptedEvidenceCount!: number;
  @Field(() => LocalDateScalar, {
    nullable: true,
    description: 'Effective date of the newest live accepted evidence (freshness is measured from it)',
  })
  latestAcceptedEffectiveOn!: string | null;
}

@ObjectType('StatusChange', { description: 'One entry of the status history: who, when, from, to, why' })
export class TransitionType {
  @Field(() => ID) id!: string;
  @Field(() => CountermeasureStatusEnum, { nullable: true, description: 'null for the creation' }) fromStatus!: string | null;
  @Field(() => CountermeasureStatusEnum) toStatus!: string;
  @Field(() => TransitionCauseEnum) cause!: string;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field(() => ID, { nullable: true }) actorId!: string | null;
  @Field() actorLabel!: string;
  @Field(() => DateTimeScalar) at!: Date;
}

@ObjectType('DueDateChange', { description: 'Re-planning: a slipped deadline is never silently rewritten' })
export class DueDateChangeType {
  @Field(() => ID) id!: string;
  @Field(() => LocalDateScalar) oldDueDate!: string;
  @Field(() => LocalDateScalar) newDueDate!: string;
  @Field() reason!: string;
  @Field(() => ID, { nullable: true }) actorId!: string | null;
  @Field() actorLabel!: string;
  @Field(() => DateTimeScalar) at!: Date;
}

@ObjectType('Countermeasure', { description: 'A promised countermeasure (対策)' })
export class CountermeasureType {
  @Field(() => ID) id!: string;
  @Field(() => ID) incidentId!: string;
  @Field({ description: 'CM-001, CM-002, ...' }) key!: string;
  @Field() title!: string;
  @Field() description!: string;
  @Field(() => CountermeasureCategoryEnum) category!: string;
  @Field(() => CountermeasureStatusEnum) status!: string;
  @Field(() => CountermeasureStatusEnum, { nullable: true, description: 'While BLOCKED: where it goes back to' })
  resumeStatus!: string | null;
  @Field(() => PriorityEnum) priority!: string;
  @Field(() => LocalDateScalar) dueDate!: string;
  @Field({ description: 'Must be VERIFIED before new-customer promotion may resume' }) requiredForGate!: boolean;
  @Field({ description: 'Keeps operating after verification (monitoring, hotline)' }) ongoing!: boolean;
  @Field(() => Int, { description: 'Send it back as expectedVersion when you change this item' }) version!: number;
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Field(() => DateTimeScalar) updatedAt!: Date;
  ownerId!: string;
  parentId!: string | null;

  static from(c: CountermeasureEntity): CountermeasureType {
    return { ...c, key: countermeasureKey(c.seq) };
  }
}

@ObjectType()
export class CountermeasureConnection extends ConnectionType(CountermeasureType, 'Countermeasure') {}
