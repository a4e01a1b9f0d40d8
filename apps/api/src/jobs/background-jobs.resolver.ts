import { Inject } from '@nestjs/common';
import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Actor } from '@app/common';
import { Permission, type UserEntity } from '@app/identity';
import { Allow, CurrentUser } from '../auth/access.decorators';
import { toConnection } from '../common/connection.type';
import { BackgroundJobsService } from './background-jobs.service';
import {
  BackgroundJobConnection,
  BackgroundJobScheduleType,
  BackgroundJobsArgs,
  BackgroundJobType,
  jobStateOf,
  RetryBackgroundJobArgs,
} from './background-jobs.types';
import { JobQueueService } from './job-queue.service';

/** Admins watch the background jobs (pg-boss) and retry a failed one. */
@Resolver(() => BackgroundJobType)
export class BackgroundJobsResolver {
  constructor(
    @Inject(BackgroundJobsService) private readonly jobs: BackgroundJobsService,
    @Inject(JobQueueService) private readonly queue: JobQueueService,
  ) {}

  @Allow(Permission.INTEGRATIONS_MANAGE)
  @Query(() => BackgroundJobConnection, {
    description: 'Admins: the runs of the background jobs the queue keeps (completed a day, failed a week), newest first',
  })
  async backgroundJobs(@Args() args: BackgroundJobsArgs): Promise<BackgroundJobConnection> {
    const page = await this.jobs.list({ first: args.first, after: args.after, state: jobStateOf(args.state), name: args.name });
    return toConnection(page, BackgroundJobType.from);
  }

  @Allow(Permission.INTEGRATIONS_MANAGE)
  @Query(() => [BackgroundJobScheduleType], { description: 'Admins: when each background job runs' })
  async backgroundJobSchedules(): Promise<BackgroundJobScheduleType[]> {
    return this.queue.schedules();
  }

  @Allow(Permission.INTEGRATIONS_MANAGE)
  @Mutation(() => BackgroundJobType, {
    description:
      'Admins: run a FAILED background job again (one more try, recorded in the trail). NOT_FOUND for an unknown id, CONFLICT unless FAILED',
  })
  async retryBackgroundJob(@Args() args: RetryBackgroundJobArgs, @CurrentUser() user: UserEntity): Promise<BackgroundJobType> {
    return BackgroundJobType.from(await this.jobs.retry(Actor.user(user), args.id));
  }
}
