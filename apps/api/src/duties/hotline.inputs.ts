import { ArgsType, Field, ID, InputType, Int } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsEnum,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { HOTLINE_KINDS, HOTLINE_LIMITS } from '@app/duties';
import { HotlineContactKind } from './hotline.types';
import { LocalDateScalar } from '../graphql/local-date.scalar';

// The rules are checked again in the service (libs/duties, hotline-rules.ts): these only stop absurd payloads early.

@InputType()
export class HotlineKindCountInput {
  @Field(() => HotlineContactKind) @IsEnum(HotlineContactKind) kind!: string;
  @Field(() => Int, { description: `0 to ${HOTLINE_LIMITS.maxCount}` })
  @IsInt()
  @Min(0)
  @Max(HOTLINE_LIMITS.maxCount)
  count!: number;
}

@InputType({ description: "A day's hotline contacts by kind: kinds left out keep their count (0 on a new day)" })
export class RecordHotlineContactsInput {
  @Field(() => ID) @IsUUID() incidentId!: string;
  @Field(() => LocalDateScalar, { description: 'The day (Asia/Tokyo), not after today' }) @IsString() day!: string;
  @Field(() => [HotlineKindCountInput], { description: 'At most one entry per kind' })
  @ValidateNested({ each: true })
  @Type(() => HotlineKindCountInput)
  @ArrayMinSize(1)
  @ArrayMaxSize(HOTLINE_KINDS.length)
  counts!: HotlineKindCountInput[];
  @Field(() => Int, {
    nullable: true,
    description: "The day's version as you read it; null for a day with no figures yet (CONFLICT when stale)",
  })
  @IsOptional()
  @IsInt()
  expectedVersion?: number | null;
}

@InputType()
export class AddHotlineCaseInput {
  @Field(() => ID) @IsUUID() incidentId!: string;
  @Field(() => LocalDateScalar, { description: 'The day it happened (Asia/Tokyo), not after today' }) @IsString() occurredOn!: string;
  @Field(() => HotlineContactKind) @IsEnum(HotlineContactKind) kind!: string;
  @Field({ description: `A short entry, 1 to ${HOTLINE_LIMITS.summary} characters` })
  @IsString()
  @MaxLength(HOTLINE_LIMITS.summary * 4)
  summary!: string;
}

@ArgsType()
export class HotlineContactsArgs {
  @Field(() => ID) @IsUUID() incidentId!: string;
  @Field(() => LocalDateScalar) @IsString() from!: string;
  @Field(() => LocalDateScalar, { description: `At most ${HOTLINE_LIMITS.rangeDays} days after from, both included` })
  @IsString()
  to!: string;
}
