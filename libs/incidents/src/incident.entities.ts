import { inListCheck } from '@app/database';
import { UserEntity } from '@app/identity';
import {
  Check,
  JoinColumn,
  ManyToOne,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';

// The `...Ref` relations are never loaded: they only declare the foreign keys, so the
// database itself refuses a row that points at nothing (ON DELETE RESTRICT).

/** A personal-data breach case (個人情報漏えい事案). One deployment may track several. */
@Entity('incidents')
export class IncidentEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'text' })
  summary!: string;

  /** Dates are calendar days (YYYY-MM-DD), as the letter gives them. */
  @Column({ name: 'detected_on', type: 'date', nullable: true })
  detectedOn!: string | null;

  @Column({ name: 'police_reported_on', type: 'date', nullable: true })
  policeReportedOn!: string | null;

  @Column({ name: 'regulator_reported_on', type: 'date', nullable: true })
  regulatorReportedOn!: string | null;

  @Column({ name: 'disclosed_on', type: 'date', nullable: true })
  disclosedOn!: string | null;

  @VersionColumn()
  version!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/**
 * Timeline and inventory entries are never deleted: a removal sets these three
 * columns (all or none, checked by the table), and the lists hide removed
 * entries unless asked for them. So "what did the incident list on 10 October?"
 * stays answerable from the rows and the trail.
 */
export abstract class RemovableEntry {
  @Column({ name: 'removed_at', type: 'timestamptz', nullable: true })
  removedAt!: Date | null;

  /** Who removed it: the actor's label (e-mail, or `system:<what>`), as in the audit trail. */
  @Column({ name: 'removed_by_label', type: 'text', nullable: true })
  removedByLabel!: string | null;

  @Column({ name: 'removal_reason', type: 'text', nullable: true })
  removalReason!: string | null;
}

/** The CHECK of RemovableEntry: a removal is complete (when, who, why) or absent. */
export const REMOVAL_CHECK =
  '("removed_at" IS NULL AND "removed_by_label" IS NULL AND "removal_reason" IS NULL) OR ' +
  '("removed_at" IS NOT NULL AND "removed_by_label" IS NOT NULL AND "removal_reason" IS NOT NULL)';

export const INCIDENT_EVENT_KINDS = [
  'DETECTED',
  'INVESTIGATION_STEP',
  'REPORTED_TO_POLICE',
  'REPORTED_TO_REGULATOR',
  'PUBLIC_DISCLOSURE',
  'CUSTOMER_NOTICE',
  'WEBSITE_UPDATE',
  'CONTAINMENT',
  'OTHER',
] as const;
export type IncidentEventKind = (typeof INCIDENT_EVENT_KINDS)[number];

@Entity('incident_events')
@Index('IDX_incident_events_incident', ['incidentId', 'occurredOn'])
@Check('CHK_incident_events_kind', inListCheck('kind', INCIDENT_EVENT_KINDS))
@Check('CHK_incident_events_removal', REMOVAL_CHECK)
export class IncidentEventEntity extends RemovableEntry {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'incident_id', type: 'uuid' })
  incidentId!: string;
  @ManyToOne(() => IncidentEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'incident_id' })
  readonly incidentRef?: IncidentEntity;

  @Column({ name: 'occurred_on', type: 'date' })
  occurredOn!: string;

  @Column({ type: 'text' })
  kind!: IncidentEventKind;

  @Column({ type: 'text' })
  description!: string;
}

/** A system of the incident's inventory (the leaked database, every customer database). */
@Entity('incident_systems')
@Index('IDX_incident_systems_incident', ['incidentId'])
@Check('CHK_incident_systems_removal', REMOVAL_CHECK)
export class IncidentSystemEntity extends RemovableEntry {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'incident_id', type: 'uuid' })
  incidentId!: string;
  @ManyToOne(() => IncidentEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'incident_id' })
  readonly incidentRef?: IncidentEntity;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', default: '' })
  description!: string;

  /** The system the data left from. */
  @Column({ name: 'leak_source', type: 'boolean', default: false })
  leakSource!: boolean;

  /** Holds customer data (in scope of "every customer database"). */
  @Column({ name: 'holds_customer_data', type: 'boolean', default: true })
  holdsCustomerData!: boolean;
}

/** A category of personal data, marked leaked or confirmed not leaked. */
@Entity('incident_data_categories')
@Index('IDX_incident_data_categories_incident', ['incidentId'])
@Check('CHK_incident_data_categories_removal', REMOVAL_CHECK)
export class IncidentDataCategoryEntity extends RemovableEntry {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'incident_id', type: 'uuid' })
  incidentId!: string;
  @ManyToOne(() => IncidentEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'incident_id' })
  readonly incidentRef?: IncidentEntity;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'boolean' })
  leaked!: boolean;
}

export const PARTY_KINDS = ['POLICE', 'REGULATOR', 'INVESTIGATION_FIRM', 'MONITORING_FIRM', 'AUDIT_FIRM', 'OTHER'] as const;
export type PartyKind = (typeof PARTY_KINDS)[number];

/** Authorities and outside parties involved. */
@Entity('incident_parties')
@Index('IDX_incident_parties_incident', ['incidentId'])
@Check('CHK_incident_parties_kind', inListCheck('kind', PARTY_KINDS))
@Check('CHK_incident_parties_removal', REMOVAL_CHECK)
export class IncidentPartyEntity extends RemovableEntry {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'incident_id', type: 'uuid' })
  incidentId!: string;
  @ManyToOne(() => IncidentEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'incident_id' })
  readonly incidentRef?: IncidentEntity;

  @Column({ type: 'text' })
  kind!: PartyKind;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', default: '' })
  role!: string;
}

/**
 * Membership of the incident's task force (情報セキュリティ対策強化の特別チーム).
 * A member who left keeps the row (left_on set): history is never lost.
 */
@Entity('task_force_members')
@Index('UQ_task_force_members_current', ['incidentId', 'userId'], { unique: true, where: '"left_on" IS NULL' })
@Index('UQ_task_force_members_chief', ['incidentId'], { unique: true, where: '"is_chief" AND "left_on" IS NULL' })
@Index('IDX_task_force_members_user', ['userId'])
export class TaskForceMemberEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'incident_id', type: 'uuid' })
  incidentId!: string;
  @ManyToOne(() => IncidentEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'incident_id' })
  readonly incidentRef?: IncidentEntity;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;
  @ManyToOne(() => UserEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id' })
  readonly userRef?: UserEntity;

  /** What they do in the task force, e.g. 最高責任者 (chief), 情報セキュリティ担当. */
  @Column({ name: 'role_title', type: 'text' })
  roleTitle!: string;

  @Column({ name: 'is_chief', type: 'boolean', default: false })
  isChief!: boolean;

  /**
   * The incident's legal lead: holds BREACH_REPORTS_FILE's standing for this incident only (prepares and submits the
   * PPC reports, runs the notice campaign), as the chief and executives do. Granted and withdrawn by those who manage
   * the task force (setTaskForceLegalLead), each time a trail entry.
   */
  @Column({ name: 'legal_lead', type: 'boolean', default: false })
  legalLead!: boolean;

  @Column({ name: 'joined_on', type: 'date' })
  joinedOn!: string;

  @Column({ name: 'left_on', type: 'date', nullable: true })
  leftOn!: string | null;
}
