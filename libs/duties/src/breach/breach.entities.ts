import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, VersionColumn } from 'typeorm';
import { inListCheck } from '@app/database';
import { IncidentEntity } from '@app/incidents';
import type { NineItems } from '../domain/nine-items';

export const FILING_STATUSES = ['DRAFT', 'SUBMITTED'] as const;
export type FilingStatus = (typeof FILING_STATUSES)[number];
/** How a filing reached the authority: the PPC's web form (the usual way), or another channel it accepted. */
export const FILING_CHANNELS = ['PPC_WEB_FORM', 'MINISTRY_FORM', 'EMAIL', 'POST', 'IN_PERSON'] as const;
export type FilingChannel = (typeof FILING_CHANNELS)[number];
export const NOTICE_CHANNELS = ['POST', 'EMAIL'] as const;
export type NoticeChannel = (typeof NOTICE_CHANNELS)[number];
const KINDS = ['PRELIMINARY', 'FINAL', 'SUPPLEMENT'] as const;

// created_at and updated_at are the app Clock's (set by the services), not PostgreSQL's transaction time: a replayed
// load (the demo) dates them on its story's clock, and a submitted filing is never touched again to redate it.

/**
 * The breach-notification record of an incident (one per incident): when the company knew (覚知), the cases it
 * asserts with their rationale (the count-derived case 4 is computed, not stored), the number of individuals, the
 * authority and the reporting business. The deadlines are computed from the rule pack named here (the one in effect
 * on the knowledge day) whenever they are read.
 */
@Entity('breach_notifications')
@Index('UQ_breach_notifications_incident', ['incidentId'], { unique: true })
@Check('CHK_breach_notifications_counts', '"individuals_estimate" >= 0 AND "individuals_confirmed" >= 0')
export class BreachNotificationEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'incident_id', type: 'uuid' }) incidentId!: string;
  @ManyToOne(() => IncidentEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'incident_id' })
  readonly incidentRef?: IncidentEntity;
  @Column({ name: 'rule_pack_id', type: 'text' }) rulePackId!: string;
  @Column({ name: 'known_at', type: 'timestamptz' }) knownAt!: Date;
  /** [{ code, rationale }]: cases asserted by a person. */
  @Column({ name: 'asserted_cases', type: 'jsonb', default: () => "'[]'" }) assertedCases!: { code: string; rationale: string }[];
  @Column({ name: 'individuals_estimate', type: 'int', nullable: true }) individualsEstimate!: number | null;
  @Column({ name: 'individuals_estimated_on', type: 'date', nullable: true }) individualsEstimatedOn!: string | null;
  @Column({ name: 'individuals_confirmed', type: 'int', nullable: true }) individualsConfirmed!: number | null;
  @Column({ name: 'individuals_confirmed_on', type: 'date', nullable: true }) individualsConfirmedOn!: string | null;
  /** The rule pack's authority code (PPC, DELEGATED_MINISTER). */
  @Column({ name: 'authority_code', type: 'text' }) authorityCode!: string;
  /** The authority as named on the filing, e.g. 経済産業大臣 when the PPC's power is delegated. */
  @Column({ name: 'authority_name', type: 'text' }) authorityName!: string;
  /** The reporting business (the company, not the employee who files). */
  @Column({ type: 'text' }) reporter!: string;
  @VersionColumn() version!: number;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' }) updatedAt!: Date;
}

/**
 * A filing to the authority: PRELIMINARY (速報), FINAL (確報) or SUPPLEMENT (追完, numbered). A DRAFT holds the nine
 * items being written; SUBMITTED freezes them with the submission's time, channel, reference number, the due day and
 * the days late as they stood, and the SHA-256 of the filed items (nine-items.ts). The database refuses any change to
 * a submitted filing and any deletion.
 */
@Entity('breach_filings')
@Index('IDX_breach_filings_notification', ['notificationId', 'createdAt'])
@Index('UQ_breach_filings_once', ['notificationId', 'kind'], { unique: true, where: `"kind" IN ('PRELIMINARY', 'FINAL')` })
@Index('UQ_breach_filings_supplement', ['notificationId', 'supplementNo'], { unique: true, where: '"supplement_no" IS NOT NULL' })
@Index('IDX_breach_filings_open', ['status', 'kind'], { where: `"status" = 'DRAFT'` })
@Check('CHK_breach_filings_kind', inListCheck('kind', KINDS))
@Check('CHK_breach_filings_status', inListCheck('status', FILING_STATUSES))
@Check(
  'CHK_breach_filings_submitted',
  `("status" = 'DRAFT') = ("submitted_at" IS NULL AND "items_sha256" IS NULL AND "reference_number" IS NULL AND "late_days" IS NULL)`,
)
@Check('CHK_breach_filings_supplement', `("kind" = 'SUPPLEMENT') = ("supplement_no" IS NOT NULL)`)
export class BreachFilingEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'notification_id', type: 'uuid' }) notificationId!: string;
  @ManyToOne(() => BreachNotificationEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'notification_id' })
  readonly notificationRef?: BreachNotificationEntity;
  @Column({ name: 'incident_id', type: 'uuid' }) incidentId!: string;
  @ManyToOne(() => IncidentEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'incident_id' })
  readonly incidentRef?: IncidentEntity;
  @Column({ type: 'text' }) kind!: (typeof KINDS)[number];
  @Column({ name: 'supplement_no', type: 'int', nullable: true }) supplementNo!: number | null;
  @Column({ type: 'text', default: 'DRAFT' }) status!: FilingStatus;
  @Column({ type: 'jsonb' }) items!: NineItems;
  @Column({ name: 'rule_pack_id', type: 'text' }) rulePackId!: string;
  /** Frozen at submission (computed from the record while a draft). */
  @Column({ name: 'due_on', type: 'date', nullable: true }) dueOn!: string | null;
  @Column({ name: 'submitted_at', type: 'timestamptz', nullable: true }) submittedAt!: Date | null;
  @Column({ type: 'text', nullable: true }) channel!: FilingChannel | null;
  @Column({ name: 'reference_number', type: 'text', nullable: true }) referenceNumber!: string | null;
  @Column({ name: 'late_days', type: 'int', nullable: true }) lateDays!: number | null;
  @Column({ name: 'items_sha256', type: 'text', nullable: true }) itemsSha256!: string | null;
  @Column({ name: 'submitted_by_id', type: 'uuid', nullable: true }) submittedById!: string | null;
  @Column({ name: 'submitted_by_label', type: 'text', nullable: true }) submittedByLabel!: string | null;
  @Column({ name: 'created_by_id', type: 'uuid', nullable: true }) createdById!: string | null;
  @VersionColumn() version!: number;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' }) updatedAt!: Date;
}

/**
 * Notice to the individuals (本人通知) as a campaign: by post or e-mail, planned, sent and returned (or bounced)
 * counts with dates; and, for those who cannot be reached, the substitute (publication on the website and an inquiry
 * desk) with its date.
 */
@Entity('notice_campaigns')
@Index('IDX_notice_campaigns_notification', ['notificationId', 'createdAt'])
@Check('CHK_notice_campaigns_channel', inListCheck('channel', NOTICE_CHANNELS))
@Check(
  'CHK_notice_campaigns_counts',
  '"planned_count" >= 0 AND "sent_count" >= 0 AND "returned_count" >= 0 AND "unreachable_count" >= 0 AND "sent_count" <= "planned_count" AND "returned_count" <= "sent_count"',
)
export class NoticeCampaignEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'notification_id', type: 'uuid' }) notificationId!: string;
  @ManyToOne(() => BreachNotificationEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'notification_id' })
  readonly notificationRef?: BreachNotificationEntity;
  @Column({ name: 'incident_id', type: 'uuid' }) incidentId!: string;
  @ManyToOne(() => IncidentEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'incident_id' })
  readonly incidentRef?: IncidentEntity;
  @Column({ type: 'text' }) channel!: NoticeChannel;
  @Column({ name: 'planned_count', type: 'int' }) plannedCount!: number;
  @Column({ name: 'sent_count', type: 'int', default: 0 }) sentCount!: number;
  @Column({ name: 'returned_count', type: 'int', default: 0 }) returnedCount!: number;
  @Column({ name: 'started_on', type: 'date', nullable: true }) startedOn!: string | null;
  @Column({ name: 'completed_on', type: 'date', nullable: true }) completedOn!: string | null;
  /** Individuals who cannot be reached (no contact details, returned): covered by the substitute below. */
  @Column({ name: 'unreachable_count', type: 'int', default: 0 }) unreachableCount!: number;
  @Column({ name: 'substitute_published_on', type: 'date', nullable: true }) substitutePublishedOn!: string | null;
  @Column({ name: 'substitute_inquiry_desk', type: 'text', nullable: true }) substituteInquiryDesk!: string | null;
  @Column({ type: 'text', default: '' }) note!: string;
  @VersionColumn() version!: number;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' }) updatedAt!: Date;
}
