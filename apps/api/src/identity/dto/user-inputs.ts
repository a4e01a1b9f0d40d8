import { PageArgs } from '../../common/page.args';
import { Transform } from 'class-transformer';
import { ArgsType, Field, ID, InputType, Int } from '@nestjs/graphql';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsBoolean,
  IsEmail,
  IsEnum,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  Min,
} from 'class-validator';
import { MAX_PASSWORD_LENGTH, Role } from '@app/identity';

@InputType()
export class CreateUserInput {
  @Field()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsEmail({}, { message: 'email must be an e-mail address' })
  @MaxLength(320)
  email!: string;

  @Field({ description: 'Name as written, e.g. 山田 太郎' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  displayName!: string;

  @Field(() => String, { nullable: true, description: 'Reading in kana (furigana), e.g. やまだ たろう' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  displayNameKana?: string | null;

  @Field({ description: 'At least 12 characters' })
  @IsString()
  @MaxLength(MAX_PASSWORD_LENGTH)
  password!: string;

  @Field(() => [Role])
  @ArrayMinSize(1, { message: 'roles must name at least one role' })
  @ArrayMaxSize(8)
  @IsEnum(Role, { each: true })
  roles!: Role[];
}

@InputType()
export class UpdateUserRolesInput {
  @Field(() => ID)
  @IsUUID()
  id!: string;

  @Field(() => [Role])
  @ArrayMinSize(1, { message: 'roles must name at least one role' })
  @ArrayMaxSize(8)
  @IsEnum(Role, { each: true })
  roles!: Role[];

  @Field(() => Int, { description: 'The version you last read; a stale one gets CONFLICT' })
  @IsInt()
  @Min(1)
  expectedVersion!: number;
}

@InputType()
export class UserVersionInput {
  @Field(() => ID)
  @IsUUID()
  id!: string;

  @Field(() => Int, { description: 'The version you last read; a stale one gets CONFLICT' })
  @IsInt()
  @Min(1)
  expectedVersion!: number;
}

@InputType()
export class UserFilterInput {
  @Field(() => Role, { nullable: true })
  @IsOptional()
  @IsEnum(Role)
  role?: Role | null;

  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean | null;
}

@ArgsType()
export class UsersArgs extends PageArgs {
  @Field(() => UserFilterInput, { nullable: true })
  @IsOptional()
  filter?: UserFilterInput | null;
}

@ArgsType()
export class UserArgs {
  @Field(() => ID)
  @IsUUID()
  id!: string;
}
