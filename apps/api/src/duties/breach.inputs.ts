import { ArgsType, Field, ID, InputType, Int, registerEnumType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsDate, IsEnum, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { DateTimeScalar } from '../graphql/date-time.scalar';
import { NINE_ITEM_KEYS, NINE_ITEM_MAX_CHARS } from '@app/duties';
import { BreachFilingChannel, BreachFilingKind, NoticeChannel } from './breach.types';
import { LocalDateScalar } from '../graphql/local-date.scalar';

// The rules are checked again in libs/duties (record-rules.ts, filing-rules.ts): these only stop absurd payloads early.
const TEXT = 2_000;
const COUNT = 200_000_000;

export const BreachFilingItemKey = Object.fromEntries(NINE_ITEM_KEYS.map((k) => [k, k]));
registerEnumType(BreachFilingItemKey, { name: 'BreachFilingItemKey', description: 'One of the nine items of a report to the PPC' });

@InputType({ description: 'A mandatory case asserted by a person, with why' })
export class BreachCaseInput {
  @Field({ description: 'A case code of the rule pack: SENSITIVE_DATA, FINANCIAL_DAMAGE, UNLAWFUL_PURPOSE, OVER_THRESHOLD' })
  @IsString()
  @MaxLength(64)
  code!: string;
  @Field() @IsString() @MaxLength(TEXT) rationale!: string;
}

@InputType({ description: 'The whole record as it should stand (every field; a correction sends them all)' })
export class BreachRecordInput {
  @Field(() => DateTimeScalar, { description: 'When the company knew (覚知); not in the future' }) @IsDate() knownAt!: Date;
  @Field(() => [BreachCaseInput], { description: 'Cases asserted with their rationale; case 4 is also derived from the count' })
  @ValidateNested({ each: true })
  @Type(() => BreachCaseInput)
  @ArrayMaxSize(8)
  cases!: BreachCaseInput[];
  @Field(() => Int, { nullable: true }) @IsOptional() @IsInt() @Min(0) @Max(COUNT) individualsEstimate?: number | null;
  @Field(() => LocalDateScalar, { nullable: true }) @IsOptional() @IsString() individualsEstimatedOn?: string | null;
  @Field(() => Int, { nullable: true }) @IsOptional() @IsInt() @Min(0) @Max(COUNT) individualsConfirmed?: number | null;
  @Field(() => LocalDateScalar, { nullable: true }) @IsOptional() @IsString() individualsConfirmedOn?: string | null;
  @Field({ description: "The rule pack's authority code: PPC, or DELEGATED_MINISTER" }) @IsString() @MaxLength(64) authorityCode!: string;
  @Field(() => String, { nullable: true, description: "As named on the filing (e.g. 経済産業大臣); defaults to the rule pack's name" })
  @IsOptional()
  @IsString()
  @MaxLength(TEXT)
  authorityName?: string | null;
  @Field({ description: 'The reporting business (the company, not the employee filing)' }) @IsString() @MaxLength(TEXT) reporter!: string;
}

@InputType()
export class OpenBreachNotificationInput extends BreachRecordInput {
  @Field(() => ID) @IsUUID() incidentId!: string;
}

@InputType()
export class CorrectBreachNotificationInput extends BreachRecordInput {
  @Field(() => ID) @IsUUID() notificationId!: string;
  @Field(() => Int, { description: "The record's version" }) @IsInt() @Min(1) expectedVersion!: number;
}

@InputType()
export class CreateBreachFilingDraftInput {
  @Field(() => ID) @IsUUID() incidentId!: string;
  @Field(() => BreachFilingKind) @IsEnum(BreachFilingKind) kind!: string;
}

@InputType({ description: 'The items to change (the others stay as they are)' })
export class BreachFilingItemsInput {
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(NINE_ITEM_MAX_CHARS) overview?: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(NINE_ITEM_MAX_CHARS) dataItems?: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(NINE_ITEM_MAX_CHARS) individuals?: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(NINE_ITEM_MAX_CHARS) cause?: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(NINE_ITEM_MAX_CHARS) secondaryHarm?: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(NINE_ITEM_MAX_CHARS) responseToIndividuals?: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(NINE_ITEM_MAX_CHARS) publication?: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(NINE_ITEM_MAX_CHARS) recurrencePrevention?: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(NINE_ITEM_MAX_CHARS) other?: string;
}

@InputType()
export class EditBreachFilingDraftInput {
  @Field(() => ID) @IsUUID() filingId!: string;
  @Field(() => Int) @IsInt() @Min(1) expectedVersion!: number;
  @Field(() => BreachFilingItemsInput) @ValidateNested() @Type(() => BreachFilingItemsInput) items!: BreachFilingItemsInput;
}

@InputType()
export class RedraftBreachFilingInput {
  @Field(() => ID) @IsUUID() filingId!: string;
  @Field(() => Int) @IsInt() @Min(1) expectedVersion!: number;
  @Field(() => [BreachFilingItemKey], { description: 'The items to write again from what the tracker holds now; empty: all nine' })
  @IsEnum(BreachFilingItemKey, { each: true })
  @ArrayMaxSize(NINE_ITEM_KEYS.length)
  items!: string[];
}

@InputType()
export class SubmitBreachFilingInput {
  @Field(() => ID) @IsUUID() filingId!: string;
  @Field(() => Int) @IsInt() @Min(1) expectedVersion!: number;
  @Field(() => DateTimeScalar, { nullable: true, description: 'When it reached the authority; defaults to now' })
  @IsOptional()
  @IsDate()
  submittedAt?: Date | null;
  @Field(() => BreachFilingChannel) @IsEnum(BreachFilingChannel) channel!: string;
  @Field({ description: "The authority's receipt or reference number (受付番号)" }) @IsString() @MaxLength(200) referenceNumber!: string;
}

@InputType({ description: 'The whole campaign as it should stand' })
export class NoticeCampaignInput {
  @Field(() => NoticeChannel) @IsEnum(NoticeChannel) channel!: string;
  @Field(() => Int) @IsInt() @Min(0) @Max(COUNT) plannedCount!: number;
  @Field(() => Int) @IsInt() @Min(0) @Max(COUNT) sentCount!: number;
  @Field(() => Int) @IsInt() @Min(0) @Max(COUNT) returnedCount!: number;
  @Field(() => LocalDateScalar, { nullable: true }) @IsOptional() @IsString() startedOn?: string | null;
  @Field(() => LocalDateScalar, { nullable: true }) @IsOptional() @IsString() completedOn?: string | null;
  @Field(() => Int) @IsInt() @Min(0) @Max(COUNT) unreachableCount!: number;
  @Field(() => LocalDateScalar, { nullable: true }) @IsOptional() @IsString() substitutePublishedOn?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxLength(TEXT) substituteInquiryDesk?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxLength(TEXT) note?: string | null;
}

@InputType()
export class CreateNoticeCampaignInput extends NoticeCampaignInput {
  @Field(() => ID) @IsUUID() incidentId!: string;
}

@InputType()
export class UpdateNoticeCampaignInput extends NoticeCampaignInput {
  @Field(() => ID) @IsUUID() campaignId!: string;
  @Field(() => Int) @IsInt() @Min(1) expectedVersion!: number;
}

@ArgsType()
export class BreachIncidentArgs {
  @Field(() => ID) @IsUUID() incidentId!: string;
}
