import { Inject } from '@nestjs/common';
import { Args, Field, ID, Mutation, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { Actor } from '@app/common';
import { AuditClearanceService, RiskAcceptancesService } from '@app/audits';
import { Permission, type SecondFactorProof, type UserEntity } from '@app/identity';
import { Allow, CurrentUser, StepUp, StepUpProof } from '../auth/access.decorators';
import { toConnection } from '../common/connection.type';
import { ExpirySweepResultType, RiskAcceptanceConnection, RiskAcceptanceType } from './audit.types';
import { AcceptFindingRiskInput, AcceptRequirementRiskInput, RevokeRiskAcceptanceInput, RiskAcceptancesArgs } from './dto/audit.inputs';

@ObjectType('AuditStanding', {
  description: 'What the promotion gate asks the audit: does a clearance stand, and which serious findings are open',
})
export class AuditStandingType {
  @Field({ description: 'A clearance of one of the incident’s engagements stands' }) cleared!: boolean;
  @Field(() => ID, { nullable: true }) clearanceId!: string | null;
  @Field(() => ID, { nullable: true }) engagementId!: string | null;
  @Field(() => String, { nullable: true }) digest!: string | null;
  @Field(() => [String], { description: 'Keys of the open CRITICAL/HIGH findings of the incident' }) openBlockingFindings!: string[];
}

@Resolver(() => RiskAcceptanceType)
export class RiskAcceptancesResolver {
  constructor(
    @Inject(RiskAcceptancesService) private readonly risks: RiskAcceptancesService,
    @Inject(AuditClearanceService) private readonly clearance: AuditClearanceService,
  ) {}

  @Allow(Permission.REMEDIATION_READ)
  @Query(() => RiskAcceptanceConnection, { description: 'Risk acceptances, newest first' })
  async riskAcceptances(@Args() args: RiskAcceptancesArgs): Promise<RiskAcceptanceConnection> {
    const page = await this.risks.list(args.filter ?? {}, args);
    const today = this.clearance.today();
    return toConnection(page, (a) => RiskAcceptanceType.from(a, today));
  }

  @Allow(Permission.REMEDIATION_READ)
  @Query(() => AuditStandingType, {
    description: 'Whether the external audit of the incident is cleared and its clearance stands; its open CRITICAL/HIGH findings',
  })
  async auditStanding(@Args('incidentId', { type: () => ID }) incidentId: string): Promise<AuditStandingType> {
    const facts = await this.clearance.gateFacts(incidentId);
    const c = facts.standingClearance;
    return {
      cleared: c !== null,
      clearanceId: c?.clearanceId ?? null,
      engagementId: c?.engagementId ?? null,
      digest: c?.digest ?? null,
      openBlockingFindings: facts.openBlockingFindings,
    };
  }

  @Allow(Permission.RISK_ACCEPT)
  @StepUp()
  @Mutation(() => RiskAcceptanceType, {
    description: 'An executive accepts the risk of an open finding until expiresOn (it becomes ACCEPTED_RISK)',
  })
  async acceptFindingRisk(
    @Args('input') input: AcceptFindingRiskInput,
    @CurrentUser() user: UserEntity,
    @StepUpProof() proof: SecondFactorProof | null,
  ): Promise<RiskAcceptanceType> {
    const { findingId, expectedVersion, ...fields } = input;
    return RiskAcceptanceType.from(
      await this.risks.acceptFinding(Actor.user(user, proof), findingId, expectedVersion, fields),
      this.clearance.today(),
    );
  }

  @Allow(Permission.RISK_ACCEPT)
  @StepUp()
  @Mutation(() => RiskAcceptanceType, {
    description: 'An executive accepts the risk of an unmet evidence requirement (recorded; the workflow does not read it yet)',
  })
  async acceptRequirementRisk(
    @Args('input') input: AcceptRequirementRiskInput,
    @CurrentUser() user: UserEntity,
    @StepUpProof() proof: SecondFactorProof | null,
  ): Promise<RiskAcceptanceType> {
    const { requirementId, ...fields } = input;
    return RiskAcceptanceType.from(
      await this.risks.acceptRequirement(Actor.user(user, proof), requirementId, fields),
      this.clearance.today(),
    );
  }

  @Allow(Permission.RISK_ACCEPT)
  @Mutation(() => RiskAcceptanceType, {
    description: 'An executive revokes a standing acceptance, with a reason; its finding is OPEN again',
  })
  async revokeRiskAcceptance(
    @Args('input') input: RevokeRiskAcceptanceInput,
    @CurrentUser() user: UserEntity,
  ): Promise<RiskAcceptanceType> {
    return RiskAcceptanceType.from(await this.risks.revoke(Actor.user(user), input.id, input.reason), this.clearance.today());
  }

  @Allow(Permission.RISK_ACCEPT)
  @Mutation(() => ExpirySweepResultType, {
    description: 'Runs the daily expiry sweep now (executives): expired acceptances end, their findings reopen',
  })
  async expireRiskAcceptances(): Promise<ExpirySweepResultType> {
    return this.risks.expireRiskAcceptances();
  }
}
