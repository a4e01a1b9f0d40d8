import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { SigningKeyPurpose } from './domain/key-identity';

/**
 * The public half of one of the tracker's signing keys, with when it signed:
 * the registry behind the keys document (docs/proofs.md, "Keys"). The private
 * keys are files, never rows. A key is never deleted: a retired key keeps
 * verifying what it signed. At most one key per purpose is active, and a key
 * (its fingerprint) is registered once: a retired key never becomes active again.
 */
@Entity('signing_keys')
@Check('CHK_signing_keys_purpose', `"purpose" IN ('trail', 'bundle')`)
@Check('CHK_signing_keys_key_id', `"key_id" ~ '^[0-9a-f]{8}$'`)
@Check('CHK_signing_keys_fingerprint', `"fingerprint" ~ '^SHA256:[0-9a-f]{64}$'`)
@Check('CHK_signing_keys_public_key', `char_length("public_key") = 44`)
@Check('CHK_signing_keys_retired', `"retired_at" IS NULL OR "retired_at" >= "activated_at"`)
@Index('UQ_signing_keys_active', ['purpose'], { unique: true, where: '"retired_at" IS NULL' })
@Index('IDX_signing_keys_purpose_activated', ['purpose', 'activatedAt'])
export class SigningKeyEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  purpose!: SigningKeyPurpose;

  /** `<PROOF_ORIGIN>/trail` or `<PROOF_ORIGIN>/bundles` at activation. */
  @Column({ type: 'text' })
  name!: string;

  /** C2SP note key id (8 hex). */
  @Column({ name: 'key_id', type: 'text' })
  keyId!: string;

  /** `SHA256:<hex>` of the raw public key. */
  @Index('UQ_signing_keys_fingerprint', { unique: true })
  @Column({ type: 'text' })
  fingerprint!: string;

  /** The raw 32-byte Ed25519 public key, standard base64. */
  @Column({ name: 'public_key', type: 'text' })
  publicKey!: string;

  @Column({ name: 'activated_at', type: 'timestamptz' })
  activatedAt!: Date;

  @Column({ name: 'retired_at', type: 'timestamptz', nullable: true })
  retiredAt!: Date | null;
}
