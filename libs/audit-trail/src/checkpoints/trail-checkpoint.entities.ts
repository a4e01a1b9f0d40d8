import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** Why a checkpoint was made (docs/proofs.md). */
export const CHECKPOINT_REASONS = ['SCHEDULE', 'SIGN_OFF', 'CLEARANCE', 'GATE', 'BUNDLE', 'ON_DEMAND', 'START'] as const;
export type CheckpointReason = (typeof CHECKPOINT_REASONS)[number];

/**
 * A signed checkpoint of the audit trail's Merkle tree (a C2SP signed note).
 * Append-only: the database refuses UPDATE, DELETE and TRUNCATE (migration).
 */
@Entity('trail_checkpoints')
@Check('CHK_trail_checkpoints_reason', `"reason" IN ('SCHEDULE', 'SIGN_OFF', 'CLEARANCE', 'GATE', 'BUNDLE', 'ON_DEMAND', 'START')`)
export class TrailCheckpointEntity {
  /** The number of trail entries the tree covers (entries #1..#treeSize). bigint, read as text. */
  @PrimaryColumn({ name: 'tree_size', type: 'bigint', primaryKeyConstraintName: 'PK_trail_checkpoints' })
  treeSize!: string;

  /** RFC 9162 root hash of the first treeSize leaves, standard base64. */
  @Column({ name: 'root_hash', type: 'text' })
  rootHash!: string;

  /** The note body: `<origin>/trail\n<size>\n<root>\n`. */
  @Column({ type: 'text' })
  body!: string;

  /** The tracker's signature line(s), each ending with a newline. */
  @Column({ type: 'text' })
  signatures!: string;

  /** The note key id (8 hex) of the trail key that signed. */
  @Column({ name: 'key_id', type: 'text' })
  keyId!: string;

  @Column({ type: 'text' })
  reason!: CheckpointReason;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** The user who asked for it; null when the system made it. */
  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy!: string | null;

  /** The actor's label at the time (an e-mail, or system:<what>). */
  @Column({ name: 'created_by_label', type: 'text' })
  createdByLabel!: string;
}

/** An auditor's own Ed25519 public key, with which they co-sign checkpoints. */
@Entity('trail_cosigner_keys')
@Index('UQ_trail_cosigner_keys_active_user', ['userId'], { unique: true, where: '"revoked_at" IS NULL' })
export class TrailCosignerKeyEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_trail_cosigner_keys' })
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  /** The signed-note key name: the auditor's e-mail at registration. */
  @Column({ type: 'text' })
  name!: string;

  /** The raw 32-byte Ed25519 public key, standard base64. */
  @Column({ name: 'public_key', type: 'text' })
  publicKey!: string;

  /** The note key id (8 hex) of (name, public key). */
  @Column({ name: 'key_id', type: 'text' })
  keyId!: string;

  @Column({ name: 'registered_at', type: 'timestamptz' })
  registeredAt!: Date;

  /** Set when the auditor registers another key; the old one still verifies what it signed. */
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;
}

/** An auditor's co-signature of a checkpoint: one more signature line over the same body. */
@Entity('trail_checkpoint_cosignatures')
@Index('IDX_trail_checkpoint_cosignatures_user', ['userId'])
export class TrailCheckpointCosignatureEntity {
  @ManyToOne(() => TrailCheckpointEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'tree_size', foreignKeyConstraintName: 'FK_trail_checkpoint_cosignatures_checkpoint' })
  checkpoint?: TrailCheckpointEntity;

  @PrimaryColumn({ name: 'tree_size', type: 'bigint', primaryKeyConstraintName: 'PK_trail_checkpoint_cosignatures' })
  treeSize!: string;

  @ManyToOne(() => TrailCosignerKeyEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'cosigner_key_id', foreignKeyConstraintName: 'FK_trail_checkpoint_cosignatures_key' })
  cosignerKey?: TrailCosignerKeyEntity;

  @PrimaryColumn({ name: 'cosigner_key_id', type: 'uuid', primaryKeyConstraintName: 'PK_trail_checkpoint_cosignatures' })
  cosignerKeyId!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  /** The note key id (8 hex). */
  @Column({ name: 'key_id', type: 'text' })
  keyId!: string;

  /** The signature line as given: `— <e-mail> <base64(key id || signature)>\n`. */
  @Column({ name: 'signature', type: 'text' })
  signature!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
