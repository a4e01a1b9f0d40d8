import { ArgsType, Field, ID, InputType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, IsString, IsUUID, MaxLength, ValidateNested } from 'class-validator';
import { PROGRESS_LIMITS as L } from '@app/duties';
import { PageArgs } from '../common/page.args';

/**
 * Lengths are checked again in the service, in characters (with the content rule); here they only stop absurd
 * payloads early. There is deliberately no field for owners, evidence or comments: a statement cannot carry them.
 */
@InputType({ description: 'A countermeasure to show: the label written for the public; its status is read at publication' })
export class ProgressStatementCountermeasureInput {
  @Field(() => ID, { description: 'A countermeasure of the same incident' }) @IsUUID() countermeasureId!: string;
  @Field({ description: 'The public label (Japanese), one line' }) @IsString() @MaxLength(L.label * 2) labelJa!: string;
  @Field({ description: 'The public label (English), one line' }) @IsString() @MaxLength(L.label * 2) labelEn!: string;
}

@InputType({ description: 'A progress statement to publish (promise 9): once published it never changes' })
export class PublishProgressStatementInput {
  @Field(() => ID) @IsUUID() incidentId!: string;
  @Field({ description: `One line, at most ${L.title} characters` }) @IsString() @MaxLength(L.title * 2) titleJa!: string;
  @Field({ description: `One line, at most ${L.title} characters` }) @IsString() @MaxLength(L.title * 2) titleEn!: string;
  @Field({ description: `At most ${L.body} characters; blank lines separate paragraphs` })
  @IsString()
  @MaxLength(L.body * 2)
  bodyJa!: string;
  @Field({ description: `At most ${L.body} characters; blank lines separate paragraphs` })
  @IsString()
  @MaxLength(L.body * 2)
  bodyEn!: string;
  @Field(() => [ProgressStatementCountermeasureInput], {
    nullable: true,
    description: `The countermeasures to show (at most ${L.countermeasures}), in this order`,
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(L.countermeasures)
  @ValidateNested({ each: true })
  @Type(() => ProgressStatementCountermeasureInput)
  countermeasures?: ProgressStatementCountermeasureInput[] | null;
  @Field(() => ID, {
    nullable: true,
    description: 'This statement corrects that published statement of the same incident (the latest version: one not corrected yet)',
  })
  @IsOptional()
  @IsUUID()
  corrects?: string | null;
  @Field(() => String, { nullable: true, description: 'Required with corrects: what is corrected (Japanese)' })
  @IsOptional()
  @IsString()
  @MaxLength(L.correctionNote * 2)
  correctionNoteJa?: string | null;
  @Field(() => String, { nullable: true, description: 'Required with corrects: what is corrected (English)' })
  @IsOptional()
  @IsString()
  @MaxLength(L.correctionNote * 2)
  correctionNoteEn?: string | null;
}

@ArgsType()
export class ProgressStatementsArgs extends PageArgs {
  @Field(() => ID) @IsUUID() incidentId!: string;
}
