import { Inject } from '@nestjs/common';
import { Args, ID, Mutation, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Actor } from '@app/common';
import { allowedEngagementMoves, AuditClearanceService, AuditEngagementsService, type EngagementStatus } from '@app/audits';
import type { CountermeasureEntity } from '@app/countermeasures';
import { Permission, type SecondFactorProof, type UserEntity } from '@app/identity';
import type { IncidentSystemEntity } from '@app/incidents';
import { Allow, CurrentUser, StepUp, StepUpProof } from '../auth/access.decorators';
import { toConnection } from '../common/connection.type';
import type { GqlContext } from '../common/loaders';
import { CountermeasureType } from '../countermeasures/countermeasure.types';
import { UserType } from '../identity/user.type';
import { IncidentSystemType } from '../incidents/incident.types';
import {
  AuditClearanceType,
  AuditEngagementConnection,
  AuditEngagementStatusEnum,
  AuditEngagementTransitionType,
  AuditEngagementType,
  AuditFindingType,
} from './audit.types';
import {
  AuditEngagementsArgs,
  ClearAuditInput,
  CreateAuditEngagementInput,
  MoveAuditEngagementInput,
  UpdateAuditEngagementInput,
} from './dto/audit.inputs';

const present = <T>(x: T | null | Error | undefined): x is T => !!x && !(x instanceof Error);

@Resolver(() => AuditEngagementType)
export class AuditEngagementsResolver {
  constructor(
    @Inject(AuditEngagementsService) private readonly engagements: AuditEngagementsService,
    @Inject(AuditClearanceService) private readonly clearance: AuditClearanceService,
  ) {}

  @Allow(Permission.REMEDIATION_READ)
  @Query(() => AuditEngagementConnection, { description: 'External audit engagements, newest first' })
  async auditEngagements(@Args() args: AuditEngagementsArgs): Promise<AuditEngagementConnection> {
    const f = args.filter ?? {};
    const page = await this.engagements.list({ incidentId: f.incidentId, statuses: f.statuses as EngagementStatus[] | null }, args);
    return toConnection(page, AuditEngagementType.from);
  }

  @Allow(Permission.REMEDIATION_READ)
  @Query(() => AuditEngagementType)
  async auditEngagement(@Args('id', { type: () => ID }) id: string): Promise<AuditEngagementType> {
    return AuditEngagementType.from(await this.engagements.getById(id));
  }

  @Allow(Permission.REMEDIATION_WRITE)
  @Mutation(() => AuditEngagementType, { description: 'The task-force chief or an admin commissions an external audit (PLANNED)' })
  async createAuditEngagement(
    @Args('input') input: CreateAuditEngagementInput,
    @CurrentUser() user: UserEntity,
  ): Promise<AuditEngagementType> {
    return AuditEngagementType.from(await this.engagements.create(Actor.user(user), input));
  }

  @Allow(Permission.AUDIT_CONDUCT)
  @Mutation(() => AuditEngagementType, { description: 'The lead auditor: title, firm, dates, team, scope (not once concluded)' })
  async updateAuditEngagement(
    @Args('input') input: UpdateAuditEngagementInput,
    @CurrentUser() user: UserEntity,
  ): Promise<AuditEngagementType> {
    const { id, expectedVersion, ...changes } = input;
    return AuditEngagementType.from(await this.engagements.update(Actor.user(user), id, expectedVersion, changes));
  }

  @Allow(Permission.AUDIT_CONDUCT)
  @Mutation(() => AuditEngagementType, { description: 'The lead auditor moves the engagement; CLEARED only through clearAudit' })
  async moveAuditEngagement(@Args('input') input: MoveAuditEngagementInput, @CurrentUser() user: UserEntity): Promise<AuditEngagementType> {
    const e = await this.engagements.move(
      Actor.user(user),
      input.id,
      input.expectedVersion,
      input.to as EngagementStatus,
      input.statement ?? null,
    );
    return AuditEngagementType.from(e);
  }

  @Allow(Permission.AUDIT_CONDUCT)
  @StepUp()
  @Mutation(() => AuditClearanceType, {
    description:
      'The lead auditor clears (from REPORTING): every in-scope countermeasure VERIFIED/OPERATING, no open CRITICAL/HIGH finding of the incident',
  })
  async clearAudit(
    @Args('input') input: ClearAuditInput,
    @CurrentUser() user: UserEntity,
    @StepUpProof() proof: SecondFactorProof | null,
  ): Promise<AuditClearanceType> {
    return AuditClearanceType.from(
      await this.clearance.clear(Actor.user(user, proof), input.engagementId, input.expectedVersion, input.statement),
    );
  }

  @ResolveField(() => UserType, { nullable: true, description: 'The lead auditor' })
  async lead(e: AuditEngagementType, _args: unknown, ctx: GqlContext): Promise<UserType | null> {
    const u = await ctx.loaders.user.load(e.leadAuditorId);
    return u ? UserType.from(u) : null;
  }

  @ResolveField(() => [UserType], { description: 'The auditors of the team (the lead not included)' })
  async team(e: AuditEngagementType, _args: unknown, ctx: GqlContext): Promise<UserType[]> {
    const rows = await ctx.loaders.audits.team.load(e.id);
    return (await ctx.loaders.user.loadMany(rows.map((r) => r.userId))).filter(present<UserEntity>).map(UserType.from);
  }

  @ResolveField(() => [CountermeasureType], { description: 'The countermeasures audited, by key' })
  async scopeCountermeasures(e: AuditEngagementType, _args: unknown, ctx: GqlContext): Promise<CountermeasureType[]> {
    const rows = await ctx.loaders.audits.scopeCountermeasures.load(e.id);
    const cms = (await ctx.loaders.countermeasure.loadMany(rows.map((r) => r.countermeasureId))).filter(present<CountermeasureEntity>);
    return cms.sort((a, b) => a.seq - b.seq).map(CountermeasureType.from);
  }

  @ResolveField(() => [IncidentSystemType], { description: 'The systems audited' })
  async scopeSystems(e: AuditEngagementType, _args: unknown, ctx: GqlContext): Promise<IncidentSystemType[]> {
    const rows = await ctx.loaders.audits.scopeSystems.load(e.id);
    const systems = (await ctx.loaders.system.loadMany(rows.map((r) => r.systemId))).filter(present<IncidentSystemEntity>);
    return systems.sort((a, b) => a.name.localeCompare(b.name));
  }

  @ResolveField(() => [AuditEngagementTransitionType], {
    description: 'Every status change, oldest first; withdrawals say what broke the clearance',
  })
  async history(e: AuditEngagementType, _args: unknown, ctx: GqlContext): Promise<AuditEngagementTransitionType[]> {
    return (await ctx.loaders.audits.history.load(e.id)).map(AuditEngagementTransitionType.from);
  }

  @ResolveField(() => [AuditClearanceType], { description: 'Every clearance, withdrawn ones included, oldest first' })
  async clearances(e: AuditEngagementType, _args: unknown, ctx: GqlContext): Promise<AuditClearanceType[]> {
    return (await ctx.loaders.audits.clearances.load(e.id)).map(AuditClearanceType.from);
  }

  @ResolveField(() => AuditClearanceType, { nullable: true, description: 'The clearance that stands, if any' })
  async currentClearance(e: AuditEngagementType, _args: unknown, ctx: GqlContext): Promise<AuditClearanceType | null> {
    const standing = (await ctx.loaders.audits.clearances.load(e.id)).find((c) => c.withdrawnAt === null);
    return standing ? AuditClearanceType.from(standing) : null;
  }

  @ResolveField(() => [AuditFindingType], {
    description: 'The findings of this engagement, by number (see auditFindings for a paginated, filtered list)',
  })
  async findings(e: AuditEngagementType, _args: unknown, ctx: GqlContext): Promise<AuditFindingType[]> {
    return (await ctx.loaders.audits.findings.load(e.id)).map(AuditFindingType.from);
  }

  @ResolveField(() => [AuditEngagementStatusEnum], { description: 'Moves the lead auditor can make now (CLEARED: see clearAudit)' })
  nextStatuses(e: AuditEngagementType): string[] {
    return [...allowedEngagementMoves(e.status as EngagementStatus)];
  }
}
