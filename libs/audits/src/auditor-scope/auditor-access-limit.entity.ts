import { UserEntity } from '@app/identity';
import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

/**
 * An auditor's account limited to their audit engagements (issue 16): present = limited. Set and lifted by an
 * admin (limitAuditorAccess); each change is in the trail. No row: the auditor reads every incident as before.
 */
@Entity('auditor_access_limits')
export class AuditorAccessLimitEntity {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;
  @ManyToOne(() => UserEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_auditor_access_limits_user_id' })
  readonly userRef?: UserEntity;

  @Column({ name: 'limited_at', type: 'timestamptz' })
  limitedAt!: Date;

  @Column({ name: 'limited_by', type: 'uuid', nullable: true, comment: 'null: the system' })
  limitedBy!: string | null;
  @ManyToOne(() => UserEntity, { nullable: true, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'limited_by', foreignKeyConstraintName: 'FK_auditor_access_limits_limited_by' })
  readonly limitedByRef?: UserEntity;
}
