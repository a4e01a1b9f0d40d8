import { Inject } from '@nestjs/common';
import { Args, Context, Extensions, Info, Mutation, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { Actor, CommonError, CommonErrorCode } from '@app/common';
import {
  allowedTransitions,
  CountermeasuresService,
  isOverdue,
  TransitionCause,
  type CountermeasureCategory,
  type CountermeasureStatus,
  type Priority,
} from '@app/countermeasures';
import { Permission, type UserEntity } from '@app/identity';
import { Allow, CurrentUser } from '../auth/access.decorators';
import { toConnection } from '../common/connection.type';
import { thenMap } from '../common/loader-helpers';
import { CONNECTION_PATHS, lookAhead } from '../common/look-ahead';
import type { GqlContext } from '../common/loaders';
import { UserType } from '../identity/user.type';
import {
  CountermeasureConnection,
  CountermeasureStatusEnum,
  CountermeasureType,
  DueDateChangeType,
  RequirementType,
  TransitionType,
} from './countermeasure.types';
import {
  AddEvidenceRequirementInput,
  AssignCountermeasureOwnerInput,
  ChangeCountermeasureDueDateInput,
  CountermeasureArgs,
  CountermeasuresArgs,
  CreateCountermeasureInput,
  MoveCountermeasureInput,
  RemoveEvidenceRequirementInput,
  SetCountermeasureContributorsInput,
  UpdateCountermeasureInput,
} from './dto/countermeasure.inputs';

@Resolver(() => CountermeasureType)
export class CountermeasuresResolver {
  constructor(@Inject(CountermeasuresService) private readonly service: CountermeasuresService) {}

  @Allow(Permission.REMEDIATION_READ)
  @Query(() => CountermeasureConnection, { description: 'Countermeasures, by key (default) or by due date' })
  async countermeasures(
    @Args() args: CountermeasuresArgs,
    @Context() ctx: GqlContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<CountermeasureConnection> {
    const f = args.filter ?? {};
    const page = await this.service.list(
      {
        ...f,
        statuses: f.statuses as CountermeasureStatus[] | null,
        categories: f.categories as CountermeasureCategory[] | null,
      },
      args.orderBy ?? 'KEY',
      args,
    );
    const connection = toConnection(page, CountermeasureType.from);
    await lookAhead(ctx.loaders, info, 'Countermeasure', connection.nodes, CONNECTION_PATHS);
    return connection;
  }

  @Allow(Permission.REMEDIATION_READ)
  @Query(() => CountermeasureType, { description: 'One countermeasure by id or by key (CM-004)' })
  async countermeasure(@Args() args: CountermeasureArgs): Promise<CountermeasureType> {
    if (!args.id === !args.key) {
      throw new CommonError(CommonErrorCode.INVALID_INPUT, 'Give either id or key', { fields: ['id', 'key'] });
    }
    const cm = args.id ? await this.service.getById(args.id) : await this.service.getByKey(args.key!, args.incidentId);
    return CountermeasureType.from(cm);
  }

  @Allow(Permission.REMEDIATION_WRITE)
  @Mutation(() => CountermeasureType, { description: 'The task-force chief or an admin' })
  async createCountermeasure(
    @Args('input') input: CreateCountermeasureInput,
    @CurrentUser() user: UserEntity,
  ): Promise<CountermeasureType> {
    const cm = await this.service.create(Actor.user(user), {
      ...input,
      category: input.category as CountermeasureCategory,
      priority: input.priority as Priority,
    });
    return CountermeasureType.from(cm);
  }

  @Allow(Permission.REMEDIATION_WRITE)
  @Mutation(() => CountermeasureType, { description: 'The owner or a contributor' })
  async updateCountermeasure(
    @Args('input') input: UpdateCountermeasureInput,
    @CurrentUser() user: UserEntity,
  ): Promise<CountermeasureType> {
    const { id, expectedVersion, ...changes } = input;
    const cm = await this.service.update(Actor.user(user), id, expectedVersion, {
      ...changes,
      category: changes.category as CountermeasureCategory | null,
      priority: changes.priority as Priority | null,
    });
    return CountermeasureType.from(cm);
  }

  @Allow(Permission.REMEDIATION_WRITE)
  @Mutation(() => CountermeasureType, { description: 'The task-force chief or an admin; the owner must be a current member' })
  async assignCountermeasureOwner(
    @Args('input') input: AssignCountermeasureOwnerInput,
    @CurrentUser() user: UserEntity,
  ): Promise<CountermeasureType> {
    return CountermeasureType.from(await this.service.assignOwner(Actor.user(user), input.id, input.expectedVersion, input.ownerId));
  }

  @Allow(Permission.REMEDIATION_WRITE)
  @Mutation(() => CountermeasureType, { description: 'The task-force chief or an admin; contributors must be current members' })
  async setCountermeasureContributors(
    @Args('input') input: SetCountermeasureContributorsInput,
    @CurrentUser() user: UserEntity,
  ): Promise<CountermeasureType> {
    return CountermeasureType.from(await this.service.setContributors(Actor.user(user), input.id, input.expectedVersion, input.userIds));
  }

  @Allow(Permission.REMEDIATION_WRITE)
  @Mutation(() => CountermeasureType, { description: 'Re-plan with a reason; the old and new dates are kept' })
  async changeCountermeasureDueDate(
    @Args('input') input: ChangeCountermeasureDueDateInput,
    @CurrentUser() user: UserEntity,
  ): Promise<CountermeasureType> {
    return CountermeasureType.from(
      await this.service.changeDueDate(Actor.user(user), input.id, input.expectedVersion, input.dueDate, input.reason),
    );
  }

  @Allow(Permission.REMEDIATION_WRITE)
  @Mutation(() => CountermeasureType, {
    description:
      'Move through the workflow. Owner and contributors: plain moves; executives: CANCELLED and REOPENED. VERIFIED only by auditor sign-off.',
  })
  async moveCountermeasure(@Args('input') input: MoveCountermeasureInput, @CurrentUser() user: UserEntity): Promise<CountermeasureType> {
    const cm = await this.service.transition(
      Actor.user(user),
      input.id,
      input.expectedVersion,
      input.to as CountermeasureStatus,
      input.reason ?? null,
    );
    return CountermeasureType.from(cm);
  }

  @Allow(Permission.REMEDIATION_WRITE)
  @Mutation(() => CountermeasureType, { description: 'Owner, contributors, the chief or an admin: a new statement of what must be shown' })
  async addEvidenceRequirement(
    @Args('input') input: AddEvidenceRequirementInput,
    @CurrentUser() user: UserEntity,
  ): Promise<CountermeasureType> {
    return CountermeasureType.from(
      await this.service.addRequirement(Actor.user(user), input.countermeasureId, input.expectedVersion, input.requirement),
    );
  }

  @Allow(Permission.REMEDIATION_WRITE)
  @Mutation(() => CountermeasureType, { description: 'Owner, contributors, the chief or an admin, with a reason' })
  async removeEvidenceRequirement(
    @Args('input') input: RemoveEvidenceRequirementInput,
    @CurrentUser() user: UserEntity,
  ): Promise<CountermeasureType> {
    return CountermeasureType.from(
      await this.service.removeRequirement(Actor.user(user), input.requirementId, input.expectedVersion, input.reason),
    );
  }

  // Field resolvers take GraphQL's own (parent, args, context) and no parameter decorators: Nest then
  // binds them as they are, without its per-call context (guards, pipes and interceptors never run on
  // fields here: fieldResolverEnhancers is empty). They answer at once from what the page's look-ahead
  // loaded (common/look-ahead.ts), and through the per-request loaders otherwise.
  @ResolveField(() => UserType, { nullable: true, description: 'The owner (担当者)' })
  owner(c: CountermeasureType, _args: unknown, ctx: GqlContext): UserType | null | Promise<UserType | null> {
    return thenMap(ctx.loaders.user.get(c.ownerId), (u) => (u ? UserType.from(u) : null));
  }

  // listSize: the cost analysis's estimate of this list (query-cost.ts), not a cap.
  @Extensions({ listSize: 5 })
  @ResolveField(() => [UserType])
  contributors(c: CountermeasureType, _args: unknown, ctx: GqlContext): UserType[] | Promise<UserType[]> {
    return thenMap(ctx.loaders.contributors.get(c.id), (rows) =>
      thenMap(ctx.loaders.user.getMany(rows.map((r) => r.userId)), (users) =>
        users.filter((u): u is UserEntity => !!u && !(u instanceof Error)).map(UserType.from),
      ),
    );
  }

  @ResolveField(() => [RequirementType])
  requirements(c: CountermeasureType, _args: unknown, ctx: GqlContext) {
    return ctx.loaders.requirements.get(c.id);
  }

  @Extensions({ listSize: 20 })
  @ResolveField(() => [TransitionType], { description: 'Every status change, oldest first' })
  history(c: CountermeasureType, _args: unknown, ctx: GqlContext) {
    return ctx.loaders.transitions.get(c.id);
  }

  @Extensions({ listSize: 5 })
  @ResolveField(() => [DueDateChangeType], { description: 'Every re-planning of the due date, oldest first' })
  dueDateChanges(c: CountermeasureType, _args: unknown, ctx: GqlContext) {
    return ctx.loaders.dueDateChanges.get(c.id);
  }

  @ResolveField(() => Boolean, { description: 'Open and past its due date (期限超過), computed in the Asia/Tokyo calendar' })
  overdue(c: CountermeasureType): boolean {
    return isOverdue(c.status as CountermeasureStatus, c.dueDate, this.service.today());
  }

  @ResolveField(() => [CountermeasureStatusEnum], { description: 'Statuses a plain move by the owner or a contributor can reach now' })
  nextStatuses(c: CountermeasureType): string[] {
    return allowedTransitions(c.status as CountermeasureStatus, c.resumeStatus as CountermeasureStatus | null, TransitionCause.USER, {
      ongoing: c.ongoing,
    });
  }
}
