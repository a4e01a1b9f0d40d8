import type DataLoader from 'dataloader';
import type { BreachFilingEntity, BreachFilingsService, NoticeCampaignEntity, NoticeCampaignsService } from '@app/duties';
import { grouped } from '../common/loader-helpers';
import type { GqlContext } from '../common/loaders';

/**
 * Per-request DataLoaders for a breach-notification record's lists (filings, notice campaigns), created on first use
 * and tied to the request's context: records asked for under several aliases cost one query per list.
 */
export interface BreachLoaders {
  filings: DataLoader<string, BreachFilingEntity[]>;
  campaigns: DataLoader<string, NoticeCampaignEntity[]>;
}

const perRequest = new WeakMap<GqlContext, BreachLoaders>();

export function breachLoaders(ctx: GqlContext, filings: BreachFilingsService, campaigns: NoticeCampaignsService): BreachLoaders {
  let loaders = perRequest.get(ctx);
  if (!loaders) {
    loaders = {
      filings: grouped(
        (ids) => filings.ofRecords(ids),
        (f) => f.notificationId,
      ),
      campaigns: grouped(
        (ids) => campaigns.ofRecords(ids),
        (c) => c.notificationId,
      ),
    };
    perRequest.set(ctx, loaders);
  }
  return loaders;
}
