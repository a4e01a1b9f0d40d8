import type { SignerProof } from '@app/common';
import { inListCheck } from '@app/database';
import { UserEntity } from '@app/identity';
import { IncidentEntity, IncidentSystemEntity } from '@app/incidents';
import { CountermeasureEntity, RequirementEntity } from '@app/countermeasures';
import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import {
  ENGAGEMENT_STATUSES,
  FINDING_SEVERITIES,
  FINDING_STATUSES,
  RISK_ACCEPTANCE_END_KINDS,
  type EngagementStatus,
  type FindingSeverity,
  type FindingStatus,
  type RiskAcceptanceEndKind,
} from './domain/audit-fields';

// The `...Ref` relations are never loaded: they only declare the foreign keys (ON DELETE RESTRICT).

/** An external audit engagement (外部監査): the firm, the lead auditor and team, the scope, the status. */
@Entity('audit_engagements')
@Index('IDX_audit_engagements_incident', ['incidentId', 'status'])
@Index('IDX_audit_engagements_lead', ['leadAuditorId'])
@Check('CHK_audit_engagements_status', inListCheck('status', ENGAGEMENT_STATUSES))
@Check('CHK_audit_engagements_period', `"ends_on" IS NULL OR "starts_on" IS NULL OR "ends_on" >= "starts_on"`)
export class AuditEngagementEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'incident_id', type: 'uuid' })
  incidentId!: string;
  @ManyToOne(() => IncidentEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'incident_id' })
  readonly incidentRef?: IncidentEntity;

  @Column({ type: 'text' })
  title!: string;

  /** The audit firm (the information-security firm of the letter). */
  @Column({ type: 'text' })
  firm!: string;

  @Column({ name: 'lead_auditor_id', type: 'uuid' })
  leadAuditorId!: string;
  @ManyToOne(() => UserEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'lead_auditor_id' })
  readonly leadAuditorRef?: UserEntity;

  @Column({ type: 'text', default: 'PLANNED' })
  status!: EngagementStatus;

  @Column({ name: 'starts_on', type: 'date', nullable: true })
  startsOn!: string | null;

  @Column({ name: 'ends_on', type: 'date', nullable: true })
  endsOn!: string | null;

  /** The statement of a NOT_CLEARED conclusion (cleared ones keep theirs on the clearance row). */
  @Column({ type: 'text', nullable: true })
  conclusion!: string | null;

  @VersionColumn()
  version!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** The auditors of the team (the lead is not listed here). */
@Entity('audit_engagement_team')
@Index('IDX_audit_engagement_team_user', ['userId'])
export class AuditTeamMemberEntity {
  @PrimaryColumn({ name: 'engagement_id', type: 'uuid' })
  engagementId!: string;
  @ManyToOne(() => AuditEngagementEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'engagement_id' })
  readonly engagementRef?: AuditEngagementEntity;

  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;
  @ManyToOne(() => UserEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id' })
  readonly userRef?: UserEntity;
}

/** A countermeasure the engagement audits. Looked up by countermeasure when its status changes. */
@Entity('audit_scope_countermeasures')
@Index('IDX_audit_scope_countermeasures_cm', ['countermeasureId'])
export class AuditScopeCountermeasureEntity {
  @PrimaryColumn({ name: 'engagement_id', type: 'uuid' })
  engagementId!: string;
  @ManyToOne(() => AuditEngagementEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'engagement_id' })
  readonly engagementRef?: AuditEngagementEntity;

  @PrimaryColumn({ name: 'countermeasure_id', type: 'uuid' })
  countermeasureId!: string;
  @ManyToOne(() => CountermeasureEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'countermeasure_id' })
  readonly countermeasureRef?: CountermeasureEntity;
}

/** A system of the incident's inventory the engagement audits. */
@Entity('audit_scope_systems')
@Index('IDX_audit_scope_systems_system', ['systemId'])
export class AuditScopeSystemEntity {
  @PrimaryColumn({ name: 'engagement_id', type: 'uuid' })
  engagementId!: string;
  @ManyToOne(() => AuditEngagementEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'engagement_id' })
  readonly engagementRef?: AuditEngagementEntity;

  @PrimaryColumn({ name: 'system_id', type: 'uuid' })
  systemId!: string;
  @ManyToOne(() => IncidentSystemEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'system_id' })
  readonly systemRef?: IncidentSystemEntity;
}

/** Every status change of an engagement: who, when, from, to, why (a withdrawal says what broke it). Never updated. */
@Entity('audit_engagement_transitions')
@Index('IDX_audit_engagement_transitions_engagement', ['engagementId', 'at'])
export class AuditEngagementTransitionEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'engagement_id', type: 'uuid' })
  engagementId!: string;
  @ManyToOne(() => AuditEngagementEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'engagement_id' })
  readonly engagementRef?: AuditEngagementEntity;

  @Column({ name: 'from_status', type: 'text', nullable: true, comment: 'null for the creation' })
  fromStatus!: EngagementStatus | null;

  @Column({ name: 'to_status', type: 'text' })
  toStatus!: EngagementStatus;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId!: string | null;
  @ManyToOne(() => UserEntity, { nullable: true, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'actor_id' })
  readonly actorRef?: UserEntity;

  @Column({ name: 'actor_label', type: 'text' })
  actorLabel!: string;

  @Column({ type: 'timestamptz' })
  at!: Date;
}

/**
 * An audit finding (監査指摘事項), numbered F-001... within the incident.
 * The partial index serves "open CRITICAL/HIGH findings of the incident"
 * (the clearance rule and the promotion gate) without a scan.
 */
@Entity('audit_findings')
@Index('UQ_audit_findings_incident_seq', ['incidentId', 'seq'], { unique: true })
@Index('IDX_audit_findings_engagement', ['engagementId', 'seq'])
@Index('IDX_audit_findings_blocking', ['incidentId', 'status'], { where: `"severity" IN ('CRITICAL', 'HIGH') AND "status" <> 'RESOLVED'` })
@Index('IDX_audit_findings_countermeasure', ['countermeasureId'])
@Check('CHK_audit_findings_severity', inListCheck('severity', FINDING_SEVERITIES))
@Check('CHK_audit_findings_status', inListCheck('status', FINDING_STATUSES))
@Check('CHK_audit_findings_resolved', `("status" = 'RESOLVED') = ("resolved_at" IS NOT NULL)`)
export class AuditFindingEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'engagement_id', type: 'uuid' })
  engagementId!: string;
  @ManyToOne(() => AuditEngagementEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'engagement_id' })
  readonly engagementRef?: AuditEngagementEntity;

  @Column({ name: 'incident_id', type: 'uuid' })
  incidentId!: string;
  @ManyToOne(() => IncidentEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'incident_id' })
  readonly incidentRef?: IncidentEntity;

  /** 1, 2, 3... within the incident; the key is F-001, F-002... */
  @Column({ type: 'integer' })
  seq!: number;

  @Column({ type: 'text' })
  severity!: FindingSeverity;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'text', default: '' })
  description!: string;

  /** The countermeasure it concerns (or the one created from it). */
  @Column({ name: 'countermeasure_id', type: 'uuid', nullable: true })
  countermeasureId!: string | null;
  @ManyToOne(() => CountermeasureEntity, { nullable: true, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'countermeasure_id' })
  readonly countermeasureRef?: CountermeasureEntity;

  @Column({ type: 'text', default: 'OPEN' })
  status!: FindingStatus;

  @Column({ name: 'raised_by_id', type: 'uuid', nullable: true })
  raisedById!: string | null;
  @ManyToOne(() => UserEntity, { nullable: true, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'raised_by_id' })
  readonly raisedByRef?: UserEntity;

  @Column({ name: 'raised_by_label', type: 'text' })
  raisedByLabel!: string;

  @Column({ name: 'raised_at', type: 'timestamptz' })
  raisedAt!: Date;

  @Column({ name: 'resolution_note', type: 'text', nullable: true })
  resolutionNote!: string | null;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt!: Date | null;

  @Column({ name: 'resolved_by_label', type: 'text', nullable: true })
  resolvedByLabel!: string | null;

  @VersionColumn()
  version!: number;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/**
 * A clearance (監査完了): the lead auditor's attestation, bound by `digest` to the
 * canonical `payload` (format in `domain/clearance-snapshot.ts`). Never deleted;
 * withdrawn (once) when a later change breaks its conditions. At most one stands
 * per engagement; the partial index on the incident answers "does a clearance
 * stand?" for the promotion gate from a few index entries.
 */
@Entity('audit_clearances')
@Index('UQ_audit_clearances_standing', ['engagementId'], { unique: true, where: '"withdrawn_at" IS NULL' })
@Index('IDX_audit_clearances_incident_standing', ['incidentId'], { where: '"withdrawn_at" IS NULL' })
@Index('IDX_audit_clearances_engagement', ['engagementId', 'clearedAt'])
@Check('CHK_audit_clearances_digest', `"digest" ~ '^[0-9a-f]{64}$'`)
@Check('CHK_audit_clearances_withdrawn', `("withdrawn_at" IS NULL) = ("withdrawal_reason" IS NULL)`)
export class AuditClearanceEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'engagement_id', type: 'uuid' })
  engagementId!: string;
  @ManyToOne(() => AuditEngagementEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'engagement_id' })
  readonly engagementRef?: AuditEngagementEntity;

  @Column({ name: 'incident_id', type: 'uuid' })
  incidentId!: string;
  @ManyToOne(() => IncidentEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'incident_id' })
  readonly incidentRef?: IncidentEntity;

  @Column({ name: 'cleared_by_id', type: 'uuid', nullable: true })
  clearedById!: string | null;
  @ManyToOne(() => UserEntity, { nullable: true, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'cleared_by_id' })
  readonly clearedByRef?: UserEntity;

  @Column({ name: 'cleared_by_label', type: 'text' })
  clearedByLabel!: string;

  @Column({ name: 'cleared_at', type: 'timestamptz' })
  clearedAt!: Date;

  @Column({ type: 'text' })
  statement!: string;

  /** Lowercase hex SHA-256 of the RFC 8785 form of `payload`. */
  @Column({ type: 'text' })
  digest!: string;

  /** Exactly what was hashed (`clearancePayload`). */
  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  /** The lead auditor's second-factor proof, as in the payload; null before clearance/v2 or where waived. */
  @Column({ name: 'signer_proof', type: 'jsonb', nullable: true })
  signerProof!: SignerProof | null;

  @Column({ name: 'withdrawn_at', type: 'timestamptz', nullable: true })
  withdrawnAt!: Date | null;

  /** What broke it, e.g. "CM-004 moved VERIFIED → REOPENED: ...". */
  @Column({ name: 'withdrawal_reason', type: 'text', nullable: true })
  withdrawalReason!: string | null;

  /** Whose change broke it (`system:...` for an expiry). */
  @Column({ name: 'withdrawn_by_label', type: 'text', nullable: true })
  withdrawnByLabel!: string | null;
}

/**
 * An executive's acceptance of a risk (リスク受容): of an open finding, or of an
 * unmet evidence requirement. Standing while `ended_at IS NULL` and its last day
 * (`expires_on`, Asia/Tokyo) is not past; ended (never deleted) by revocation,
 * by the expiry sweep, or when the finding is resolved.
 */
@Entity('audit_risk_acceptances')
@Index('UQ_audit_risk_acceptances_finding', ['findingId'], { unique: true, where: '"ended_at" IS NULL AND "finding_id" IS NOT NULL' })
@Index('UQ_audit_risk_acceptances_requirement', ['requirementId'], {
  unique: true,
  where: '"ended_at" IS NULL AND "requirement_id" IS NOT NULL',
})
@Index('IDX_audit_risk_acceptances_expiry', ['expiresOn'], { where: '"ended_at" IS NULL' })
@Index('IDX_audit_risk_acceptances_incident', ['incidentId', 'acceptedAt'])
@Check('CHK_audit_risk_acceptances_subject', `("finding_id" IS NULL) <> ("requirement_id" IS NULL)`)
@Check('CHK_audit_risk_acceptances_end_kind', `"end_kind" IS NULL OR ${inListCheck('end_kind', RISK_ACCEPTANCE_END_KINDS)}`)
@Check('CHK_audit_risk_acceptances_ended', `("ended_at" IS NULL) = ("end_kind" IS NULL)`)
export class RiskAcceptanceEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'incident_id', type: 'uuid' })
  incidentId!: string;
  @ManyToOne(() => IncidentEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'incident_id' })
  readonly incidentRef?: IncidentEntity;

  @Column({ name: 'finding_id', type: 'uuid', nullable: true })
  findingId!: string | null;
  @ManyToOne(() => AuditFindingEntity, { nullable: true, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'finding_id' })
  readonly findingRef?: AuditFindingEntity;

  @Column({ name: 'requirement_id', type: 'uuid', nullable: true })
  requirementId!: string | null;
  @ManyToOne(() => RequirementEntity, { nullable: true, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'requirement_id' })
  readonly requirementRef?: RequirementEntity;

  @Column({ type: 'text' })
  justification!: string;

  @Column({ name: 'compensating_controls', type: 'text' })
  compensatingControls!: string;

  /** The last day the acceptance holds (Asia/Tokyo); from the next day the item is open again. */
  @Column({ name: 'expires_on', type: 'date' })
  expiresOn!: string;

  @Column({ name: 'accepted_by_id', type: 'uuid', nullable: true })
  acceptedById!: string | null;
  @ManyToOne(() => UserEntity, { nullable: true, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'accepted_by_id' })
  readonly acceptedByRef?: UserEntity;

  @Column({ name: 'accepted_by_label', type: 'text' })
  acceptedByLabel!: string;

  @Column({ name: 'accepted_at', type: 'timestamptz' })
  acceptedAt!: Date;

  /** The executive's second-factor proof for this acceptance (as in its trail entry); null before it was recorded. */
  @Column({ name: 'signer_proof', type: 'jsonb', nullable: true })
  signerProof!: SignerProof | null;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;

  @Column({ name: 'end_kind', type: 'text', nullable: true })
  endKind!: RiskAcceptanceEndKind | null;

  @Column({ name: 'end_reason', type: 'text', nullable: true })
  endReason!: string | null;

  @Column({ name: 'ended_by_label', type: 'text', nullable: true })
  endedByLabel!: string | null;
}
