import { Inject } from '@nestjs/common';
import { Args, Field, Float, ID, InputType, Int, Mutation, ObjectType, ResolveField, Resolver, registerEnumType } from '@nestjs/graphql';
import { ArrayMaxSize, IsEnum, IsInt, IsOptional, IsString, IsUUID, MaxLength, Min } from 'class-validator';
import { DateTimeScalar } from '../graphql/date-time.scalar';
import { Actor } from '@app/common';
import {
  CountermeasureTargetsService,
  MAX_REASON_LENGTH,
  progressOf,
  TARGET_STATUSES,
  type CountermeasureTargetEntity,
  type TargetStatus,
} from '@app/countermeasures';
import { Permission, type UserEntity } from '@app/identity';
import { Allow, CurrentUser } from '../auth/access.decorators';
import type { GqlContext } from '../common/loaders';
import { IncidentSystemType } from '../incidents/incident.types';
import { CountermeasureType } from './countermeasure.types';

export const TargetStatusEnum = Object.fromEntries(TARGET_STATUSES.map((s) => [s, s]));
registerEnumType(TargetStatusEnum, { name: 'TargetStatus' });

@ObjectType('CountermeasureTarget', { description: 'One system a countermeasure covers, with its own status' })
export class CountermeasureTargetType {
  @Field(() => ID) id!: string;
  @Field(() => TargetStatusEnum) status!: string;
  @Field() note!: string;
  @Field(() => Int, { description: 'Send it back as expectedVersion when you change this target' }) version!: number;
  @Field(() => DateTimeScalar) updatedAt!: Date;
  systemId!: string;
}

@ObjectType('TargetProgress', { description: 'Progress over the targets: "3 of 7 databases done"' })
export class TargetProgressType {
  @Field(() => Int) total!: number;
  @Field(() => Int) pending!: number;
  @Field(() => Int) inProgress!: number;
  @Field(() => Int) done!: number;
  @Field(() => Int) notApplicable!: number;
  @Field(() => Float, { nullable: true, description: 'done / applicable targets; null without applicable targets' }) ratio!: number | null;
}

@InputType()
export class SetCountermeasureTargetsInput {
  @Field(() => ID) @IsUUID() id!: string;
  @Field(() => Int) @IsInt() @Min(1) expectedVersion!: number;
  @Field(() => [ID], { description: 'Systems of the incident’s inventory; the list becomes exactly these' })
  @ArrayMaxSize(200)
  @IsUUID('all', { each: true })
  systemIds!: string[];
}

@InputType()
export class UpdateCountermeasureTargetInput {
  @Field(() => ID) @IsUUID() id!: string;
  @Field(() => Int) @IsInt() @Min(1) expectedVersion!: number;
  @Field(() => TargetStatusEnum) @IsEnum(TargetStatusEnum) status!: string;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxLength(MAX_REASON_LENGTH) note?: string | null;
}

@Resolver(() => CountermeasureType)
export class CountermeasureTargetsResolver {
  constructor(@Inject(CountermeasureTargetsService) private readonly targets: CountermeasureTargetsService) {}

  @Allow(Permission.REMEDIATION_WRITE)
  @Mutation(() => CountermeasureType, { description: 'Owner, contributors, the chief or an admin: the systems this countermeasure covers' })
  async setCountermeasureTargets(
    @Args('input') input: SetCountermeasureTargetsInput,
    @CurrentUser() user: UserEntity,
  ): Promise<CountermeasureType> {
    return CountermeasureType.from(await this.targets.setTargets(Actor.user(user), input.id, input.expectedVersion, input.systemIds));
  }

  @Allow(Permission.REMEDIATION_WRITE)
  @Mutation(() => CountermeasureTargetType, { description: 'Owner or contributors: the status of one target' })
  async updateCountermeasureTarget(
    @Args('input') input: UpdateCountermeasureTargetInput,
    @CurrentUser() user: UserEntity,
  ): Promise<CountermeasureTargetEntity> {
    return this.targets.updateTarget(Actor.user(user), input.id, input.expectedVersion, input.status as TargetStatus, input.note ?? null);
  }

  @ResolveField('targets', () => [CountermeasureTargetType], { description: 'The systems it covers, by name' })
  targetsOf(c: CountermeasureType, _args: unknown, ctx: GqlContext) {
    return ctx.loaders.targets.load(c.id);
  }

  @ResolveField(() => TargetProgressType)
  async progress(c: CountermeasureType, _args: unknown, ctx: GqlContext): Promise<TargetProgressType> {
    return progressOf((await ctx.loaders.targets.load(c.id)).map((t) => t.status));
  }
}

@Resolver(() => CountermeasureTargetType)
export class CountermeasureTargetResolver {
  @ResolveField(() => IncidentSystemType, { nullable: true })
  system(t: CountermeasureTargetType, _args: unknown, ctx: GqlContext) {
    return ctx.loaders.system.load(t.systemId);
  }
}
