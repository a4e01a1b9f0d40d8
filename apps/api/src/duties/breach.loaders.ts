import type DataLoader from 'dataloader';
import type {
  BreachFilingEntity,
  BreachFilingsService,
  BreachNotificationsService,
  DeadlineView,
  NoticeCampaignEntity,
  NoticeCampaignsService,
} from '@app/duties';
import { Loader } from '../common/loader-helpers';
import { grouped } from '../common/loader-helpers';
import type { GqlContext } from '../common/loaders';

/**
 * Per-request DataLoaders for a breach-notification record's lists (filings, notice campaigns), created on first use
 * and tied to the request's context: records asked for under several aliases cost one query per list.
 */
export interface BreachLoaders {
  filings: DataLoader<string, BreachFilingEntity[]>;
  campaigns: DataLoader<string, NoticeCampaignEntity[]>;
  /** A record's deadlines as they stand, by record id (a draft filing's due day). */
  deadlines: DataLoader<string, DeadlineView[]>;
}

export interface BreachServices {
  records: BreachNotificationsService;
  filings: BreachFilingsService;
  campaigns: NoticeCampaignsService;
}

const perRequest = new WeakMap<GqlContext, BreachLoaders>();

export function breachLoaders(ctx: GqlContext, { records, filings, campaigns }: BreachServices): BreachLoaders {
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
      deadlines: new Loader<string, DeadlineView[]>(async (ids) =>
        Promise.all(ids.map(async (id) => (await records.view(await records.byId(id))).deadlines)),
      ),
    };
    perRequest.set(ctx, loaders);
  }
  return loaders;
}
