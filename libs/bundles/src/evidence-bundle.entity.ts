import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const BUNDLE_SCOPES = ['INCIDENT', 'ENGAGEMENT', 'COUNTERMEASURE'] as const;
export type BundleScope = (typeof BUNDLE_SCOPES)[number];

export const BUNDLE_STATUSES = ['QUEUED', 'BUILDING', 'READY', 'FAILED'] as const;
export type BundleStatus = (typeof BUNDLE_STATUSES)[number];

const bigintAsNumber = {
  to: (v: number | null | undefined) => v,
  from: (v: string | null) => (v === null ? null : Number(v)),
};

/**
 * One evidence bundle export (docs/proofs.md, "The evidence bundle"): what was
 * asked (scope, as-of, by whom), its progress while the worker builds it, and
 * the zip's SHA-256, size and file name once READY. The zip itself is a file
 * under BUNDLE_DIR named `<id>.zip`.
 */
@Entity('evidence_bundles')
@Index('UQ_evidence_bundles_in_progress', ['scope', 'scopeId'], { unique: true, where: `"status" IN ('QUEUED', 'BUILDING')` })
@Index('IDX_evidence_bundles_requested', ['requestedAt', 'id'])
@Check('CHK_evidence_bundles_scope', `"scope" IN ('INCIDENT', 'ENGAGEMENT', 'COUNTERMEASURE')`)
@Check('CHK_evidence_bundles_status', `"status" IN ('QUEUED', 'BUILDING', 'READY', 'FAILED')`)
@Check('CHK_evidence_bundles_ready', `("status" = 'READY') = ("sha256" IS NOT NULL AND "size" IS NOT NULL)`)
@Check('CHK_evidence_bundles_sha256', `"sha256" IS NULL OR "sha256" ~ '^[0-9a-f]{64}$'`)
export class EvidenceBundleEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_evidence_bundles' })
  id!: string;

  @Column({ type: 'text' })
  scope!: BundleScope;

  @Column({ name: 'scope_id', type: 'uuid' })
  scopeId!: string;

  @Column({ name: 'incident_id', type: 'uuid' })
  incidentId!: string;

  /** The instant the bundle shows the trail as of (the trail entries up to it, the checkpoint covering them). */
  @Column({ name: 'as_of', type: 'timestamptz' })
  asOf!: Date;

  @Column({ type: 'text', default: 'QUEUED' })
  status!: BundleStatus;

  @Column({ name: 'files_done', type: 'integer', default: 0 })
  filesDone!: number;

  @Column({ name: 'files_total', type: 'integer', default: 0 })
  filesTotal!: number;

  @Column({ name: 'bytes_done', type: 'bigint', default: 0, transformer: bigintAsNumber })
  bytesDone!: number;

  @Column({ name: 'bytes_total', type: 'bigint', default: 0, transformer: bigintAsNumber })
  bytesTotal!: number;

  /** Lowercase hex SHA-256 of the zip (READY only). */
  @Column({ type: 'text', nullable: true })
  sha256!: string | null;

  /** The zip's size in bytes (READY only). */
  @Column({ type: 'bigint', nullable: true, transformer: bigintAsNumber })
  size!: number | null;

  /** The download's suggested name, e.g. `evidence-bundle-INCIDENT-20261130-0102.zip`. */
  @Column({ name: 'file_name', type: 'text', nullable: true })
  fileName!: string | null;

  /** Why the build failed (FAILED only). */
  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'requested_by_id', type: 'uuid', nullable: true })
  requestedById!: string | null;

  @Column({ name: 'requested_by_label', type: 'text' })
  requestedByLabel!: string;

  @Column({ name: 'requested_at', type: 'timestamptz' })
  requestedAt!: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  /** While BUILDING: until when the building instance holds it (database time; renewed as the build runs). */
  @Column({
    name: 'lease_expires_at',
    type: 'timestamptz',
    nullable: true,
    comment: 'while BUILDING: until when the building instance holds it (database time)',
  })
  leaseExpiresAt!: Date | null;

  /** While BUILDING: the build holding the lease (a build whose lease was taken over writes nothing more). */
  @Column({
    name: 'lease_owner',
    type: 'uuid',
    nullable: true,
    comment: 'while BUILDING: the build holding the lease (every write of the build checks it)',
  })
  leaseOwner!: string | null;

  /** The size of the trail checkpoint the bundle's inclusion proofs are against. */
  @Column({ name: 'checkpoint_size', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  checkpointSize!: number | null;
}
