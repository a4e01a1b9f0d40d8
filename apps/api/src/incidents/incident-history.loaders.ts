import type DataLoader from 'dataloader';
import { grouped } from '../common/loader-helpers';
import type {
  IncidentDataCategoryEntity,
  IncidentEventEntity,
  IncidentPartyEntity,
  IncidentsService,
  IncidentSystemEntity,
} from '@app/incidents';
import type { GqlContext } from '../common/loaders';

/**
 * Per-request DataLoaders for the incident lists with their removed entries
 * (`timeline(includeRemoved: true)` ...). The lists without them use the
 * request's shared loaders (ctx.loaders). These are created on first use and
 * tied to the request's context object, so they live and die with the request
 * like the others, and a page of incidents still costs one query per list.
 */
export interface IncidentHistoryLoaders {
  events: DataLoader<string, IncidentEventEntity[]>;
  systems: DataLoader<string, IncidentSystemEntity[]>;
  dataCategories: DataLoader<string, IncidentDataCategoryEntity[]>;
  parties: DataLoader<string, IncidentPartyEntity[]>;
}

const perRequest = new WeakMap<GqlContext, IncidentHistoryLoaders>();

const byIncident = <T extends { incidentId: string }>(fetch: (ids: readonly string[]) => Promise<T[]>) =>
  grouped(fetch, (row) => row.incidentId);

export function incidentHistoryLoaders(ctx: GqlContext, incidents: IncidentsService): IncidentHistoryLoaders {
  let loaders = perRequest.get(ctx);
  if (!loaders) {
    const all = { includeRemoved: true };
    loaders = {
      events: byIncident((ids) => incidents.events(ids, all)),
      systems: byIncident((ids) => incidents.systems(ids, all)),
      dataCategories: byIncident((ids) => incidents.dataCategories(ids, all)),
      parties: byIncident((ids) => incidents.parties(ids, all)),
    };
    perRequest.set(ctx, loaders);
  }
  return loaders;
}
