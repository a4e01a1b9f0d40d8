import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { inListCheck } from '@app/database';
import { TrailCheckpointEntity } from '../checkpoints/trail-checkpoint.entities';

/** Where a checkpoint is copied outside the database (docs/proofs.md, "File copy"). */
export const CHECKPOINT_COPY_TARGETS = ['DIRECTORY', 'S3', 'WEBHOOK'] as const;
export type CheckpointCopyTarget = (typeof CHECKPOINT_COPY_TARGETS)[number];

export const CHECKPOINT_COPY_STATUSES = ['PENDING', 'DONE', 'FAILED'] as const;
export type CheckpointCopyStatus = (typeof CHECKPOINT_COPY_STATUSES)[number];

/**
 * One copy of one trail checkpoint to one target outside the database: an
 * outbox row, written in the transaction that stores the checkpoint
 * (CheckpointCopies.planFor), delivered after commit by CheckpointCopyWorker.
 *
 * - PENDING: to do (again) at `next_attempt_at`; `attempts` counts the tries so far.
 * - DONE: the target holds this checkpoint (`done_at`); `last_error` keeps the
 *   last failed try before that, if any.
 * - FAILED: given up (CHECKPOINT_COPY_MAX_ATTEMPTS tries, or an alarm that a
 *   retry cannot cure: another checkpoint of this size is already there). Still
 *   listed (`checkpointCopyProblems`) until an admin retries it.
 */
@Entity('trail_checkpoint_copies')
@Unique('UQ_trail_checkpoint_copies_size_target', ['treeSize', 'target'])
@Index('IDX_trail_checkpoint_copies_due', ['nextAttemptAt'], { where: `"status" = 'PENDING'` })
@Index('IDX_trail_checkpoint_copies_open', ['createdAt', 'id'], { where: `"status" <> 'DONE'` })
@Check('CHK_trail_checkpoint_copies_target', inListCheck('target', CHECKPOINT_COPY_TARGETS))
@Check('CHK_trail_checkpoint_copies_status', inListCheck('status', CHECKPOINT_COPY_STATUSES))
@Check('CHK_trail_checkpoint_copies_done', `("status" = 'DONE') = ("done_at" IS NOT NULL)`)
@Check('CHK_trail_checkpoint_copies_attempts', `"attempts" >= 0`)
export class TrailCheckpointCopyEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_trail_checkpoint_copies' })
  id!: string;

  /** The checkpoint's tree size (bigint, as text): `trail_checkpoints.tree_size`. */
  @Column({ name: 'tree_size', type: 'bigint' })
  treeSize!: string;
  @ManyToOne(() => TrailCheckpointEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'tree_size', foreignKeyConstraintName: 'FK_trail_checkpoint_copies_checkpoint' })
  readonly checkpointRef?: TrailCheckpointEntity;

  @Column({ type: 'text' })
  target!: CheckpointCopyTarget;

  @Column({ type: 'text', default: 'PENDING' })
  status!: CheckpointCopyStatus;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  /** The last failed try's error (kept when a later try succeeds). */
  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  /** When a PENDING copy is (re)tried; while a worker holds it, the end of its lease; once DONE or FAILED, when it ended (no attempt is left in the future). */
  @Column({ name: 'next_attempt_at', type: 'timestamptz' })
  nextAttemptAt!: Date;

  @Column({ name: 'done_at', type: 'timestamptz', nullable: true })
  doneAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
