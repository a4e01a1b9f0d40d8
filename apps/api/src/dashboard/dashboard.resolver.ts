import { Inject } from '@nestjs/common';
import { Args, Query, Resolver } from '@nestjs/graphql';
import { DashboardService } from '@app/dashboard';
import { Permission } from '@app/identity';
import { Allow } from '../auth/access.decorators';
import { DashboardArgs, DashboardType } from './dashboard.types';

@Resolver(() => DashboardType)
export class DashboardResolver {
  constructor(@Inject(DashboardService) private readonly dashboards: DashboardService) {}

  @Allow(Permission.REMEDIATION_READ)
  @Query(() => DashboardType, {
    description:
      'The executive dashboard of an incident (default: the most recent), as of the end of a day in Asia/Tokyo (default: today; a past day is rebuilt from the history). Computed in the database; every list is bounded.',
  })
  async dashboard(@Args() args: DashboardArgs): Promise<DashboardType> {
    return DashboardType.from(await this.dashboards.dashboard({ incidentId: args.incidentId, asOf: args.asOf }));
  }
}
