import { Module } from '@nestjs/common';
import { EvidenceModule } from '@app/evidence';
import { NotificationsModule } from '@app/notifications';
import { PromotionGateModule } from '@app/promotion-gate';
import { BackgroundJobsResolver } from './background-jobs.resolver';
import { BackgroundJobsService } from './background-jobs.service';
import { DateRulesJob } from './date-rules.job';
import { EvidenceStoreJob } from './evidence-store.job';
import { JobQueueService } from './job-queue.service';
import { RemindersJob } from './reminders.job';
import { TrailCheckpointsJob } from './trail-checkpoints.job';

/**
 * The API server's background jobs (the CLI runs the same services on demand): their start-up catch-ups (the
 * job classes), the queue that runs them once per period across instances (JobQueueService, pg-boss), and the
 * admins' view of it. pg-boss's schema `pgboss` belongs to this module.
 */
@Module({
  imports: [NotificationsModule, PromotionGateModule, EvidenceModule],
  providers: [
    RemindersJob,
    DateRulesJob,
    EvidenceStoreJob,
    TrailCheckpointsJob,
    JobQueueService,
    BackgroundJobsService,
    BackgroundJobsResolver,
  ],
  exports: [JobQueueService],
})
export class JobsModule {}
