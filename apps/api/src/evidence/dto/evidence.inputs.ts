import { ArgsType, Field, ID, InputType, Int } from '@nestjs/graphql';
import { IsEnum, IsInt, IsOptional, IsString, IsUUID, Matches, MaxLength, Min } from 'class-validator';
import { MAX_EVIDENCE_NAME_LENGTH, MAX_EVIDENCE_TEXT_LENGTH, MAX_URL_LENGTH } from '@app/evidence';
import { PageArgs } from '../../common/page.args';
import { ReviewDecisionEnum } from '../evidence.types';

const DAY = 'A calendar day, YYYY-MM-DD: the day the evidence speaks for (not in the future)';

@InputType({ isAbstract: true })
abstract class SubmitEvidenceBase {
  @Field(() => ID) @IsUUID() requirementId!: string;
  @Field(() => ID, { nullable: true, description: 'One of the countermeasure’s targets (a system), if the evidence is for it' })
  @IsOptional()
  @IsUUID()
  targetId?: string | null;
  @Field({ description: DAY }) @IsString() @MaxLength(10) effectiveOn!: string;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxLength(MAX_EVIDENCE_TEXT_LENGTH) description?: string | null;
  @Field(() => ID, { nullable: true, description: 'This is a corrected version of that live evidence (same requirement)' })
  @IsOptional()
  @IsUUID()
  supersedesId?: string | null;
}

@InputType()
export class SubmitEvidenceLinkInput extends SubmitEvidenceBase {
  @Field() @IsString() @MaxLength(MAX_EVIDENCE_NAME_LENGTH) title!: string;
  @Field({ description: 'An http(s) URL' }) @IsString() @MaxLength(MAX_URL_LENGTH) url!: string;
}

@InputType()
export class SubmitEvidenceAttestationInput extends SubmitEvidenceBase {
  @Field() @IsString() @MaxLength(MAX_EVIDENCE_NAME_LENGTH) title!: string;
  @Field({ description: 'The written attestation' }) @IsString() @MaxLength(MAX_EVIDENCE_TEXT_LENGTH) statement!: string;
}

@InputType()
export class WithdrawEvidenceInput {
  @Field(() => ID) @IsUUID() evidenceId!: string;
  @Field(() => Int) @IsInt() @Min(1) expectedVersion!: number;
  @Field() @IsString() @MaxLength(MAX_EVIDENCE_TEXT_LENGTH) reason!: string;
}

@InputType()
export class ReviewEvidenceInput {
  @Field(() => ID) @IsUUID() evidenceId!: string;
  @Field({ description: 'The SHA-256 of what you reviewed (the evidence’s sha256): the review binds to those bytes' })
  @IsString()
  @Matches(/^[0-9a-fA-F]{64}$/, { message: 'sha256 must be 64 hex digits' })
  sha256!: string;
  @Field(() => Int, {
    description: 'The evidence’s version you decided on: a review or withdrawal made meanwhile is a CONFLICT, not silently replaced',
  })
  @IsInt()
  @Min(1)
  expectedVersion!: number;
  @Field(() => ReviewDecisionEnum) @IsEnum(ReviewDecisionEnum) decision!: string;
  @Field(() => String, { nullable: true, description: 'Required for REJECTED and NEEDS_MORE' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_EVIDENCE_TEXT_LENGTH)
  comment?: string | null;
}

@InputType()
export class SignOffCountermeasureInput {
  @Field(() => ID) @IsUUID() countermeasureId!: string;
  @Field(() => Int) @IsInt() @Min(1) expectedVersion!: number;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxLength(MAX_EVIDENCE_TEXT_LENGTH) statement?: string | null;
}

@ArgsType()
export class ReviewQueueArgs extends PageArgs {
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() incidentId?: string | null;
}

@ArgsType()
export class EvidenceArgs {
  @Field(() => ID) @IsUUID() id!: string;
}
