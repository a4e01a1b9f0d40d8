import { Inject } from '@nestjs/common';
import { Args, Context, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Actor } from '@app/common';
import { Permission, type UserEntity } from '@app/identity';
import { IncidentChangesService, IncidentsService, type IncidentEventKind, type PartyKind } from '@app/incidents';
import { Allow, CurrentUser } from '../auth/access.decorators';
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
import {
  AddIncidentDataCategoryInput,
  AddIncidentEventInput,
  AddIncidentPartyInput,
  AddIncidentSystemInput,
  AddTaskForceMemberInput,
  ChangeTaskForceRoleInput,
  CreateIncidentInput,
  DesignateTaskForceChiefInput,
  RemoveTaskForceMemberInput,
  UpdateIncidentInput,
} from './dto/incident.inputs';

@Resolver(() => IncidentType)
export class IncidentsResolver {
  constructor(
    @Inject(IncidentsService) private readonly service: IncidentsService,
    @Inject(IncidentChangesService) private readonly changes: IncidentChangesService,
  ) {}

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

  // ---- changes: each returns the incident as it is now (its new version, lists and task force) ----

  /**
   * The incident after a change. The request's loaders may hold its lists from an
   * earlier mutation of the same request (mutations run in order): forget them.
   */
  private async reload(id: string, ctx: GqlContext): Promise<IncidentType> {
    for (const loader of [ctx.loaders.incidentEvents, ctx.loaders.incidentSystems, ctx.loaders.incidentDataCategories, ctx.loaders.incidentParties, ctx.loaders.taskForce]) {
      loader.clear(id);
    }
    return IncidentType.from(await this.service.getById(id));
  }

  @Allow(Permission.REMEDIATION_WRITE)
  @Mutation(() => IncidentType, { description: 'An admin or an executive; may seat the chief at once' })
  async createIncident(@Args('input') input: CreateIncidentInput, @CurrentUser() user: UserEntity): Promise<IncidentType> {
    return IncidentType.from(await this.changes.create(Actor.user(user), input));
  }

  @Allow(Permission.REMEDIATION_WRITE)
  @Mutation(() => IncidentType, { description: "Title, summary and the four dates. An admin, an executive or the incident's chief" })
  async updateIncident(@Args('input') input: UpdateIncidentInput, @CurrentUser() user: UserEntity): Promise<IncidentType> {
    const { id, expectedVersion, ...changes } = input;
    return IncidentType.from(await this.changes.update(Actor.user(user), id, expectedVersion, changes));
  }

  @Allow(Permission.REMEDIATION_WRITE)
  @Mutation(() => IncidentType, { description: "A dated event of the timeline. An admin, an executive, or a current member of the incident's task force" })
  async addIncidentEvent(@Args('input') input: AddIncidentEventInput, @CurrentUser() user: UserEntity, @Context() ctx: GqlContext): Promise<IncidentType> {
    await this.changes.addEvent(Actor.user(user), { ...input, kind: input.kind as IncidentEventKind });
    return this.reload(input.incidentId, ctx);
  }

  @Allow(Permission.REMEDIATION_WRITE)
  @Mutation(() => IncidentType, { description: "A system involved. An admin, an executive or the incident's chief" })
  async addIncidentSystem(@Args('input') input: AddIncidentSystemInput, @CurrentUser() user: UserEntity, @Context() ctx: GqlContext): Promise<IncidentType> {
    await this.changes.addSystem(Actor.user(user), input);
    return this.reload(input.incidentId, ctx);
  }

  @Allow(Permission.REMEDIATION_WRITE)
  @Mutation(() => IncidentType, { description: "A data category, leaked or confirmed not leaked. An admin, an executive or the incident's chief" })
  async addIncidentDataCategory(@Args('input') input: AddIncidentDataCategoryInput, @CurrentUser() user: UserEntity, @Context() ctx: GqlContext): Promise<IncidentType> {
    await this.changes.addDataCategory(Actor.user(user), input);
    return this.reload(input.incidentId, ctx);
  }

  @Allow(Permission.REMEDIATION_WRITE)
  @Mutation(() => IncidentType, { description: "An authority or outside party. An admin, an executive or the incident's chief" })
  async addIncidentParty(@Args('input') input: AddIncidentPartyInput, @CurrentUser() user: UserEntity, @Context() ctx: GqlContext): Promise<IncidentType> {
    await this.changes.addParty(Actor.user(user), { ...input, kind: input.kind as PartyKind });
    return this.reload(input.incidentId, ctx);
  }

  @Allow(Permission.REMEDIATION_WRITE)
  @Mutation(() => IncidentType, { description: 'The task-force chief or an admin; the user must be active and hold TASK_FORCE or EXECUTIVE' })
  async addTaskForceMember(@Args('input') input: AddTaskForceMemberInput, @CurrentUser() user: UserEntity, @Context() ctx: GqlContext): Promise<IncidentType> {
    const { incidentId, ...join } = input;
    await this.changes.addMember(Actor.user(user), incidentId, join);
    return this.reload(incidentId, ctx);
  }

  @Allow(Permission.REMEDIATION_WRITE)
  @Mutation(() => IncidentType, { description: "The task-force chief or an admin; needs the incident's version" })
  async changeTaskForceRole(@Args('input') input: ChangeTaskForceRoleInput, @CurrentUser() user: UserEntity, @Context() ctx: GqlContext): Promise<IncidentType> {
    const member = await this.changes.changeRole(Actor.user(user), input.memberId, input.expectedVersion, input.roleTitle);
    return this.reload(member.incidentId, ctx);
  }

  @Allow(Permission.REMEDIATION_WRITE)
  @Mutation(() => IncidentType, {
    description: 'The task-force chief or an admin. Sets leftOn (history is kept). Refused (CONFLICT) while the member owns open countermeasures, listed in extensions.countermeasures',
  })
  async removeTaskForceMember(@Args('input') input: RemoveTaskForceMemberInput, @CurrentUser() user: UserEntity, @Context() ctx: GqlContext): Promise<IncidentType> {
    const member = await this.changes.removeMember(Actor.user(user), input.memberId, input.leftOn);
    return this.reload(member.incidentId, ctx);
  }

  @Allow(Permission.REMEDIATION_WRITE)
  @Mutation(() => IncidentType, { description: "An admin or an executive; the previous chief stays a member. Needs the incident's version" })
  async designateTaskForceChief(@Args('input') input: DesignateTaskForceChiefInput, @CurrentUser() user: UserEntity, @Context() ctx: GqlContext): Promise<IncidentType> {
    const member = await this.changes.designateChief(Actor.user(user), input.memberId, input.expectedVersion);
    return this.reload(member.incidentId, ctx);
  }

  // ---- fields ----

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
