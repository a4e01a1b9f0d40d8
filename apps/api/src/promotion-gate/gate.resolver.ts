import { Inject } from '@nestjs/common';
import { Args, ID, Mutation, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Actor } from '@app/common';
import { Permission, type SecondFactorProof, type UserEntity } from '@app/identity';
import { PromotionGateService } from '@app/promotion-gate';
import { Allow, CurrentUser, StepUp, StepUpProof } from '../auth/access.decorators';
import type { GqlContext } from '../common/loaders';
import { ConfigureGateWebhookInput, CreateGateInput, GateChangeType, GateDecisionInput, GateType, PromotionCheckType } from './gate.types';

@Resolver(() => GateType)
export class GateResolver {
  constructor(@Inject(PromotionGateService) private readonly service: PromotionGateService) {}

  @Allow(Permission.GATE_READ)
  @Query(() => GateType, { description: 'A gate by key: its state and, when SUSPENDED, why (blockers)' })
  async gate(@Args('key') key: string): Promise<GateType> {
    return GateType.from(await this.service.getByKey(key));
  }

  @Allow(Permission.GATE_READ)
  @Query(() => [GateType], { description: 'Every gate (of an incident)' })
  async gates(@Args('incidentId', { type: () => ID, nullable: true }) incidentId?: string | null): Promise<GateType[]> {
    return (await this.service.list(incidentId)).map(GateType.from);
  }

  @Allow(Permission.GATE_READ)
  @Query(() => PromotionCheckType, { description: 'For promotion systems (API keys too): may promotion run now?' })
  async canPromote(@Args('gate') gate: string): Promise<PromotionCheckType> {
    const r = await this.service.canPromote(gate);
    return { key: r.key, state: r.state, canPromote: r.canPromote, since: r.since };
  }

  @Allow(Permission.GATE_CREATE)
  @Mutation(() => GateType, { description: 'Executives and admins: a gate, created SUSPENDED with a reason' })
  async createGate(@Args('input') input: CreateGateInput, @CurrentUser() user: UserEntity): Promise<GateType> {
    return GateType.from(await this.service.create(Actor.user(user), input));
  }

  @Allow(Permission.GATE_DECIDE)
  @StepUp()
  @Mutation(() => GateType, {
    description: 'The chief (or an executive the gate names), not the clearing auditor: ELIGIBLE → OPEN with a statement',
  })
  async authorizeGateReopening(
    @Args('input') input: GateDecisionInput,
    @CurrentUser() user: UserEntity,
    @StepUpProof() proof: SecondFactorProof | null,
  ): Promise<GateType> {
    return GateType.from(await this.service.authorize(Actor.user(user, proof), input.key, input.expectedVersion, input.statement));
  }

  @Allow(Permission.GATE_DECIDE)
  @Mutation(() => GateType, { description: 'Executives: suspend by hand at any time (a hold), with a reason' })
  async suspendGate(@Args('input') input: GateDecisionInput, @CurrentUser() user: UserEntity): Promise<GateType> {
    return GateType.from(await this.service.hold(Actor.user(user), input.key, input.expectedVersion, input.statement));
  }

  @Allow(Permission.GATE_DECIDE)
  @Mutation(() => GateType, {
    description: 'Executives: release a hand hold; the gate follows the rules again (reopening still needs an authorization)',
  })
  async releaseGateHold(@Args('input') input: GateDecisionInput, @CurrentUser() user: UserEntity): Promise<GateType> {
    return GateType.from(await this.service.releaseHold(Actor.user(user), input.key, input.expectedVersion, input.statement));
  }

  @Allow(Permission.INTEGRATIONS_MANAGE)
  @Mutation(() => GateType, { description: 'Admins: the outbound webhook of a gate (URL and HMAC secret), or none' })
  async configureGateWebhook(@Args('input') input: ConfigureGateWebhookInput, @CurrentUser() user: UserEntity): Promise<GateType> {
    return GateType.from(
      await this.service.configureWebhook(
        Actor.user(user),
        input.key,
        input.url ?? null,
        input.secret ?? null,
        input.expectedWebhookVersion,
      ),
    );
  }

  @ResolveField(() => [GateChangeType], { description: 'Every state change, oldest first' })
  async history(g: GateType, _args: unknown, ctx: GqlContext): Promise<GateChangeType[]> {
    return (await ctx.loaders.gateHistory.load(g.id)).map(GateChangeType.from);
  }
}
