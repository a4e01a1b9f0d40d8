import { ArgsType, Field, ID, InputType } from '@nestjs/graphql';
import { IsString, IsUUID, MaxLength } from 'class-validator';
import { PageArgs } from '../../common/page.args';

// Lengths are decided by the domain (characters, not UTF-16 units, with a coded error);
// these limits only keep absurd payloads out.

@InputType()
export class CreateApiKeyInput {
  @Field({ description: 'Which system holds it, e.g. 販促配信システム (本番): 1 to 100 characters' })
  @IsString()
  @MaxLength(1000)
  name!: string;
}

@InputType()
export class RevokeApiKeyInput {
  @Field(() => ID)
  @IsUUID()
  id!: string;

  @Field({ description: 'Why (kept with the key and in the audit trail): 1 to 1000 characters' })
  @IsString()
  @MaxLength(4000)
  reason!: string;
}

@ArgsType()
export class ApiKeysArgs extends PageArgs {}
