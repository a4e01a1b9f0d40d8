import { Field, InputType, Int } from '@nestjs/graphql';
import { IsBoolean, IsIn, IsInt, IsOptional, Min } from 'class-validator';
import { Role, USER_ROLES } from '@app/identity';

@InputType()
export class SecondFactorPolicyInput {
  @Field(() => Role)
  @IsIn(USER_ROLES, { message: 'role must be a role users hold (ADMIN, TASK_FORCE, EXECUTIVE, AUDITOR)' })
  role!: Role;

  @Field()
  @IsBoolean()
  required!: boolean;

  @Field(() => Int, { nullable: true, description: 'The version read (SecondFactorPolicy.version): a concurrent change is refused' })
  @IsOptional()
  @IsInt()
  @Min(1)
  expectedVersion!: number | null;
}
