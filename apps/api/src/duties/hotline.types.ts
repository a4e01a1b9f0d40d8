import { ArgsType, Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { IsUUID } from 'class-validator';
import { DateTimeScalar } from '../graphql/date-time.scalar';
import { HOTLINE_KINDS, type HotlineCaseEntity, type HotlineDay, type HotlineSummary } from '@app/duties';
import { ConnectionType } from '../common/connection.type';
import { PageArgs } from '../common/page.args';
import { LocalDateScalar } from '../graphql/local-date.scalar';

export const HotlineContactKind = Object.fromEntries(HOTLINE_KINDS.map((k) => [k, k]));
registerEnumType(HotlineContactKind, {
  name: 'HotlineContactKind',
  description:
    'What a hotline contact was about: a question about the breach, a report of mail or calls pretending to be the company, a request to stop contact, anything else',
});

@ObjectType('HotlineKindCount')
export class HotlineKindCountType {
  @Field(() => HotlineContactKind) kind!: string;
  @Field(() => Int) count!: number;
}

@ObjectType('HotlineDay', { description: "One day's hotline contacts (Asia/Tokyo), all four kinds" })
export class HotlineDayType {
  @Field(() => ID) incidentId!: string;
  @Field(() => LocalDateScalar) day!: string;
  @Field(() => [HotlineKindCountType], { description: 'Every kind, in a fixed order, zero included' }) counts!: HotlineKindCountType[];
  @Field(() => Int) total!: number;
  @Field(() => Int, { description: "The day's version: send it as expectedVersion to correct the day" }) version!: number;
  @Field(() => DateTimeScalar) updatedAt!: Date;
  @Field({ description: 'Who recorded the figures last (e-mail, or system:<what>)' }) updatedByLabel!: string;

  static from(d: HotlineDay): HotlineDayType {
    return Object.assign(new HotlineDayType(), { ...d, counts: d.counts.map((c) => ({ ...c })) });
  }
}

@ObjectType('HotlineSummary', { description: 'The hotline over every recorded day: aggregates only (no personal data)' })
export class HotlineSummaryType {
  @Field(() => ID) incidentId!: string;
  @Field(() => LocalDateScalar, { nullable: true, description: 'The first day with figures' }) from!: string | null;
  @Field(() => LocalDateScalar, { nullable: true, description: 'The last day with figures' }) to!: string | null;
  @Field(() => Int) total!: number;
  @Field(() => [HotlineKindCountType], { description: 'Every kind, in a fixed order, zero included' }) byKind!: HotlineKindCountType[];
  @Field(() => Int) daysRecorded!: number;
  @Field(() => Int, { description: 'How many notable cases are logged (their text needs DUTIES_READ and standing)' })
  notableCaseCount!: number;

  static from(s: HotlineSummary): HotlineSummaryType {
    return Object.assign(new HotlineSummaryType(), s);
  }
}

@ObjectType('HotlineCase', { description: 'A notable hotline case: a short entry that may describe a customer’s situation' })
export class HotlineCaseType {
  @Field(() => ID) id!: string;
  @Field(() => ID) incidentId!: string;
  @Field(() => LocalDateScalar) occurredOn!: string;
  @Field(() => HotlineContactKind) kind!: string;
  @Field() summary!: string;
  @Field(() => DateTimeScalar) recordedAt!: Date;
  @Field() recordedByLabel!: string;

  static from(c: HotlineCaseEntity): HotlineCaseType {
    const { id, incidentId, occurredOn, kind, summary, recordedAt, recordedByLabel } = c;
    return Object.assign(new HotlineCaseType(), { id, incidentId, occurredOn, kind, summary, recordedAt, recordedByLabel });
  }
}

@ObjectType('HotlineCaseConnection')
export class HotlineCaseConnection extends ConnectionType(HotlineCaseType, 'HotlineCase') {}

@ArgsType()
export class HotlineIncidentArgs {
  @Field(() => ID) @IsUUID() incidentId!: string;
}

@ArgsType()
export class HotlineCasesArgs extends PageArgs {
  @Field(() => ID) @IsUUID() incidentId!: string;
}
