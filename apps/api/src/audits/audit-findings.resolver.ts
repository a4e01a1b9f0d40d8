import { Inject } from '@nestjs/common';
import { Args, ID, Mutation, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Actor } from '@app/common';
import { AuditClearanceService, AuditFindingsService, isFindingOpen, type FindingSeverity, type FindingStatus } from '@app/audits';
import type { CountermeasureCategory, Priority } from '@app/countermeasures';
import { Permission, type UserEntity } from '@app/identity';
import { Allow, CurrentUser } from '../auth/access.decorators';
import { toConnection } from '../common/connection.type';
import type { GqlContext } from '../common/loaders';
import { CountermeasureType } from '../countermeasures/countermeasure.types';
import {
  AuditEngagementType,
  AuditFindingConnection,
  AuditFindingType,
  CountermeasureFromFindingPayload,
  RiskAcceptanceType,
} from './audit.types';
import {
  AuditFindingsArgs,
  CreateCountermeasureFromFindingInput,
  RaiseAuditFindingInput,
  ReopenAuditFindingInput,
  ResolveAuditFindingInput,
} from './dto/audit.inputs';

@Resolver(() => AuditFindingType)
export class AuditFindingsResolver {
  constructor(
    @Inject(AuditFindingsService) private readonly findings: AuditFindingsService,
    @Inject(AuditClearanceService) private readonly clearance: AuditClearanceService,
  ) {}

  @Allow(Permission.REMEDIATION_READ)
  @Query(() => AuditFindingConnection, { description: 'Audit findings by number (F-001 first)' })
  async auditFindings(@Args() args: AuditFindingsArgs): Promise<AuditFindingConnection> {
    const f = args.filter ?? {};
    const page = await this.findings.list(
      { ...f, statuses: f.statuses as FindingStatus[] | null, severities: f.severities as FindingSeverity[] | null },
      args,
    );
    return toConnection(page, AuditFindingType.from);
  }

  @Allow(Permission.REMEDIATION_READ)
  @Query(() => AuditFindingType)
  async auditFinding(@Args('id', { type: () => ID }) id: string): Promise<AuditFindingType> {
    return AuditFindingType.from(await this.findings.getById(id));
  }

  @Allow(Permission.AUDIT_CONDUCT)
  @Mutation(() => AuditFindingType, {
    description: 'The lead auditor or a team member; a CRITICAL/HIGH finding withdraws a standing clearance of the incident',
  })
  async raiseAuditFinding(@Args('input') input: RaiseAuditFindingInput, @CurrentUser() user: UserEntity): Promise<AuditFindingType> {
    return AuditFindingType.from(await this.findings.raise(Actor.user(user), { ...input, severity: input.severity as FindingSeverity }));
  }

  @Allow(Permission.AUDIT_CONDUCT)
  @Mutation(() => AuditFindingType, { description: 'The lead auditor or the finding’s author, with a note' })
  async resolveAuditFinding(@Args('input') input: ResolveAuditFindingInput, @CurrentUser() user: UserEntity): Promise<AuditFindingType> {
    return AuditFindingType.from(await this.findings.resolve(Actor.user(user), input.id, input.expectedVersion, input.note));
  }

  @Allow(Permission.AUDIT_CONDUCT)
  @Mutation(() => AuditFindingType, { description: 'The lead auditor or the finding’s author, with a reason; may withdraw a clearance' })
  async reopenAuditFinding(@Args('input') input: ReopenAuditFindingInput, @CurrentUser() user: UserEntity): Promise<AuditFindingType> {
    return AuditFindingType.from(await this.findings.reopen(Actor.user(user), input.id, input.expectedVersion, input.reason));
  }

  @Allow(Permission.REMEDIATION_WRITE)
  @Mutation(() => CountermeasureFromFindingPayload, {
    description: 'The task-force chief or an admin: a new countermeasure from a finding, linked to it',
  })
  async createCountermeasureFromFinding(
    @Args('input') input: CreateCountermeasureFromFindingInput,
    @CurrentUser() user: UserEntity,
  ): Promise<CountermeasureFromFindingPayload> {
    const c = input.countermeasure;
    const { finding, countermeasure } = await this.findings.createCountermeasure(Actor.user(user), input.findingId, input.expectedVersion, {
      ...c,
      category: c.category as CountermeasureCategory,
      priority: c.priority as Priority,
    });
    return { finding: AuditFindingType.from(finding), countermeasureId: countermeasure.id };
  }

  @ResolveField(() => Boolean, { description: 'OPEN, or ACCEPTED_RISK whose acceptance has expired' })
  async open(f: AuditFindingType, _args: unknown, ctx: GqlContext): Promise<boolean> {
    const standing = (await ctx.loaders.audits.findingAcceptances.load(f.id)).find((a) => a.endedAt === null);
    return isFindingOpen({ status: f.status as FindingStatus, acceptanceExpiresOn: standing?.expiresOn ?? null }, this.clearance.today());
  }

  @ResolveField(() => AuditEngagementType, { nullable: true })
  async engagement(f: AuditFindingType, _args: unknown, ctx: GqlContext): Promise<AuditEngagementType | null> {
    const e = await ctx.loaders.audits.engagement.load(f.engagementId);
    return e ? AuditEngagementType.from(e) : null;
  }

  @ResolveField(() => CountermeasureType, { nullable: true, description: 'The countermeasure it concerns (or the one created from it)' })
  async countermeasure(f: AuditFindingType, _args: unknown, ctx: GqlContext): Promise<CountermeasureType | null> {
    if (!f.countermeasureId) return null;
    const cm = await ctx.loaders.countermeasure.load(f.countermeasureId);
    return cm ? CountermeasureType.from(cm) : null;
  }

  @ResolveField(() => [RiskAcceptanceType], { description: 'Every risk acceptance of this finding, oldest first' })
  async riskAcceptances(f: AuditFindingType, _args: unknown, ctx: GqlContext): Promise<RiskAcceptanceType[]> {
    const today = this.clearance.today();
    return (await ctx.loaders.audits.findingAcceptances.load(f.id)).map((a) => RiskAcceptanceType.from(a, today));
  }
}
