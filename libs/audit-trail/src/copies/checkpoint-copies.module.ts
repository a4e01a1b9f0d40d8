import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CheckpointCopies } from './checkpoint-copies.service';
import { TrailCheckpointCopyEntity } from './checkpoint-copy.entity';

/**
 * The checkpoint copies' table and CheckpointCopies (plan, read, retry), for
 * AuditTrailModule to import and export. The worker that delivers them
 * (CheckpointCopyWorker, with a CheckpointWebhookPost) is provided by apps/api only.
 */
@Module({
  imports: [TypeOrmModule.forFeature([TrailCheckpointCopyEntity])],
  providers: [CheckpointCopies],
  exports: [CheckpointCopies],
})
export class CheckpointCopiesModule {}
