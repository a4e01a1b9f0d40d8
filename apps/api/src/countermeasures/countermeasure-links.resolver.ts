import { Inject } from '@nestjs/common';
import { Args, Mutation, ResolveField, Resolver } from '@nestjs/graphql';
import { Actor } from '@app/common';
import { CountermeasureLinksService, type CountermeasureDependencyEntity, type CountermeasureEntity } from '@app/countermeasures';
import { Permission, type UserEntity } from '@app/identity';
import { Allow, CurrentUser } from '../auth/access.decorators';
import type { GqlContext } from '../common/loaders';
import { CountermeasureType } from './countermeasure.types';
import {
  AddCountermeasureDependencyInput,
  RemoveCountermeasureDependencyInput,
  SetCountermeasureParentInput,
} from './dto/countermeasure-links.inputs';

/** The structure of the plan: sub-actions (parent/children) and dependencies. */
@Resolver(() => CountermeasureType)
export class CountermeasureLinksResolver {
  constructor(@Inject(CountermeasureLinksService) private readonly links: CountermeasureLinksService) {}

  @Allow(Permission.REMEDIATION_WRITE)
  @Mutation(() => CountermeasureType, {
    description:
      'The task-force chief or an admin: make a countermeasure a sub-action of an action plan of the same incident, or top-level (parentId null). Refused if it would put the item above itself.',
  })
  async setCountermeasureParent(
    @Args('input') input: SetCountermeasureParentInput,
    @CurrentUser() user: UserEntity,
  ): Promise<CountermeasureType> {
    const cm = await this.links.setCountermeasureParent(Actor.user(user), input.id, input.expectedVersion, input.parentId ?? null);
    return CountermeasureType.from(cm);
  }

  @Allow(Permission.REMEDIATION_WRITE)
  @Mutation(() => CountermeasureType, {
    description:
      'The owner, a contributor, the chief or an admin: this countermeasure waits for another of the same incident. Refused if it would close a cycle.',
  })
  async addCountermeasureDependency(
    @Args('input') input: AddCountermeasureDependencyInput,
    @CurrentUser() user: UserEntity,
  ): Promise<CountermeasureType> {
    const cm = await this.links.addCountermeasureDependency(Actor.user(user), input.id, input.expectedVersion, input.dependsOnId);
    return CountermeasureType.from(cm);
  }

  @Allow(Permission.REMEDIATION_WRITE)
  @Mutation(() => CountermeasureType, {
    description: 'The owner, a contributor, the chief or an admin: this countermeasure no longer waits for that one',
  })
  async removeCountermeasureDependency(
    @Args('input') input: RemoveCountermeasureDependencyInput,
    @CurrentUser() user: UserEntity,
  ): Promise<CountermeasureType> {
    const cm = await this.links.removeCountermeasureDependency(Actor.user(user), input.id, input.expectedVersion, input.dependsOnId);
    return CountermeasureType.from(cm);
  }

  @ResolveField(() => CountermeasureType, { nullable: true, description: 'The action plan this is a sub-action of' })
  async parent(c: CountermeasureType, _args: unknown, ctx: GqlContext): Promise<CountermeasureType | null> {
    if (!c.parentId) return null;
    const parent = await ctx.loaders.countermeasure.load(c.parentId);
    return parent ? CountermeasureType.from(parent) : null;
  }

  @ResolveField(() => [CountermeasureType], { description: 'Its sub-actions, by key' })
  async children(c: CountermeasureType, _args: unknown, ctx: GqlContext): Promise<CountermeasureType[]> {
    return (await ctx.loaders.children.load(c.id)).map(CountermeasureType.from);
  }

  @ResolveField(() => [CountermeasureType], { description: 'What it waits for, by key' })
  async dependsOn(c: CountermeasureType, _args: unknown, ctx: GqlContext): Promise<CountermeasureType[]> {
    return this.ends(ctx, await ctx.loaders.dependsOn.load(c.id), (d) => d.dependsOnId);
  }

  @ResolveField(() => [CountermeasureType], { description: 'What waits for it, by key' })
  async dependents(c: CountermeasureType, _args: unknown, ctx: GqlContext): Promise<CountermeasureType[]> {
    return this.ends(ctx, await ctx.loaders.dependents.load(c.id), (d) => d.countermeasureId);
  }

  /** The countermeasures at the other end of these edges, in the edges' order (one batch for the whole page). */
  private async ends(
    ctx: GqlContext,
    edges: CountermeasureDependencyEntity[],
    end: (d: CountermeasureDependencyEntity) => string,
  ): Promise<CountermeasureType[]> {
    const items = await ctx.loaders.countermeasure.loadMany(edges.map(end));
    return items.filter((c): c is CountermeasureEntity => !!c && !(c instanceof Error)).map(CountermeasureType.from);
  }
}
