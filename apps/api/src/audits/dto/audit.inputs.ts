import { ArgsType, Field, ID, InputType, Int, OmitType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsBoolean, IsEnum, IsInt, IsOptional, IsString, IsUUID, MaxLength, Min, ValidateNested } from 'class-validator';
import { MAX_REASON_LENGTH, MAX_SCOPE_SIZE, MAX_TEAM_SIZE, MAX_TEXT_LENGTH, MAX_TITLE_LENGTH } from '@app/audits';
import { PageArgs } from '../../common/page.args';
import { CreateCountermeasureInput } from '../../countermeasures/dto/countermeasure.inputs';
import { AuditEngagementStatusEnum, FindingSeverityEnum, FindingStatusEnum } from '../audit.types';

const DAY = 'A calendar day, YYYY-MM-DD';

@InputType()
export class CreateAuditEngagementInput {
  @Field(() => ID) @IsUUID() incidentId!: string;
  @Field() @IsString() @MaxLength(MAX_TITLE_LENGTH) title!: string;
  @Field({ description: 'The audit firm' }) @IsString() @MaxLength(MAX_TITLE_LENGTH) firm!: string;
  @Field(() => ID, { description: 'An active user with the AUDITOR role' }) @IsUUID() leadAuditorId!: string;
  @Field(() => [ID], { nullable: true, description: 'Auditors (AUDITOR role)' })
  @IsOptional()
  @ArrayMaxSize(MAX_TEAM_SIZE)
  @IsUUID('all', { each: true })
  teamIds?: string[] | null;
  @Field(() => [ID], { nullable: true, description: 'Countermeasures of the incident' })
  @IsOptional()
  @ArrayMaxSize(MAX_SCOPE_SIZE)
  @IsUUID('all', { each: true })
  countermeasureIds?: string[] | null;
  @Field(() => [ID], { nullable: true, description: 'Systems of the incident’s inventory' })
  @IsOptional()
  @ArrayMaxSize(MAX_SCOPE_SIZE)
  @IsUUID('all', { each: true })
  systemIds?: string[] | null;
  @Field(() => String, { nullable: true, description: DAY }) @IsOptional() @IsString() @MaxLength(10) startsOn?: string | null;
  @Field(() => String, { nullable: true, description: DAY }) @IsOptional() @IsString() @MaxLength(10) endsOn?: string | null;
}

@InputType()
export class UpdateAuditEngagementInput {
  @Field(() => ID) @IsUUID() id!: string;
  @Field(() => Int) @IsInt() @Min(1) expectedVersion!: number;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxLength(MAX_TITLE_LENGTH) title?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxLength(MAX_TITLE_LENGTH) firm?: string | null;
  @Field(() => String, { nullable: true, description: DAY }) @IsOptional() @IsString() @MaxLength(10) startsOn?: string | null;
  @Field(() => String, { nullable: true, description: DAY }) @IsOptional() @IsString() @MaxLength(10) endsOn?: string | null;
  @Field(() => [ID], { nullable: true, description: 'The team becomes exactly these auditors' })
  @IsOptional()
  @ArrayMaxSize(MAX_TEAM_SIZE)
  @IsUUID('all', { each: true })
  teamIds?: string[] | null;
  @Field(() => [ID], { nullable: true, description: 'The scope becomes exactly these countermeasures' })
  @IsOptional()
  @ArrayMaxSize(MAX_SCOPE_SIZE)
  @IsUUID('all', { each: true })
  countermeasureIds?: string[] | null;
  @Field(() => [ID], { nullable: true, description: 'The scope becomes exactly these systems' })
  @IsOptional()
  @ArrayMaxSize(MAX_SCOPE_SIZE)
  @IsUUID('all', { each: true })
  systemIds?: string[] | null;
}

@InputType()
export class MoveAuditEngagementInput {
  @Field(() => ID) @IsUUID() id!: string;
  @Field(() => Int) @IsInt() @Min(1) expectedVersion!: number;
  @Field(() => AuditEngagementStatusEnum) @IsEnum(AuditEngagementStatusEnum) to!: string;
  @Field(() => String, { nullable: true, description: 'Required for NOT_CLEARED (the conclusion)' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_TEXT_LENGTH)
  statement?: string | null;
}

@InputType()
export class ClearAuditInput {
  @Field(() => ID) @IsUUID() engagementId!: string;
  @Field(() => Int) @IsInt() @Min(1) expectedVersion!: number;
  @Field({ description: 'What the lead auditor attests (kept and hashed)' }) @IsString() @MaxLength(MAX_TEXT_LENGTH) statement!: string;
}

@InputType()
export class RaiseAuditFindingInput {
  @Field(() => ID) @IsUUID() engagementId!: string;
  @Field(() => FindingSeverityEnum) @IsEnum(FindingSeverityEnum) severity!: string;
  @Field() @IsString() @MaxLength(MAX_TITLE_LENGTH) title!: string;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxLength(MAX_TEXT_LENGTH) description?: string | null;
  @Field(() => ID, { nullable: true, description: 'The countermeasure it concerns (same incident)' })
  @IsOptional()
  @IsUUID()
  countermeasureId?: string | null;
}

@InputType()
export class ResolveAuditFindingInput {
  @Field(() => ID) @IsUUID() id!: string;
  @Field(() => Int) @IsInt() @Min(1) expectedVersion!: number;
  @Field({ description: 'How it was resolved' }) @IsString() @MaxLength(MAX_TEXT_LENGTH) note!: string;
}

@InputType()
export class ReopenAuditFindingInput {
  @Field(() => ID) @IsUUID() id!: string;
  @Field(() => Int) @IsInt() @Min(1) expectedVersion!: number;
  @Field() @IsString() @MaxLength(MAX_REASON_LENGTH) reason!: string;
}

/** A countermeasure as createCountermeasure takes it, in the finding's incident. */
@InputType()
export class NewCountermeasureInput extends OmitType(CreateCountermeasureInput, ['incidentId'] as const, InputType) {}

@InputType()
export class CreateCountermeasureFromFindingInput {
  @Field(() => ID) @IsUUID() findingId!: string;
  @Field(() => Int, { description: 'The finding’s version' }) @IsInt() @Min(1) expectedVersion!: number;
  @Field(() => NewCountermeasureInput) @ValidateNested() @Type(() => NewCountermeasureInput) countermeasure!: NewCountermeasureInput;
}

@InputType()
export class RiskAcceptanceFields {
  @Field() @IsString() @MaxLength(MAX_TEXT_LENGTH) justification!: string;
  @Field() @IsString() @MaxLength(MAX_TEXT_LENGTH) compensatingControls!: string;
  @Field({ description: `The last day it holds (${DAY}, Asia/Tokyo): after today, at most 366 days ahead` })
  @IsString()
  @MaxLength(10)
  expiresOn!: string;
}

@InputType()
export class AcceptFindingRiskInput extends RiskAcceptanceFields {
  @Field(() => ID) @IsUUID() findingId!: string;
  @Field(() => Int, { description: 'The finding’s version' }) @IsInt() @Min(1) expectedVersion!: number;
}

@InputType()
export class AcceptRequirementRiskInput extends RiskAcceptanceFields {
  @Field(() => ID) @IsUUID() requirementId!: string;
}

@InputType()
export class RevokeRiskAcceptanceInput {
  @Field(() => ID) @IsUUID() id!: string;
  @Field() @IsString() @MaxLength(MAX_REASON_LENGTH) reason!: string;
}

@InputType()
export class AuditEngagementFilterInput {
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() incidentId?: string | null;
  @Field(() => [AuditEngagementStatusEnum], { nullable: true }) @IsOptional() @IsEnum(AuditEngagementStatusEnum, { each: true }) statuses?:
    string[] | null;
}

@ArgsType()
export class AuditEngagementsArgs extends PageArgs {
  @Field(() => AuditEngagementFilterInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => AuditEngagementFilterInput)
  filter?: AuditEngagementFilterInput | null;
}

@InputType()
export class AuditFindingFilterInput {
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() incidentId?: string | null;
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() engagementId?: string | null;
  @Field(() => [FindingStatusEnum], { nullable: true }) @IsOptional() @IsEnum(FindingStatusEnum, { each: true }) statuses?: string[] | null;
  @Field(() => [FindingSeverityEnum], { nullable: true }) @IsOptional() @IsEnum(FindingSeverityEnum, { each: true }) severities?:
    string[] | null;
}

@ArgsType()
export class AuditFindingsArgs extends PageArgs {
  @Field(() => AuditFindingFilterInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => AuditFindingFilterInput)
  filter?: AuditFindingFilterInput | null;
}

@InputType()
export class RiskAcceptanceFilterInput {
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() incidentId?: string | null;
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() findingId?: string | null;
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() requirementId?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'Only acceptances that still hold' }) @IsOptional() @IsBoolean() standingOnly?:
    boolean | null;
}

@ArgsType()
export class RiskAcceptancesArgs extends PageArgs {
  @Field(() => RiskAcceptanceFilterInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => RiskAcceptanceFilterInput)
  filter?: RiskAcceptanceFilterInput | null;
}
