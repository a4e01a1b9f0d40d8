import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { AuthSessionEntity } from './auth-session.entity';

/**
 * A refresh token of a session: only its SHA-256 is kept. Each is used once: a
 * refresh marks it used and issues the next; a used one presented again means
 * it was copied, and the whole session (the token family) is revoked.
 */
@Entity('auth_refresh_tokens')
@Check('CHK_auth_refresh_tokens_hash', `"token_hash" ~ '^[0-9a-f]{64}$'`)
@Index('IDX_auth_refresh_tokens_session', ['sessionId'])
export class RefreshTokenEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'session_id', type: 'uuid' })
  sessionId!: string;

  @ManyToOne(() => AuthSessionEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'session_id', foreignKeyConstraintName: 'FK_auth_refresh_tokens_session' })
  readonly sessionRef?: AuthSessionEntity;

  @Index('UQ_auth_refresh_tokens_hash', { unique: true })
  @Column({ name: 'token_hash', type: 'text' })
  tokenHash!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** Idle limit: unused for REFRESH_TTL_SECONDS, it no longer renews the session. */
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;
}
