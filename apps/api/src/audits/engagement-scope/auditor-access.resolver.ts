import { Inject } from '@nestjs/common';
import { Args, Context, Field, ID, InputType, Mutation, ObjectType, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { DateTimeScalar } from '../../graphql/date-time.scalar';
import { IsBoolean, IsUUID } from 'class-validator';
import { AuditorScopeService, type AuditorAccessLimitView } from '@app/audits';
import { Actor } from '@app/common';
import { Permission, type UserEntity } from '@app/identity';
import { Allow, CurrentUser } from '../../auth/access.decorators';
import { Loader } from '../../common/loader-helpers';
import type { GqlContext } from '../../common/loaders';
import { UserType } from '../../identity/user.type';

@InputType()
export class LimitAuditorAccessInput {
  @Field(() => ID, { description: 'The auditor' })
  @IsUUID()
  userId!: string;

  @Field({ description: 'true: only the incidents of their engagements, up to each one’s end; false: every incident again' })
  @IsBoolean()
  limited!: boolean;
}

@ObjectType('AuditorAccessLimit')
export class AuditorAccessLimitType {
  @Field(() => ID)
  userId!: string;

  @Field({ description: 'Whether the auditor reads and acts only within the incidents of the engagements they lead or are on' })
  limited!: boolean;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Since when (null when not limited)' })
  limitedAt!: Date | null;

  static from(v: AuditorAccessLimitView): AuditorAccessLimitType {
    return Object.assign(new AuditorAccessLimitType(), v);
  }
}

@Resolver()
export class AuditorAccessResolver {
  constructor(@Inject(AuditorScopeService) private readonly scopes: AuditorScopeService) {}

  @Allow(Permission.USERS_MANAGE)
  @Mutation(() => AuditorAccessLimitType, {
    description:
      'Admins: limit an auditor’s access to the incidents of the engagements they lead or are on, up to each engagement’s end date (Japan time), or lift the limit. Off for every account until set; in the trail',
  })
  async limitAuditorAccess(
    @Args('input') input: LimitAuditorAccessInput,
    @CurrentUser() actor: UserEntity,
  ): Promise<AuditorAccessLimitType> {
    return AuditorAccessLimitType.from(await this.scopes.setLimit(Actor.user(actor), input.userId, input.limited));
  }
}

/** Whether a user's access is limited to their engagements: read for a page of users in one statement per request. */
@Resolver(() => UserType)
export class UserAccessLimitResolver {
  private readonly loaders = new WeakMap<object, Loader<string, boolean>>();

  constructor(@Inject(AuditorScopeService) private readonly scopes: AuditorScopeService) {}

  @ResolveField(() => Boolean, {
    description:
      'Whether this auditor reads and acts only within the incidents of their engagements, up to each one’s end (limitAuditorAccess)',
  })
  accessLimitedToEngagements(@Parent() user: UserType, @Context() ctx: GqlContext): boolean | Promise<boolean> {
    let loader = this.loaders.get(ctx.req);
    if (!loader) {
      loader = new Loader<string, boolean>(async (ids) => {
        const limited = await this.scopes.limitedAmong(ids);
        return ids.map((id) => limited.has(id));
      });
      this.loaders.set(ctx.req, loader);
    }
    return loader.get(user.id);
  }
}
