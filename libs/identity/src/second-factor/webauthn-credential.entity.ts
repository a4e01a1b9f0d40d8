import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserSecondFactorEntity } from '../sessions/user-second-factor.entity';

/** bigint comes back from `pg` as text; a sign counter is a 32-bit number, so a JS number holds it exactly. */
const counterColumn = { to: (v: number) => v, from: (v: string | number) => Number(v) };

/**
 * The public half of a passkey (a WebAuthn credential) registered as a second factor: keyed by its entry in
 * user_second_factors (kind PASSKEY), which holds the label, the times and the removal. Nothing secret is kept
 * here: the private key never leaves the authenticator.
 */
@Entity('webauthn_credentials')
export class WebauthnCredentialEntity {
  @PrimaryColumn({ name: 'factor_id', type: 'uuid', primaryKeyConstraintName: 'PK_webauthn_credentials' })
  factorId!: string;

  @ManyToOne(() => UserSecondFactorEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'factor_id', foreignKeyConstraintName: 'FK_webauthn_credentials_factor' })
  readonly factorRef?: UserSecondFactorEntity;

  /** The credential id as the browser names it (base64url): how an assertion finds its key. */
  @Index('UQ_webauthn_credentials_credential_id', { unique: true })
  @Column({ name: 'credential_id', type: 'text' })
  credentialId!: string;

  /** The COSE public key, as the authenticator gave it at registration. */
  @Column({ name: 'public_key', type: 'bytea' })
  publicKey!: Buffer;

  /** The authenticator's signature counter at its last accepted use (0 for those that do not count). */
  @Column({ type: 'bigint', transformer: counterColumn })
  counter!: number;

  /** How the browser reached the authenticator (internal, usb, hybrid ...): a hint passed back in later requests. */
  @Column({ type: 'text', array: true })
  transports!: string[];

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
