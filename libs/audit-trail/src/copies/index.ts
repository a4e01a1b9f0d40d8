export * from './checkpoint-copy.entity';
export * from './checkpoint-copies.service';
export * from './checkpoint-copies.module';
export * from './checkpoint-copy-worker';
export * from './webhook-copy';
export {
  checkpointFileName,
  checkpointObjectKey,
  copyTargetsFor,
  DIFFERENT_CHECKPOINT,
  webhookBody,
  type CheckpointForCopy,
} from './domain/checkpoint-copy-rules';
