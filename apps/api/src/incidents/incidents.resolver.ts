import { Inject } from '@nestjs/common';
import { Args, Context, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Actor } from '@app/common';
import { Permission, type UserEntity } from '@app/identity';
import { IncidentChangesService, IncidentsService, type IncidentEventKind, type PartyKind } from '@app/incidents';
import { Allow, CurrentUser } from '../auth/access.decorators';
import { toConnection } from '../common/connection.type';
import type { GqlContext } from '../common/loaders';
import { UserType } from '../identity/user.type';
import { incidentHistoryLoaders } from './incident-history.loaders';
import {
  IncidentArgs,
  IncidentConnection,
  IncidentEntriesArgs,
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
  SetTaskForceLegalLeadInput,
  RemoveIncidentDataCategoryInput,
  RemoveIncidentEventInput,
  RemoveIncidentPartyInput,
  RemoveIncidentSystemInput,
  RemoveTaskForceMemberInput,
  UpdateIncidentDataCategoryInput,
  UpdateIncidentEventInput,
  UpdateIncidentInput,
  UpdateIncidentPartyInput,
  UpdateIncidentSystemInput,
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
    for (const loader of [
      ctx.loaders.incidentEvents,
      ctx.loaders.incidentSystems,
      ctx.loaders.incidentDataCategories,
      ctx.loaders.incidentParties,
      ctx.loaders.taskForce,
    ]) {
      loader.clear(id);
    }
    const history = incidentHistoryLoaders(ctx, this.service);
    for (const loader of [history.events, history.systems, history.dataCategories, history.parties]) loader.clear(id);
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
  @Mutation(() => IncidentType, {
    description: "A dated event of the timeline. An admin, an executive, or a current member of the incident's task force",
  })
  async addIncidentEvent(
    @Args('input') input: AddIncidentEventInput,
    @CurrentUser() user: UserEntity,
    @Context() ctx: GqlContext,
  ): Promise<IncidentType> {
    await this.changes.addEvent(Actor.user(user), { ...input, kind: input.kind as IncidentEventKind });
    return this.reload(input.incidentId, ctx);
  }

  @Allow(Permission.REMEDIATION_WRITE)
  @Mutation(() => IncidentType, { description: "A system involved. An admin, an executive or the incident's chief" })
  async addIncidentSystem(
    @Args('input') input: AddIncidentSystemInput,
    @CurrentUser() user: UserEntity,
    @Context() ctx: GqlContext,
  ): Promise<IncidentType> {
    await this.changes.addSystem(Actor.user(user), input);
    return this.reload(input.incidentId, ctx);
  }

  @Allow(Permission.REMEDIATION_WRITE)
  @Mutation(() => IncidentType, {
    description: "A data category, leaked or confirmed not leaked. An admin, an executive or the incident's chief",
  })
  async addIncidentDataCategory(
    @Args('input') input: AddIncidentDataCategoryInput,
    @CurrentUser() user: UserEntity,
    @Context() ctx: GqlContext,
  ): Promise<IncidentType> {
    await this.changes.addDataCategory(Actor.user(user), input);
    return this.reload(input.incidentId, ctx);
  }

  @Allow(Permission.REMEDIATION_WRITE)
  @Mutation(() => IncidentType, { description: "An authority or outside party. An admin, an executive or the incident's chief" })
  async addIncidentParty(
    @Args('input') input: AddIncidentPartyInput,
    @CurrentUser() user: UserEntity,
    @Context() ctx: GqlContext,
  ): Promise<IncidentType> {
    await this.changes.addParty(Actor.user(user), { ...input, kind: input.kind as PartyKind });
    return this.reload(input.incidentId, ctx);
  }

  // Corrections and removals: the incident's version and a reason; nothing is deleted (a removed
  // entry stays, hidden from the lists unless includeRemoved), and the trail keeps before and after.

  @Allow(Permission.REMEDIATION_WRITE)
  @Mutation(() => IncidentType, {
    description: "Corrects an event of the timeline (with a reason and the incident's version). Whoever may add events",
  })
  async updateIncidentEvent(
    @Args('input') input: UpdateIncidentEventInput,
    @CurrentUser() user: UserEntity,
    @Context() ctx: GqlContext,
  ): Promise<IncidentType> {
    const { eventId, kind, ...rest } = input;
    await this.changes.updateEvent(Actor.user(user), { ...rest, id: eventId, kind: kind as IncidentEventKind | null | undefined });
    return this.reload(input.incidentId, ctx);
  }

  @Allow(Permission.REMEDIATION_WRITE)
  @Mutation(() => IncidentType, {
    description:
      "Corrects a system of the inventory (with a reason and the incident's version). An admin, an executive or the incident's chief",
  })
  async updateIncidentSystem(
    @Args('input') input: UpdateIncidentSystemInput,
    @CurrentUser() user: UserEntity,
    @Context() ctx: GqlContext,
  ): Promise<IncidentType> {
    const { systemId, ...rest } = input;
    await this.changes.updateSystem(Actor.user(user), { ...rest, id: systemId });
    return this.reload(input.incidentId, ctx);
  }

  @Allow(Permission.REMEDIATION_WRITE)
  @Mutation(() => IncidentType, {
    description: "Corrects a data category (with a reason and the incident's version). An admin, an executive or the incident's chief",
  })
  async updateIncidentDataCategory(
    @Args('input') input: UpdateIncidentDataCategoryInput,
    @CurrentUser() user: UserEntity,
    @Context() ctx: GqlContext,
  ): Promise<IncidentType> {
    const { dataCategoryId, ...rest } = input;
    await this.changes.updateDataCategory(Actor.user(user), { ...rest, id: dataCategoryId });
    return this.reload(input.incidentId, ctx);
  }

  @Allow(Permission.REMEDIATION_WRITE)
  @Mutation(() => IncidentType, {
    description: "Corrects a party (with a reason and the incident's version). An admin, an executive or the incident's chief",
  })
  async updateIncidentParty(
    @Args('input') input: UpdateIncidentPartyInput,
    @CurrentUser() user: UserEntity,
    @Context() ctx: GqlContext,
  ): Promise<IncidentType> {
    const { partyId, kind, ...rest } = input;
    await this.changes.updateParty(Actor.user(user), { ...rest, id: partyId, kind: kind as PartyKind | null | undefined });
    return this.reload(input.incidentId, ctx);
  }

  @Allow(Permission.REMEDIATION_WRITE)
  @Mutation(() => IncidentType, {
    description: 'Removes an event from the timeline; it stays as history (timeline(includeRemoved: true)). Whoever may add events',
  })
  async removeIncidentEvent(
    @Args('input') input: RemoveIncidentEventInput,
    @CurrentUser() user: UserEntity,
    @Context() ctx: GqlContext,
  ): Promise<IncidentType> {
    const { eventId, ...rest } = input;
    await this.changes.removeEvent(Actor.user(user), { ...rest, id: eventId });
    return this.reload(input.incidentId, ctx);
  }

  @Allow(Permission.REMEDIATION_WRITE)
  @Mutation(() => IncidentType, {
    description:
      "Removes a system from the inventory; it stays as history. Refused (CONFLICT) while countermeasures target it, listed in extensions.countermeasures. An admin, an executive or the incident's chief",
  })
  async removeIncidentSystem(
    @Args('input') input: RemoveIncidentSystemInput,
    @CurrentUser() user: UserEntity,
    @Context() ctx: GqlContext,
  ): Promise<IncidentType> {
    const { systemId, ...rest } = input;
    await this.changes.removeSystem(Actor.user(user), { ...rest, id: systemId });
    return this.reload(input.incidentId, ctx);
  }

  @Allow(Permission.REMEDIATION_WRITE)
  @Mutation(() => IncidentType, {
    description: "Removes a data category; it stays as history. An admin, an executive or the incident's chief",
  })
  async removeIncidentDataCategory(
    @Args('input') input: RemoveIncidentDataCategoryInput,
    @CurrentUser() user: UserEntity,
    @Context() ctx: GqlContext,
  ): Promise<IncidentType> {
    const { dataCategoryId, ...rest } = input;
    await this.changes.removeDataCategory(Actor.user(user), { ...rest, id: dataCategoryId });
    return this.reload(input.incidentId, ctx);
  }

  @Allow(Permission.REMEDIATION_WRITE)
  @Mutation(() => IncidentType, { description: "Removes a party; it stays as history. An admin, an executive or the incident's chief" })
  async removeIncidentParty(
    @Args('input') input: RemoveIncidentPartyInput,
    @CurrentUser() user: UserEntity,
    @Context() ctx: GqlContext,
  ): Promise<IncidentType> {
    const { partyId, ...rest } = input;
    await this.changes.removeParty(Actor.user(user), { ...rest, id: partyId });
    return this.reload(input.incidentId, ctx);
  }

  @Allow(Permission.REMEDIATION_WRITE)
  @Mutation(() => IncidentType, {
    description: 'The task-force chief or an admin; the user must be active and hold TASK_FORCE or EXECUTIVE',
  })
  async addTaskForceMember(
    @Args('input') input: AddTaskForceMemberInput,
    @CurrentUser() user: UserEntity,
    @Context() ctx: GqlContext,
  ): Promise<IncidentType> {
    const { incidentId, ...join } = input;
    await this.changes.addMember(Actor.user(user), incidentId, join);
    return this.reload(incidentId, ctx);
  }

  @Allow(Permission.REMEDIATION_WRITE)
  @Mutation(() => IncidentType, { description: "The task-force chief or an admin; needs the incident's version" })
  async changeTaskForceRole(
    @Args('input') input: ChangeTaskForceRoleInput,
    @CurrentUser() user: UserEntity,
    @Context() ctx: GqlContext,
  ): Promise<IncidentType> {
    const member = await this.changes.changeRole(Actor.user(user), input.memberId, input.expectedVersion, input.roleTitle);
    return this.reload(member.incidentId, ctx);
  }

  @Allow(Permission.REMEDIATION_WRITE)
  @Mutation(() => IncidentType, {
    description:
      'The task-force chief or an admin. Sets leftOn (history is kept). Refused (CONFLICT) while the member owns open countermeasures, listed in extensions.countermeasures',
  })
  async removeTaskForceMember(
    @Args('input') input: RemoveTaskForceMemberInput,
    @CurrentUser() user: UserEntity,
    @Context() ctx: GqlContext,
  ): Promise<IncidentType> {
    const member = await this.changes.removeMember(Actor.user(user), input.memberId, input.leftOn);
    return this.reload(member.incidentId, ctx);
  }

  @Allow(Permission.REMEDIATION_WRITE)
  @Mutation(() => IncidentType, {
    description: "An admin or an executive; the previous chief stays a member. Needs the incident's version",
  })
  async designateTaskForceChief(
    @Args('input') input: DesignateTaskForceChiefInput,
    @CurrentUser() user: UserEntity,
    @Context() ctx: GqlContext,
  ): Promise<IncidentType> {
    const member = await this.changes.designateChief(Actor.user(user), input.memberId, input.expectedVersion);
    return this.reload(member.incidentId, ctx);
  }

  @Allow(Permission.REMEDIATION_WRITE)
  @Mutation(() => IncidentType, {
    description:
      "Grants or withdraws a member's legal-lead standing: they then prepare and submit this incident's PPC reports, as the chief and executives do. Executives, admins and the chief; needs the incident's version",
  })
  async setTaskForceLegalLead(
    @Args('input') input: SetTaskForceLegalLeadInput,
    @CurrentUser() user: UserEntity,
    @Context() ctx: GqlContext,
  ): Promise<IncidentType> {
    const member = await this.changes.setLegalLead(Actor.user(user), input.memberId, input.expectedVersion, input.legalLead);
    return this.reload(member.incidentId, ctx);
  }

  // ---- fields ----

  @ResolveField(() => [IncidentEventType], { description: 'The timeline, oldest first; removed events only with includeRemoved' })
  timeline(@Parent() i: IncidentType, @Args() args: IncidentEntriesArgs, @Context() ctx: GqlContext) {
    return (args.includeRemoved ? incidentHistoryLoaders(ctx, this.service).events : ctx.loaders.incidentEvents).load(i.id);
  }

  @ResolveField(() => [IncidentSystemType], { description: 'By name; removed systems only with includeRemoved' })
  systems(@Parent() i: IncidentType, @Args() args: IncidentEntriesArgs, @Context() ctx: GqlContext) {
    return (args.includeRemoved ? incidentHistoryLoaders(ctx, this.service).systems : ctx.loaders.incidentSystems).load(i.id);
  }

  @ResolveField(() => [IncidentDataCategoryType], {
    description: 'Leaked first, then confirmed not leaked; removed ones only with includeRemoved',
  })
  dataCategories(@Parent() i: IncidentType, @Args() args: IncidentEntriesArgs, @Context() ctx: GqlContext) {
    return (args.includeRemoved ? incidentHistoryLoaders(ctx, this.service).dataCategories : ctx.loaders.incidentDataCategories).load(i.id);
  }

  @ResolveField(() => [IncidentPartyType], { description: 'Removed parties only with includeRemoved' })
  parties(@Parent() i: IncidentType, @Args() args: IncidentEntriesArgs, @Context() ctx: GqlContext) {
    return (args.includeRemoved ? incidentHistoryLoaders(ctx, this.service).parties : ctx.loaders.incidentParties).load(i.id);
  }

  @ResolveField(() => [TaskForceMemberType], { description: 'Current and past members, the chief first' })
  taskForce(i: IncidentType, _args: unknown, ctx: GqlContext) {
    return ctx.loaders.taskForce.load(i.id);
  }
}

@Resolver(() => TaskForceMemberType)
export class TaskForceMemberResolver {
  @ResolveField(() => UserType, { nullable: true })
  async user(m: TaskForceMemberType, _args: unknown, ctx: GqlContext): Promise<UserType | null> {
    const u = await ctx.loaders.user.load(m.userId);
    return u ? UserType.from(u) : null;
  }
}
