import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, VersionColumn } from 'typeorm';
import { UserEntity } from '../user.entity';
import type { SecondFactorMethod, SessionState, SignInMethod } from './second-factor';

/**
 * One signed-in session (a browser tab, a device): what its access tokens name
 * (`sid`), what its refresh tokens renew. Revoking it ends every token of it at
 * the next request and its WebSocket subscriptions at once. Never deleted: a
 * revocation keeps who, when and why.
 */
@Entity('auth_sessions')
@Check('CHK_auth_sessions_state', `"state" IN ('ACTIVE','SECOND_FACTOR_PENDING','ENROLMENT_PENDING')`)
@Check('CHK_auth_sessions_method', `"sign_in_method" IN ('PASSWORD','SSO')`)
@Check(
  'CHK_auth_sessions_second_factor',
  `("second_factor_method" IS NULL) = ("second_factor_at" IS NULL) AND ("second_factor_method" IS NULL OR "second_factor_method" IN ('TOTP','RECOVERY_CODE','PASSKEY','SSO'))`,
)
@Check(
  'CHK_auth_sessions_revocation',
  `("revoked_at" IS NULL) = ("revoked_by_label" IS NULL) AND ("revoked_at" IS NULL) = ("revocation_reason" IS NULL)`,
)
@Index('IDX_auth_sessions_user', ['userId', 'createdAt'])
export class AuthSessionEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => UserEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_auth_sessions_user' })
  readonly userRef?: UserEntity;

  @Column({ type: 'text' })
  state!: SessionState;

  @Column({ name: 'sign_in_method', type: 'text' })
  signInMethod!: SignInMethod;

  /** The last second factor proved in this session (null until one is). */
  @Column({ name: 'second_factor_method', type: 'text', nullable: true })
  secondFactorMethod!: SecondFactorMethod | null;

  @Column({ name: 'second_factor_at', type: 'timestamptz', nullable: true })
  secondFactorAt!: Date | null;

  /** For single sign-on: the ID token's `amr` and `acr`, as the identity provider stated them. */
  @Column({ name: 'second_factor_amr', type: 'text', array: true, nullable: true })
  secondFactorAmr!: string[] | null;

  @Column({ name: 'second_factor_acr', type: 'text', nullable: true })
  secondFactorAcr!: string | null;

  /** The browser's User-Agent at sign-in (cut to 300 characters): the device in the session list. */
  @Column({ name: 'user_agent', type: 'text', nullable: true })
  userAgent!: string | null;

  /** The client address at sign-in. */
  @Column({ type: 'text', nullable: true })
  address!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** The last refresh or request (written at most once a minute). */
  @Column({ name: 'last_seen_at', type: 'timestamptz' })
  lastSeenAt!: Date;

  /** The session's end however often it is refreshed (SESSION_MAX_SECONDS after sign-in). */
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ name: 'revoked_by_id', type: 'uuid', nullable: true })
  revokedById!: string | null;

  @ManyToOne(() => UserEntity, { nullable: true, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'revoked_by_id', foreignKeyConstraintName: 'FK_auth_sessions_revoked_by' })
  readonly revokedByRef?: UserEntity;

  @Column({ name: 'revoked_by_label', type: 'text', nullable: true })
  revokedByLabel!: string | null;

  /** SIGNED_OUT, REVOKED, REVOKED_BY_ADMIN, REFRESH_TOKEN_REUSED, USER_DEACTIVATED. */
  @Column({ name: 'revocation_reason', type: 'text', nullable: true })
  revocationReason!: string | null;

  @VersionColumn()
  version!: number;
}
