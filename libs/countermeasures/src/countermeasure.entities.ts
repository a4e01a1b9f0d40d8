import { inListCheck } from '@app/database';
import { UserEntity } from '@app/identity';
import { IncidentEntity } from '@app/incidents';
import {
  Check,
  JoinColumn,
  ManyToOne,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';

// The countermeasures context's tables: the countermeasure and its parties, requirements,
// transitions, due-date changes and dependencies here; its targets in
// countermeasure-target.entity.ts; the counts kept for the dashboard in
// countermeasure-kept-state.entities.ts.
//
// The `...Ref` relations are never loaded: they only declare the foreign keys, so the
// database itself refuses a row that points at nothing (ON DELETE RESTRICT).
import {
  ALL_COUNTERMEASURE_STATUSES,
  ALL_TRANSITION_CAUSES,
  isOpen,
  type CountermeasureStatus,
  type TransitionCause,
} from './domain/countermeasure-workflow';
import { COUNTERMEASURE_CATEGORIES, PRIORITIES, type CountermeasureCategory, type Priority } from './domain/countermeasure-fields';

/** The open statuses (`isOpen`) as an index predicate. */
const OPEN_PREDICATE = `"status" IN (${ALL_COUNTERMEASURE_STATUSES.filter(isOpen)
  .map((s) => `'${s}'`)
  .join(', ')})`;

/** A promised countermeasure (対策), e.g. CM-004 アクセス権限の絞り込み. */
@Entity('countermeasures')
@Index('UQ_countermeasures_incident_seq', ['incidentId', 'seq'], { unique: true })
@Index('IDX_countermeasures_incident_status', ['incidentId', 'status'])
@Index('IDX_countermeasures_owner', ['ownerId', 'status'])
@Index('IDX_countermeasures_due_date', ['incidentId', 'dueDate', 'seq'])
@Index('IDX_countermeasures_category', ['incidentId', 'category'])
// The list's key order across incidents ((seq, id), and its keyset cursor) read from an index, not sorted.
@Index('IDX_countermeasures_key_order', ['seq', 'id'])
// The dashboard's lists and counts read these partial indexes instead of the whole plan:
// open work by due date (overdue, due soon) and by owner (load per owner), blocked work
// by how long it has been blocked, verified ongoing measures (at risk when evidence goes stale).
@Index('IDX_countermeasures_open_due', ['incidentId', 'dueDate', 'seq'], { where: OPEN_PREDICATE })
@Index('IDX_countermeasures_open_owner', ['incidentId', 'ownerId', 'dueDate'], { where: OPEN_PREDICATE })
@Index('IDX_countermeasures_blocked', ['incidentId', 'statusChangedAt', 'seq'], { where: `"status" = 'BLOCKED'` })
@Index('IDX_countermeasures_ongoing_verified', ['incidentId', 'dueDate', 'seq'], {
  where: `"ongoing" AND "status" IN ('VERIFIED', 'OPERATING', 'DEGRADED')`,
})
@Check('CHK_countermeasures_status', inListCheck('status', ALL_COUNTERMEASURE_STATUSES))
@Check('CHK_countermeasures_resume_status', `("status" = 'BLOCKED') = ("resume_status" IS NOT NULL)`)
@Check('CHK_countermeasures_category', inListCheck('category', COUNTERMEASURE_CATEGORIES))
@Check('CHK_countermeasures_priority', inListCheck('priority', PRIORITIES))
export class CountermeasureEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'incident_id', type: 'uuid' })
  incidentId!: string;
  @ManyToOne(() => IncidentEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'incident_id' })
  readonly incidentRef?: IncidentEntity;

  /** 1, 2, 3... within the incident; the key is CM-001, CM-002... */
  @Column({ type: 'integer' })
  seq!: number;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'text', default: '' })
  description!: string;

  @Column({ type: 'text' })
  category!: CountermeasureCategory;

  @Column({ name: 'owner_id', type: 'uuid' })
  ownerId!: string;
  @ManyToOne(() => UserEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'owner_id' })
  readonly ownerRef?: UserEntity;

  @Column({ type: 'text' })
  priority!: Priority;

  /** Calendar day (YYYY-MM-DD). Overdue is computed from it, never stored. */
  @Column({ name: 'due_date', type: 'date' })
  dueDate!: string;

  /** Must be VERIFIED before sales promotion to new customers may resume. */
  @Column({ name: 'required_for_gate', type: 'boolean', default: false })
  requiredForGate!: boolean;

  /** An ongoing measure (24-hour monitoring, the hotline) that keeps operating after verification. */
  @Column({ type: 'boolean', default: false })
  ongoing!: boolean;

  @Column({ type: 'text' })
  status!: CountermeasureStatus;

  /** The action plan this is a sub-action of (a tree; no cycles). */
  @Index('IDX_countermeasures_parent')
  @Column({ name: 'parent_id', type: 'uuid', nullable: true })
  parentId!: string | null;
  @ManyToOne(() => CountermeasureEntity, { nullable: true, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'parent_id' })
  readonly parentRef?: CountermeasureEntity;

  /** Where BLOCKED returns to; set exactly while BLOCKED. */
  @Column({ name: 'resume_status', type: 'text', nullable: true })
  resumeStatus!: CountermeasureStatus | null;

  /**
   * When the current status was entered, and the reason given: the latest
   * transition's, kept by a database trigger on the transitions (never written
   * by the application), so "blocked since" and a past day's status need no
   * history scan.
   */
  @Column({ name: 'status_changed_at', type: 'timestamptz', default: () => 'now()', insert: false, update: false })
  readonly statusChangedAt!: Date;

  @Column({ name: 'status_reason', type: 'text', nullable: true, insert: false, update: false })
  readonly statusReason!: string | null;

  @VersionColumn()
  version!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

export function countermeasureKey(seq: number): string {
  return `CM-${String(seq).padStart(3, '0')}`;
}

@Entity('countermeasure_contributors')
@Index('IDX_countermeasure_contributors_user', ['userId'])
export class CountermeasureContributorEntity {
  @PrimaryColumn({ name: 'countermeasure_id', type: 'uuid' })
  countermeasureId!: string;
  @ManyToOne(() => CountermeasureEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'countermeasure_id' })
  readonly countermeasureRef?: CountermeasureEntity;

  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;
  @ManyToOne(() => UserEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id' })
  readonly userRef?: UserEntity;
}

export const PARTY_ROLES = ['OWNER', 'CONTRIBUTOR'] as const;
export type PartyRole = (typeof PARTY_ROLES)[number];

/**
 * The party history: who owned or contributed to a countermeasure, from when
 * until when (`until` null: still). Written in the transaction of every change
 * of owner or contributors (create, assignOwner, setContributors), never
 * updated otherwise; segregation of duties asks it (`CountermeasuresService.everyParty`):
 * whoever ever owned or contributed may not review or sign off the item.
 * `startedByEntryId` / `endedByEntryId`: the audit-trail entry of the change
 * (the trail's `id`; null for rows the migration could not tie to one entry).
 */
@Entity('countermeasure_parties')
@Index('IDX_countermeasure_parties_cm', ['countermeasureId', 'since'])
@Index('IDX_countermeasure_parties_user', ['userId'])
@Index('UQ_countermeasure_parties_current', ['countermeasureId', 'userId', 'role'], { unique: true, where: '"until" IS NULL' })
@Check('CHK_countermeasure_parties_role', inListCheck('role', PARTY_ROLES))
@Check('CHK_countermeasure_parties_period', '"until" IS NULL OR "until" >= "since"')
export class CountermeasurePartyEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'countermeasure_id', type: 'uuid' })
  countermeasureId!: string;
  @ManyToOne(() => CountermeasureEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'countermeasure_id' })
  readonly countermeasureRef?: CountermeasureEntity;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;
  @ManyToOne(() => UserEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id' })
  readonly userRef?: UserEntity;

  @Column({ type: 'text' })
  role!: PartyRole;

  @Column({ type: 'timestamptz' })
  since!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  until!: Date | null;

  @Column({ name: 'started_by_entry_id', type: 'uuid', nullable: true })
  startedByEntryId!: string | null;

  @Column({ name: 'ended_by_entry_id', type: 'uuid', nullable: true })
  endedByEntryId!: string | null;
}

/** What must be shown (証跡の要件), e.g. "access-right review of every customer DB". */
@Entity('countermeasure_requirements')
@Index('IDX_countermeasure_requirements_cm', ['countermeasureId', 'position'])
@Index('IDX_countermeasure_requirements_recurring', ['countermeasureId', 'latestAcceptedEffectiveOn'], {
  where: '"recurrence_days" IS NOT NULL',
})
@Check('CHK_countermeasure_requirements_risk', '("risk_accepted_until" IS NULL) = ("risk_acceptance_id" IS NULL)')
@Check(
  'CHK_countermeasure_requirements_evidence_counts',
  '"accepted_evidence_count" <= "live_evidence_count" AND "live_evidence_count" <= "evidence_total" AND "accepted_evidence_count" >= 0',
)
export class RequirementEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'countermeasure_id', type: 'uuid' })
  countermeasureId!: string;
  @ManyToOne(() => CountermeasureEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'countermeasure_id' })
  readonly countermeasureRef?: CountermeasureEntity;

  @Column({ type: 'integer' })
  position!: number;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'text', default: '' })
  description!: string;

  /** For a recurring requirement ("monthly monitoring report"): evidence older than this many days is stale. */
  @Column({ name: 'recurrence_days', type: 'integer', nullable: true })
  recurrenceDays!: number | null;

  // The current evidence state, kept where it is read. Maintained by the evidence
  // context in the transaction of every submission, review, supersession and
  // withdrawal (recomputed from the evidence rows, never incremented blindly).

  /** Evidence ever submitted for it, withdrawn and superseded versions included (a requirement with any is kept). */
  @Column({ name: 'evidence_total', type: 'integer', default: 0 })
  evidenceTotal!: number;

  /** Live evidence: the latest version of each item, not withdrawn. */
  @Column({ name: 'live_evidence_count', type: 'integer', default: 0 })
  liveEvidenceCount!: number;

  /** Live evidence whose latest review ACCEPTED exactly its bytes. */
  @Column({ name: 'accepted_evidence_count', type: 'integer', default: 0 })
  acceptedEvidenceCount!: number;

  /** The newest effective date among live accepted evidence: what freshness is measured from. */
  @Column({ name: 'latest_accepted_effective_on', type: 'date', nullable: true })
  latestAcceptedEffectiveOn!: string | null;

  /**
   * An executive's standing risk acceptance of this requirement being unmet
   * (kept in step by the audits context): through this day (Asia/Tokyo) the
   * requirement counts as covered for IMPLEMENTED and the sign-off; when it ends
   * the requirement is open again by itself.
   */
  @Column({ name: 'risk_accepted_until', type: 'date', nullable: true })
  riskAcceptedUntil!: string | null;

  @Column({ name: 'risk_acceptance_id', type: 'uuid', nullable: true })
  riskAcceptanceId!: string | null;
}

/** Whether a standing risk acceptance covers the requirement on `today` (YYYY-MM-DD). */
export function riskAccepted(r: Pick<RequirementEntity, 'riskAcceptedUntil'>, today: string): boolean {
  return r.riskAcceptedUntil !== null && r.riskAcceptedUntil >= today;
}

/** Every status change: who, when, from, to, why. Never updated. */
@Entity('countermeasure_transitions')
@Index('IDX_countermeasure_transitions_cm', ['countermeasureId', 'at'])
@Check('CHK_countermeasure_transitions_cause', inListCheck('cause', ALL_TRANSITION_CAUSES))
export class TransitionEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'countermeasure_id', type: 'uuid' })
  countermeasureId!: string;
  @ManyToOne(() => CountermeasureEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'countermeasure_id' })
  readonly countermeasureRef?: CountermeasureEntity;

  @Column({ name: 'from_status', type: 'text', nullable: true, comment: 'null for the creation' })
  fromStatus!: CountermeasureStatus | null;

  @Column({ name: 'to_status', type: 'text' })
  toStatus!: CountermeasureStatus;

  @Column({ type: 'text' })
  cause!: TransitionCause;

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

/** Re-planning: a due date is never silently rewritten. */
@Entity('countermeasure_due_date_changes')
@Index('IDX_countermeasure_due_date_changes_cm', ['countermeasureId', 'at'])
export class DueDateChangeEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'countermeasure_id', type: 'uuid' })
  countermeasureId!: string;
  @ManyToOne(() => CountermeasureEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'countermeasure_id' })
  readonly countermeasureRef?: CountermeasureEntity;

  @Column({ name: 'old_due_date', type: 'date' })
  oldDueDate!: string;

  @Column({ name: 'new_due_date', type: 'date' })
  newDueDate!: string;

  @Column({ type: 'text' })
  reason!: string;

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

/** "This countermeasure depends on that one" (a directed graph without cycles). */
@Entity('countermeasure_dependencies')
@Index('IDX_countermeasure_dependencies_depends_on', ['dependsOnId'])
@Check('CHK_countermeasure_dependencies_not_self', `"countermeasure_id" <> "depends_on_id"`)
export class CountermeasureDependencyEntity {
  @PrimaryColumn({ name: 'countermeasure_id', type: 'uuid' })
  countermeasureId!: string;
  @ManyToOne(() => CountermeasureEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'countermeasure_id' })
  readonly countermeasureRef?: CountermeasureEntity;

  @PrimaryColumn({ name: 'depends_on_id', type: 'uuid' })
  dependsOnId!: string;
  @ManyToOne(() => CountermeasureEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'depends_on_id' })
  readonly dependsOnRef?: CountermeasureEntity;
}
