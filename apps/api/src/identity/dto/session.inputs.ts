import { Field, InputType, Int } from '@nestjs/graphql';
import { IsBoolean, IsIn, IsInt, Min } from 'class-validator';
import { Role, USER_ROLES } from '@app/identity';

@InputType()
export class SecondFactorPolicyInput {
  @Field(() => Role)
  @IsIn(USER_ROLES, { message: 'role must be a role users hold (ADMIN, TASK_FORCE, EXECUTIVE, AUDITOR)' })
  role!: Role;

  @Field()
  @IsBoolean()
  required!: boolean;

  // Required: with no version (null), a change made meanwhile by another admin was silently overwritten.
  @Field(() => Int, { description: 'The version read (SecondFactorPolicy.version): a concurrent change is refused' })
  @IsInt()
  @Min(1)
  expectedVersion!: number;
}
