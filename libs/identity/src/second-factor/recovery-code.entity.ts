import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { UserEntity } from '../user.entity';

/**
 * One single-use recovery code of a user (ten are issued with the first second factor, and at each regeneration):
 * only its SHA-256 is kept, the code is shown once. A code counts while neither used nor invalidated (by a
 * regeneration, or the removal of the user's last factor).
 */
@Entity('recovery_codes')
@Check('CHK_recovery_codes_hash', `"code_hash" ~ '^[0-9a-f]{64}$'`)
@Check('CHK_recovery_codes_spent', `"used_at" IS NULL OR "invalidated_at" IS NULL`)
@Index('IDX_recovery_codes_user', ['userId'])
export class RecoveryCodeEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_recovery_codes' })
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => UserEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_recovery_codes_user' })
  readonly userRef?: UserEntity;

  /** SHA-256 (hex) of the canonical code (one-time-codes.ts). */
  @Column({ name: 'code_hash', type: 'text' })
  codeHash!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;

  /** Set when a regeneration (or the removal of the last factor) made the unused code void. */
  @Column({ name: 'invalidated_at', type: 'timestamptz', nullable: true })
  invalidatedAt!: Date | null;
}
