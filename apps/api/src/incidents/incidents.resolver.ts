import { Inject } from '@nestjs/common';
import { Args, Context, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Permission } from '@app/identity';
import { IncidentsService } from '@app/incidents';
import { Allow } from '../auth/access.decorators';
import { toConnection } from '../common/connection.type';
import type { GqlContext } from '../common/loaders';
import { UserType } from '../identity/user.type';
import {
  IncidentArgs,
  IncidentConnection,
  IncidentDataCategoryType,
  IncidentEventType,
  IncidentPartyType,
  IncidentsArgs,
  IncidentSystemType,
  IncidentType,
  TaskForceMemberType,
} from './incident.types';

@Resolver(() => IncidentType)
export class IncidentsResolver {
  constructor(@Inject(IncidentsService) private readonly service: IncidentsService) {}

  @Allow(Permission.REMEDIATION_READ)
  @Query(() => IncidentConnection)
  async incidents(@Args() args: IncidentsArgs): Promise<IncidentConnection> {
    return toConnection(await this.service.list(args), IncidentType.from);
  }

  @Allow(Permission.REMEDIATION_READ)
  @Query(() => IncidentType)
  async incident(@Args() args: IncidentArgs): Promise<IncidentType> {
    return IncidentType.from(await this.service.getById(args.id));
  }

  @ResolveField(() => [IncidentEventType], { description: 'The timeline, oldest first' })
  timeline(@Parent() i: IncidentType, @Context() ctx: GqlContext) {
    return ctx.loaders.incidentEvents.load(i.id);
  }

  @ResolveField(() => [IncidentSystemType])
  systems(@Parent() i: IncidentType, @Context() ctx: GqlContext) {
    return ctx.loaders.incidentSystems.load(i.id);
  }

  @ResolveField(() => [IncidentDataCategoryType], { description: 'Leaked first, then confirmed not leaked' })
  dataCategories(@Parent() i: IncidentType, @Context() ctx: GqlContext) {
    return ctx.loaders.incidentDataCategories.load(i.id);
  }

  @ResolveField(() => [IncidentPartyType])
  parties(@Parent() i: IncidentType, @Context() ctx: GqlContext) {
    return ctx.loaders.incidentParties.load(i.id);
  }

  @ResolveField(() => [TaskForceMemberType], { description: 'Current and past members, the chief first' })
  taskForce(@Parent() i: IncidentType, @Context() ctx: GqlContext) {
    return ctx.loaders.taskForce.load(i.id);
  }
}

@Resolver(() => TaskForceMemberType)
export class TaskForceMemberResolver {
  @ResolveField(() => UserType, { nullable: true })
  async user(@Parent() m: TaskForceMemberType, @Context() ctx: GqlContext): Promise<UserType | null> {
    const u = await ctx.loaders.user.load(m.userId);
    return u ? UserType.from(u) : null;
  }
}
