import { Inject } from '@nestjs/common';
import { Context, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import DataLoader from 'dataloader';
import { hasPermission, IdentityError, IdentityErrorCode, Permission } from '@app/identity';
import { WebhookDeliveriesService, type DeliveryWithAttempts } from '@app/promotion-gate';
import type { GqlContext } from '../common/loaders';
import { toGraphQLError } from '../graphql/to-graphql-error';
import { GateType } from './gate.types';
import { GateWebhookDeliveryType } from './gate-webhook.types';

const DELIVERIES_SHOWN = 50;
const LOADER = Symbol('gateWebhookDeliveries');
type Ctx = GqlContext & { [LOADER]?: DataLoader<string, DeliveryWithAttempts[]> };

/**
 * `PromotionGate.webhookDeliveries`: the webhook's outbox, for admins.
 *
 * The global AccessGuard runs for root operations only (field resolvers get no
 * guards unless `fieldResolverEnhancers` is set), so this field checks
 * INTEGRATIONS_MANAGE itself; anyone else gets null and a FORBIDDEN error for
 * the field, and the rest of the gate as usual.
 */
@Resolver(() => GateType)
export class GateWebhookResolver {
  constructor(@Inject(WebhookDeliveriesService) private readonly deliveries: WebhookDeliveriesService) {}

  @ResolveField(() => [GateWebhookDeliveryType], {
    nullable: true,
    description: `Admins (${Permission.INTEGRATIONS_MANAGE}): the last ${DELIVERIES_SHOWN} webhook deliveries, newest first, each with its attempts`,
  })
  async webhookDeliveries(@Parent() g: GateType, @Context() ctx: Ctx): Promise<GateWebhookDeliveryType[]> {
    const user = ctx.req?.user;
    if (!user || !hasPermission(user.roles, Permission.INTEGRATIONS_MANAGE)) {
      throw toGraphQLError(
        new IdentityError(
          IdentityErrorCode.PERMISSION_DENIED,
          `Only admins see webhook deliveries (needs ${Permission.INTEGRATIONS_MANAGE})`,
          {
            permission: Permission.INTEGRATIONS_MANAGE,
          },
        ),
        false,
      );
    }
    ctx[LOADER] ??= new DataLoader(async (ids: readonly string[]) => {
      const byGate = await this.deliveries.recentOf(ids, DELIVERIES_SHOWN);
      return ids.map((id) => byGate.get(id) ?? []);
    });
    return (await ctx[LOADER].load(g.id)).map(GateWebhookDeliveryType.from);
  }
}
