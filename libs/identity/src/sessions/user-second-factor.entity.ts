import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { UserEntity } from '../user.entity';
import type { SecondFactorKind } from './second-factor';

/**
 * One enrolled second factor of a user (an authenticator app, a passkey): the
 * list the user sees and removes from. The secret or public key lives in the
 * kind's own table (totp_secrets, webauthn_credentials), keyed by this id.
 * A factor counts once confirmed, until removed; removed rows stay (the trail
 * and the records signed with it name it).
 */
@Entity('user_second_factors')
@Check('CHK_user_second_factors_kind', `"kind" IN ('TOTP','PASSKEY')`)
@Check('CHK_user_second_factors_label', `char_length("label") BETWEEN 1 AND 100`)
@Index('IDX_user_second_factors_user', ['userId', 'createdAt'])
export class UserSecondFactorEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => UserEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_user_second_factors_user' })
  readonly userRef?: UserEntity;

  @Column({ type: 'text' })
  kind!: SecondFactorKind;

  /** The user's name for it, e.g. 「業務用 iPhone」 or "YubiKey 5". */
  @Column({ type: 'text' })
  label!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** Null while an enrolment is started but not confirmed with a first code or assertion. */
  @Column({ name: 'confirmed_at', type: 'timestamptz', nullable: true })
  confirmedAt!: Date | null;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @Column({ name: 'removed_at', type: 'timestamptz', nullable: true })
  removedAt!: Date | null;

  @Column({ name: 'removed_by_label', type: 'text', nullable: true })
  removedByLabel!: string | null;
}
