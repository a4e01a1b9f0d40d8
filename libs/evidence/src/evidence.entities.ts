import type { SignerProof } from '@app/common';
import { inListCheck } from '@app/database';
import { UserEntity } from '@app/identity';
import { CountermeasureEntity, CountermeasureTargetEntity, RequirementEntity } from '@app/countermeasures';
import { IncidentEntity } from '@app/incidents';
import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, VersionColumn } from 'typeorm';
import {
  EVIDENCE_KINDS,
  EVIDENCE_STATUSES,
  REVIEW_DECISIONS,
  type EvidenceKind,
  type EvidenceStatus,
  type ReviewDecision,
} from './domain/evidence-fields';

/** pg returns bigint as text; sizes stay far below 2^53. */
const bigintAsNumber = {
  to: (v: number | null) => v,
  from: (v: string | null) => (v === null ? null : Number(v)),
};

/**
 * One submitted piece of evidence (証跡): a file, a link or a written attestation,
 * for one requirement of a countermeasure (and optionally one of its targets).
 *
 * What was submitted never changes: the columns above the "current state" line
 * are refused by a database trigger on UPDATE, and no row is ever deleted. A
 * corrected file is a new row that `supersedes` this one; a withdrawal is a
 * recorded act (who, when, why). The bytes of a file live in content-addressed
 * storage under their SHA-256 and stay there.
 */
@Entity('evidence')
@Index('IDX_evidence_requirement', ['requirementId', 'status'])
@Index('IDX_evidence_countermeasure', ['countermeasureId', 'status'])
@Index('IDX_evidence_sha256', ['sha256'])
// The review queue: live evidence without a review, oldest first.
@Index('IDX_evidence_review_queue', ['uploadedAt', 'id'], { where: `"status" = 'SUBMITTED' AND "review_decision" IS NULL` })
// The dashboard's review-queue figures for one incident: how many wait, and the oldest.
@Index('IDX_evidence_incident_review_queue', ['incidentId', 'uploadedAt'], {
  where: `"status" = 'SUBMITTED' AND "review_decision" IS NULL`,
})
@Index('UQ_evidence_supersedes', ['supersedesId'], { unique: true, where: '"supersedes_id" IS NOT NULL' })
@Check('CHK_evidence_kind', inListCheck('kind', EVIDENCE_KINDS))
@Check('CHK_evidence_status', inListCheck('status', EVIDENCE_STATUSES))
@Check('CHK_evidence_review_decision', `"review_decision" IS NULL OR ${inListCheck('review_decision', REVIEW_DECISIONS)}`)
@Check('CHK_evidence_sha256', `"sha256" ~ '^[0-9a-f]{64}$'`)
@Check(
  'CHK_evidence_kind_fields',
  `("kind" = 'FILE') = ("media_type" IS NOT NULL AND "size_bytes" IS NOT NULL) AND ("kind" = 'LINK') = ("url" IS NOT NULL) AND ("kind" = 'ATTESTATION') = ("statement" IS NOT NULL)`,
)
@Check('CHK_evidence_withdrawn', `("status" = 'WITHDRAWN') = ("withdrawn_at" IS NOT NULL)`)
export class EvidenceEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'countermeasure_id', type: 'uuid' })
  countermeasureId!: string;
  @ManyToOne(() => CountermeasureEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'countermeasure_id' })
  readonly countermeasureRef?: CountermeasureEntity;

  /**
   * The countermeasure's incident, copied by a database trigger on insert (never
   * written by the application, never changed after), so that figures per
   * incident need no join through the countermeasures.
   */
  @Column({ name: 'incident_id', type: 'uuid', insert: false, update: false })
  readonly incidentId!: string;
  @ManyToOne(() => IncidentEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'incident_id' })
  readonly incidentRef?: IncidentEntity;

  @Column({ name: 'requirement_id', type: 'uuid' })
  requirementId!: string;
  @ManyToOne(() => RequirementEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'requirement_id' })
  readonly requirementRef?: RequirementEntity;

  /** The target (one system of a many-system countermeasure) this evidence is for, if any. */
  @Column({ name: 'target_id', type: 'uuid', nullable: true })
  targetId!: string | null;
  @ManyToOne(() => CountermeasureTargetEntity, { nullable: true, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'target_id' })
  readonly targetRef?: CountermeasureTargetEntity;

  @Column({ type: 'text' })
  kind!: EvidenceKind;

  /** The file's name as uploaded (display only: never part of a path), or the title of a link or attestation. */
  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', default: '' })
  description!: string;

  /** FILE: the type detected from the bytes (never the name or the declared type). */
  @Column({ name: 'media_type', type: 'text', nullable: true })
  mediaType!: string | null;

  @Column({ name: 'size_bytes', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  sizeBytes!: number | null;

  /** FILE: SHA-256 of the bytes (the storage key). LINK / ATTESTATION: SHA-256 of the content, see `contentDigest`. Lowercase hex. */
  @Column({ type: 'text' })
  sha256!: string;

  @Column({ type: 'text', nullable: true })
  url!: string | null;

  @Column({ type: 'text', nullable: true })
  statement!: string | null;

  /** The day the evidence speaks for (an October monitoring report uploaded in November is effective 2026-10-31). */
  @Column({ name: 'effective_on', type: 'date' })
  effectiveOn!: string;

  /** 1 for the first submission, n + 1 for the version that supersedes version n. */
  @Column({ name: 'version_no', type: 'integer' })
  versionNo!: number;

  @Column({ name: 'supersedes_id', type: 'uuid', nullable: true })
  supersedesId!: string | null;
  @ManyToOne(() => EvidenceEntity, { nullable: true, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'supersedes_id' })
  readonly supersedesRef?: EvidenceEntity;

  @Column({ name: 'uploaded_by_id', type: 'uuid' })
  uploadedById!: string;
  @ManyToOne(() => UserEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'uploaded_by_id' })
  readonly uploadedByRef?: UserEntity;

  @Column({ name: 'uploaded_by_label', type: 'text' })
  uploadedByLabel!: string;

  @Column({ name: 'uploaded_at', type: 'timestamptz' })
  uploadedAt!: Date;

  // ---- current state (the only columns an UPDATE may touch) -------------------------------

  @Column({ type: 'text', default: 'SUBMITTED' })
  status!: EvidenceStatus;

  @Column({ name: 'superseded_by_id', type: 'uuid', nullable: true })
  supersededById!: string | null;

  @Column({ name: 'withdrawn_at', type: 'timestamptz', nullable: true })
  withdrawnAt!: Date | null;

  @Column({ name: 'withdrawn_by_label', type: 'text', nullable: true })
  withdrawnByLabel!: string | null;

  @Column({ name: 'withdrawal_reason', type: 'text', nullable: true })
  withdrawalReason!: string | null;

  /** The latest review's decision (null: waiting for review). */
  @Column({ name: 'review_decision', type: 'text', nullable: true })
  reviewDecision!: ReviewDecision | null;

  @Column({ name: 'reviewed_at', type: 'timestamptz', nullable: true })
  reviewedAt!: Date | null;

  @VersionColumn()
  version!: number;
}

/** An auditor's review of one evidence version, bound to the SHA-256 it covered. Never updated or deleted. */
@Entity('evidence_reviews')
@Index('IDX_evidence_reviews_evidence', ['evidenceId', 'at'])
@Check('CHK_evidence_reviews_decision', inListCheck('decision', REVIEW_DECISIONS))
export class EvidenceReviewEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'evidence_id', type: 'uuid' })
  evidenceId!: string;
  @ManyToOne(() => EvidenceEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'evidence_id' })
  readonly evidenceRef?: EvidenceEntity;

  /** The hash of the bytes (or content) the reviewer looked at. */
  @Column({ type: 'text' })
  sha256!: string;

  @Column({ type: 'text' })
  decision!: ReviewDecision;

  @Column({ type: 'text', default: '' })
  comment!: string;

  @Column({ name: 'reviewer_id', type: 'uuid' })
  reviewerId!: string;
  @ManyToOne(() => UserEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'reviewer_id' })
  readonly reviewerRef?: UserEntity;

  @Column({ name: 'reviewer_label', type: 'text' })
  reviewerLabel!: string;

  @Column({ type: 'timestamptz' })
  at!: Date;
}

/**
 * An auditor's sign-off of a countermeasure (it became VERIFIED), bound to the
 * evidence it rests on by `digest` = SHA-256 over the canonical `payload`
 * (format in `sign-off-digest.ts`). Revoked, never deleted, when the
 * countermeasure is reopened.
 */
@Entity('countermeasure_sign_offs')
@Index('IDX_countermeasure_sign_offs_cm', ['countermeasureId', 'signedAt'])
@Index('UQ_countermeasure_sign_offs_standing', ['countermeasureId'], { unique: true, where: '"revoked_at" IS NULL' })
@Check('CHK_countermeasure_sign_offs_revoked', `("revoked_at" IS NULL) = ("revoked_reason" IS NULL)`)
export class SignOffEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'countermeasure_id', type: 'uuid' })
  countermeasureId!: string;
  @ManyToOne(() => CountermeasureEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'countermeasure_id' })
  readonly countermeasureRef?: CountermeasureEntity;

  @Column({ name: 'auditor_id', type: 'uuid' })
  auditorId!: string;
  @ManyToOne(() => UserEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'auditor_id' })
  readonly auditorRef?: UserEntity;

  @Column({ name: 'auditor_label', type: 'text' })
  auditorLabel!: string;

  @Column({ name: 'signed_at', type: 'timestamptz' })
  signedAt!: Date;

  @Column({ type: 'text', default: '' })
  statement!: string;

  /** Lowercase hex SHA-256 of the RFC 8785 form of `payload`. */
  @Column({ type: 'text' })
  digest!: string;

  /** Exactly what was hashed (see `signOffPayload`). */
  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  /** The auditor's second-factor proof, as in the payload (`signerProof`); null before sign-off/v2 or where waived. */
  @Column({ name: 'signer_proof', type: 'jsonb', nullable: true })
  signerProof!: SignerProof | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ name: 'revoked_reason', type: 'text', nullable: true })
  revokedReason!: string | null;
}
