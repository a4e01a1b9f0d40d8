import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from './domain/role';
import { UserEntity } from './user.entity';

/**
 * A promotion system's API key (a service account). The secret is never
 * stored: only SHA-256 of the key (domain/api-key-rules.ts). A key is never
 * deleted; revoking it keeps who, when and why.
 */
@Entity('api_keys')
@Check('CHK_api_keys_role', `"role" = 'SERVICE'`)
@Check('CHK_api_keys_name', `char_length("name") BETWEEN 1 AND 100 AND "name" = btrim("name")`)
@Check('CHK_api_keys_prefix', `"prefix" ~ '^[0-9a-f]{12}$'`)
@Check('CHK_api_keys_secret_hash', `"secret_hash" ~ '^[0-9a-f]{64}$'`)
@Check(
  'CHK_api_keys_revocation',
  `("revoked_at" IS NULL AND "revoked_by_label" IS NULL AND "revocation_reason" IS NULL AND "revoked_by_id" IS NULL) OR ("revoked_at" IS NOT NULL AND "revoked_by_label" IS NOT NULL AND "revocation_reason" IS NOT NULL)`,
)
@Index('IDX_api_keys_created', ['createdAt', 'id'])
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Which system holds it, e.g. 販促配信システム (本番). */
  @Column({ type: 'text' })
  name!: string;

  /** Public part of the key (`rtk_<prefix>_...`): identifies it in lists; finds the row. */
  @Index('UQ_api_keys_prefix', { unique: true })
  @Column({ type: 'text' })
  prefix!: string;

  /** SHA-256 (hex) of the whole key string. */
  @Column({ name: 'secret_hash', type: 'text' })
  secretHash!: string;

  /** Always SERVICE (a CHECK holds it): a key reads the gates and nothing else. */
  @Column({ type: 'text', default: 'SERVICE' })
  role!: Role;

  @ManyToOne(() => UserEntity, { nullable: true, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'created_by_id', foreignKeyConstraintName: 'FK_api_keys_created_by' })
  createdBy?: UserEntity | null;

  /** The admin who created it; null when the system did (CLI). */
  @Column({ name: 'created_by_id', type: 'uuid', nullable: true })
  createdById!: string | null;

  @Column({ name: 'created_by_label', type: 'text' })
  createdByLabel!: string;

  /** Set by the service from the clock (millisecond precision, so that keyset cursors are exact). */
  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @ManyToOne(() => UserEntity, { nullable: true, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'revoked_by_id', foreignKeyConstraintName: 'FK_api_keys_revoked_by' })
  revokedBy?: UserEntity | null;

  @Column({ name: 'revoked_by_id', type: 'uuid', nullable: true })
  revokedById!: string | null;

  @Column({ name: 'revoked_by_label', type: 'text', nullable: true })
  revokedByLabel!: string | null;

  @Column({ name: 'revocation_reason', type: 'text', nullable: true })
  revocationReason!: string | null;

  /** Last successful authentication, written at most once a minute (not in the audit trail). */
  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;
}
