import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserSecondFactorEntity } from '../sessions/user-second-factor.entity';

/**
 * The secret of an authenticator-app factor (kind TOTP), keyed by its user_second_factors row. Encrypted at rest
 * (SecretBox: AES-256-GCM under SECOND_FACTOR_KEY, bound to the factor id). Deleted when the factor is removed or
 * its unconfirmed enrolment replaced: the factor's row stays for the record, the secret is of no further use.
 */
@Entity('totp_secrets')
export class TotpSecretEntity {
  @PrimaryColumn({ name: 'factor_id', type: 'uuid', primaryKeyConstraintName: 'PK_totp_secrets' })
  factorId!: string;

  @ManyToOne(() => UserSecondFactorEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'factor_id', foreignKeyConstraintName: 'FK_totp_secrets_factor' })
  readonly factorRef?: UserSecondFactorEntity;

  /** `v1.<iv>.<tag>.<ciphertext>` (secret-box.ts). */
  @Column({ type: 'text' })
  secret!: string;

  /** The 30-second step of the last code accepted: a code of that step or an earlier one is refused (replay). */
  @Column({ name: 'last_used_step', type: 'bigint', nullable: true })
  lastUsedStep!: string | null;
}
