import { Module } from '@nestjs/common';
import { CheckpointCopiesModule, CheckpointCopyWorker, CheckpointWebhookPost } from '@app/audit-trail';
import { PromotionGateModule } from '@app/promotion-gate';
import { CheckpointCopiesResolver } from './checkpoint-copies.resolver';
import { PinnedCheckpointWebhookPost } from './checkpoint-webhook-post';
import { TrailCheckpointCopiesResolver } from './trail-checkpoint-copies.resolver';

/**
 * The API server's part of the checkpoint copies: the worker that delivers them
 * (here only: the CLI plans copies and sends nothing), the webhook's way out
 * (the gate's address rules and pinned POST), and the admin's queries.
 */
@Module({
  imports: [CheckpointCopiesModule, PromotionGateModule],
  providers: [
    { provide: CheckpointWebhookPost, useClass: PinnedCheckpointWebhookPost },
    CheckpointCopyWorker,
    CheckpointCopiesResolver,
    TrailCheckpointCopiesResolver,
  ],
})
export class CheckpointCopiesApiModule {}
