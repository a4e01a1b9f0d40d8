import { PageArgs } from '../../common/page.args';
import { ArgsType, Field, ID, InputType, Int } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsBoolean, IsEnum, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { MAX_DESCRIPTION_LENGTH, MAX_REASON_LENGTH, MAX_TITLE_LENGTH } from '@app/countermeasures';
import { CountermeasureCategoryEnum, CountermeasureOrderEnum, CountermeasureStatusEnum, PriorityEnum } from '../countermeasure.types';

const DAY = 'A calendar day, YYYY-MM-DD';

@InputType()
export class RequirementInput {
  @Field() @IsString() @MaxLength(MAX_TITLE_LENGTH) title!: string;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxLength(MAX_DESCRIPTION_LENGTH) description?: string | null;
  @Field(() => Int, { nullable: true }) @IsOptional() @IsInt() @Min(1) @Max(366) recurrenceDays?: number | null;
}

@InputType()
export class CreateCountermeasureInput {
  @Field(() => ID) @IsUUID() incidentId!: string;
  @Field() @IsString() @MaxLength(MAX_TITLE_LENGTH) title!: string;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxLength(MAX_DESCRIPTION_LENGTH) description?: string | null;
  @Field(() => CountermeasureCategoryEnum) @IsEnum(CountermeasureCategoryEnum) category!: string;
  @Field(() => ID) @IsUUID() ownerId!: string;
  @Field(() => [ID], { nullable: true }) @IsOptional() @ArrayMaxSize(50) @IsUUID('all', { each: true }) contributorIds?: string[] | null;
  @Field(() => PriorityEnum) @IsEnum(PriorityEnum) priority!: string;
  @Field({ description: DAY }) @IsString() @MaxLength(10) dueDate!: string;
  @Field(() => Boolean, { nullable: true }) @IsOptional() @IsBoolean() requiredForGate?: boolean | null;
  @Field(() => Boolean, { nullable: true }) @IsOptional() @IsBoolean() ongoing?: boolean | null;
  @Field(() => [RequirementInput], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => RequirementInput)
  requirements?: RequirementInput[] | null;
}

@InputType()
export class UpdateCountermeasureInput {
  @Field(() => ID) @IsUUID() id!: string;
  @Field(() => Int) @IsInt() @Min(1) expectedVersion!: number;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxLength(MAX_TITLE_LENGTH) title?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxLength(MAX_DESCRIPTION_LENGTH) description?: string | null;
  @Field(() => CountermeasureCategoryEnum, { nullable: true }) @IsOptional() @IsEnum(CountermeasureCategoryEnum) category?: string | null;
  @Field(() => PriorityEnum, { nullable: true }) @IsOptional() @IsEnum(PriorityEnum) priority?: string | null;
  @Field(() => Boolean, { nullable: true }) @IsOptional() @IsBoolean() requiredForGate?: boolean | null;
}

@InputType()
export class AssignCountermeasureOwnerInput {
  @Field(() => ID) @IsUUID() id!: string;
  @Field(() => Int) @IsInt() @Min(1) expectedVersion!: number;
  @Field(() => ID) @IsUUID() ownerId!: string;
}

@InputType()
export class ChangeCountermeasureDueDateInput {
  @Field(() => ID) @IsUUID() id!: string;
  @Field(() => Int) @IsInt() @Min(1) expectedVersion!: number;
  @Field({ description: DAY }) @IsString() @MaxLength(10) dueDate!: string;
  @Field({ description: 'Why the plan changed (kept and shown)' }) @IsString() @MaxLength(MAX_REASON_LENGTH) reason!: string;
}

@InputType()
export class MoveCountermeasureInput {
  @Field(() => ID) @IsUUID() id!: string;
  @Field(() => Int) @IsInt() @Min(1) expectedVersion!: number;
  @Field(() => CountermeasureStatusEnum) @IsEnum(CountermeasureStatusEnum) to!: string;
  @Field(() => String, { nullable: true, description: 'Required for BLOCKED, CANCELLED and REOPENED' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_REASON_LENGTH)
  reason?: string | null;
}

@InputType()
export class CountermeasureFilterInput {
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() incidentId?: string | null;
  @Field(() => [CountermeasureStatusEnum], { nullable: true }) @IsOptional() @IsEnum(CountermeasureStatusEnum, { each: true }) statuses?:
    string[] | null;
  @Field(() => [CountermeasureCategoryEnum], { nullable: true })
  @IsOptional()
  @IsEnum(CountermeasureCategoryEnum, { each: true })
  categories?: string[] | null;
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() ownerId?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'Open and past its due date (computed, not stored)' })
  @IsOptional()
  @IsBoolean()
  overdue?: boolean | null;
  @Field(() => String, { nullable: true, description: `Due before this day (${DAY})` })
  @IsOptional()
  @IsString()
  @MaxLength(10)
  dueBefore?: string | null;
  @Field(() => Boolean, { nullable: true }) @IsOptional() @IsBoolean() requiredForGate?: boolean | null;
  @Field(() => Boolean, {
    nullable: true,
    description:
      'Verified ongoing measures with a recurring requirement whose latest accepted evidence is older than its period (computed, not stored)',
  })
  @IsOptional()
  @IsBoolean()
  atRisk?: boolean | null;
  @Field(() => String, { nullable: true, description: 'Part of the key, title or description (Japanese works)' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  search?: string | null;
}

@ArgsType()
export class CountermeasuresArgs extends PageArgs {
  @Field(() => CountermeasureFilterInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => CountermeasureFilterInput)
  filter?: CountermeasureFilterInput | null;
  @Field(() => CountermeasureOrderEnum, { nullable: true, defaultValue: 'KEY' }) @IsOptional() @IsEnum(CountermeasureOrderEnum) orderBy?:
    'KEY' | 'DUE_DATE' | 'PRIORITY';
}

@ArgsType()
export class CountermeasureArgs {
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() id?: string | null;
  @Field(() => String, { nullable: true, description: 'CM-001 ...' }) @IsOptional() @IsString() @MaxLength(20) key?: string | null;
  @Field(() => ID, { nullable: true, description: 'With key, when several incidents are tracked' }) @IsOptional() @IsUUID() incidentId?:
    string | null;
}

@InputType()
export class AddEvidenceRequirementInput {
  @Field(() => ID) @IsUUID() countermeasureId!: string;
  @Field(() => Int) @IsInt() @Min(1) expectedVersion!: number;
  @Field(() => RequirementInput) @ValidateNested() @Type(() => RequirementInput) requirement!: RequirementInput;
}

@InputType()
export class RemoveEvidenceRequirementInput {
  @Field(() => ID) @IsUUID() requirementId!: string;
  @Field(() => Int, { description: 'The countermeasure’s version' }) @IsInt() @Min(1) expectedVersion!: number;
  @Field({ description: 'Why it is no longer needed (kept in the trail)' }) @IsString() @MaxLength(MAX_REASON_LENGTH) reason!: string;
}

@InputType()
export class SetCountermeasureContributorsInput {
  @Field(() => ID) @IsUUID() id!: string;
  @Field(() => Int) @IsInt() @Min(1) expectedVersion!: number;
  @Field(() => [ID], { description: 'Current task-force members; the list becomes exactly these' })
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true })
  userIds!: string[];
}
