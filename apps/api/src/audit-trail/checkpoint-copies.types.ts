import { ArgsType, Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { IsString, MaxLength } from 'class-validator';
import { DateTimeScalar } from '../graphql/date-time.scalar';
import type { CheckpointCopyStatus, CheckpointCopyTarget, TrailCheckpointCopyEntity } from '@app/audit-trail';
import { ConnectionType } from '../common/connection.type';

export enum CheckpointCopyTargetEnum {
  DIRECTORY = 'DIRECTORY',
  S3 = 'S3',
  WEBHOOK = 'WEBHOOK',
}
registerEnumType(CheckpointCopyTargetEnum, {
  name: 'CheckpointCopyTarget',
  description: 'Where a trail checkpoint is copied outside the database',
  valuesMap: {
    DIRECTORY: { description: 'A read-only file in CHECKPOINT_DIR, one per checkpoint, never overwritten' },
    S3: { description: 'An object checkpoints/<file name> in CHECKPOINT_S3_BUCKET, never overwritten' },
    WEBHOOK: { description: 'A signed POST to CHECKPOINT_WEBHOOK_URL' },
  },
});

export enum CheckpointCopyStatusEnum {
  PENDING = 'PENDING',
  DONE = 'DONE',
  FAILED = 'FAILED',
}
registerEnumType(CheckpointCopyStatusEnum, {
  name: 'CheckpointCopyStatus',
  valuesMap: {
    PENDING: { description: 'To be copied (again) at nextAttemptAt' },
    DONE: { description: 'The target holds this checkpoint' },
    FAILED: {
      description:
        'Given up: after the last allowed try, or at once when the target holds another checkpoint of this size. An admin may retry it',
    },
  },
});

@ObjectType('TrailCheckpointCopy', { description: 'A copy of a trail checkpoint outside the database, and how it went' })
export class TrailCheckpointCopyType {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'The checkpoint’s tree size (a 64-bit integer, as text)' })
  treeSize!: string;

  @Field(() => CheckpointCopyTargetEnum)
  target!: CheckpointCopyTarget;

  @Field(() => CheckpointCopyStatusEnum)
  status!: CheckpointCopyStatus;

  @Field(() => Int, { description: 'Tries so far (counted from the last admin retry)' })
  attempts!: number;

  @Field(() => String, {
    nullable: true,
    description:
      'The last failed try’s error (kept when a later try succeeded). Admins only (INTEGRATIONS_MANAGE): it names server paths, the S3 endpoint and bucket; null for everyone else',
  })
  lastError!: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it is tried next (PENDING only)' })
  nextAttemptAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When the target took it (DONE only)' })
  doneAt!: Date | null;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  static from(c: TrailCheckpointCopyEntity): TrailCheckpointCopyType {
    return {
      id: c.id,
      treeSize: c.treeSize,
      target: c.target,
      status: c.status,
      attempts: c.attempts,
      lastError: c.lastError,
      nextAttemptAt: c.status === 'PENDING' ? c.nextAttemptAt : null,
      doneAt: c.doneAt,
      createdAt: c.createdAt,
    };
  }
}

@ObjectType()
export class TrailCheckpointCopyConnection extends ConnectionType(TrailCheckpointCopyType, 'TrailCheckpointCopy') {}

@ArgsType()
export class RetryCheckpointCopyArgs {
  @Field(() => ID, { description: 'The copy’s id (TrailCheckpointCopy.id)' })
  @IsString()
  @MaxLength(100)
  id!: string;
}
