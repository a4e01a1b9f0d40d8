import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { AuthSessionEntity } from '../sessions/auth-session.entity';
import { UserEntity } from '../user.entity';
import type { PasskeyChallengePurpose } from './domain/passkey-rules';

/**
 * A WebAuthn challenge handed to a browser: answered once (used_at), within two minutes (expires_at), and only
 * by the session that asked for it. A registration's challenge carries the label the user gave the passkey.
 * Expired rows of a user are deleted when that user starts a new ceremony.
 */
@Entity('webauthn_challenges')
@Check('CHK_webauthn_challenges_purpose', `"purpose" IN ('REGISTER','AUTHENTICATE')`)
@Check('CHK_webauthn_challenges_label', `("purpose" = 'REGISTER') = ("label" IS NOT NULL)`)
@Check('CHK_webauthn_challenges_expiry', `"expires_at" > "created_at"`)
@Index('IDX_webauthn_challenges_user', ['userId', 'expiresAt'])
@Index('IDX_webauthn_challenges_session', ['sessionId'])
export class WebauthnChallengeEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_webauthn_challenges' })
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => UserEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_webauthn_challenges_user' })
  readonly userRef?: UserEntity;

  @Column({ name: 'session_id', type: 'uuid' })
  sessionId!: string;

  @ManyToOne(() => AuthSessionEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'session_id', foreignKeyConstraintName: 'FK_webauthn_challenges_session' })
  readonly sessionRef?: AuthSessionEntity;

  @Column({ type: 'text' })
  purpose!: PasskeyChallengePurpose;

  /** The challenge as sent (base64url). */
  @Column({ type: 'text' })
  challenge!: string;

  /** REGISTER: the passkey's label (normalized); AUTHENTICATE: null. */
  @Column({ type: 'text', nullable: true })
  label!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;
}
