import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from '../user.entity';

/**
 * One sign-in started at the identity provider (GET /auth/sso/start): what the callback must see again. Keyed by the
 * SHA-256 of `state` (the state itself only travels through the browser); used once (used_at), 10 minutes long.
 * The nonce and the PKCE verifier never leave the server. `browser_hash`: the SHA-256 of the secret in the cookie the
 * start route gave the browser; the callback must come from that browser (no one else's answer is slipped in).
 */
@Entity('sso_sign_in_states')
@Check('CHK_sso_sign_in_states_hash', `"state_hash" ~ '^[0-9a-f]{64}$' AND "browser_hash" ~ '^[0-9a-f]{64}$'`)
@Index('IDX_sso_sign_in_states_expires', ['expiresAt'])
export class SsoSignInStateEntity {
  @PrimaryColumn({ name: 'state_hash', type: 'text', primaryKeyConstraintName: 'PK_sso_sign_in_states' })
  stateHash!: string;

  @Column({ type: 'text' })
  nonce!: string;

  @Column({ name: 'code_verifier', type: 'text' })
  codeVerifier!: string;

  @Column({ name: 'browser_hash', type: 'text' })
  browserHash!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;
}

/**
 * The provider said yes (GET /auth/sso/callback): a one-time code that the page trades for a session
 * (completeSsoSignIn), so that no token ever travels in a URL. Keyed by the code's SHA-256; one minute long; used
 * once. Keeps the ID token's amr/acr/auth_time and the browser that came back.
 */
@Entity('sso_handoffs')
@Check('CHK_sso_handoffs_hash', `"code_hash" ~ '^[0-9a-f]{64}$'`)
@Index('IDX_sso_handoffs_user', ['userId'])
export class SsoHandoffEntity {
  @PrimaryColumn({ name: 'code_hash', type: 'text', primaryKeyConstraintName: 'PK_sso_handoffs' })
  codeHash!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => UserEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_sso_handoffs_user_id' })
  readonly userRef?: UserEntity;

  @Column({ type: 'text', array: true, nullable: true })
  amr!: string[] | null;

  @Column({ type: 'text', nullable: true })
  acr!: string | null;

  @Column({ name: 'auth_time', type: 'timestamptz', nullable: true })
  authTime!: Date | null;

  @Column({ name: 'user_agent', type: 'text', nullable: true })
  userAgent!: string | null;

  @Column({ type: 'text', nullable: true })
  address!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;
}

/**
 * A person at the identity provider (issuer, subject) and their account here: made at their first single sign-on
 * (by the subject, else by a verified e-mail of an existing user, else a created account). Never changed.
 */
@Entity('sso_identities')
// One account, one person at a provider: two subjects cannot both be linked to it (a race of first sign-ins by e-mail).
@Index('UQ_sso_identities_issuer_user', ['issuer', 'userId'], { unique: true })
export class SsoIdentityEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'PK_sso_identities' })
  issuer!: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'PK_sso_identities' })
  subject!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => UserEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_sso_identities_user_id' })
  readonly userRef?: UserEntity;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
