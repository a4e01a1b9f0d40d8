import { inListCheck } from '@app/database';
import { UserEntity } from '@app/identity';
import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { EMAIL_STATUSES, NOTIFICATION_KINDS, type EmailStatus, type NotificationKind } from './domain/notification-kinds';

/**
 * One notification for one user (an inbox entry, and possibly an e-mail).
 * Created by the reminder job and the gate listener only, never edited but for
 * `read_at` and the e-mail's delivery. The subject columns say what it is about
 * (its link is computed from kind and `countermeasure_key`: domain/notification-links.ts);
 * `dedupe_key` (kind, subject, period) is unique per user, so a second run of
 * the job creates nothing.
 *
 * The e-mail columns are its outbox: PENDING (due at `email_next_attempt_at`)
 * → SENDING (claimed by one worker until `email_next_attempt_at`, the lease)
 * → SENT, or PENDING again after a failed attempt (retry schedule:
 * domain/email-delivery.ts), or FAILED for good.
 */
@Entity('notifications')
@Index('UQ_notifications_user_dedupe', ['userId', 'dedupeKey'], { unique: true })
// A user's inbox, newest first (scanned backwards), and its unread part (count and list).
@Index('IDX_notifications_inbox', ['userId', 'createdAt', 'id'], { where: '"in_inbox"' })
@Index('IDX_notifications_unread', ['userId', 'createdAt', 'id'], { where: '"in_inbox" AND "read_at" IS NULL' })
// E-mail due (first attempt, retry, or a claim whose sender died), by due time.
@Index('IDX_notifications_email_due', ['emailNextAttemptAt'], { where: `"email_status" IN ('PENDING', 'SENDING')` })
@Check('CHK_notifications_kind', inListCheck('kind', NOTIFICATION_KINDS))
@Check('CHK_notifications_email_status', `"email_status" IS NULL OR ${inListCheck('email_status', EMAIL_STATUSES)}`)
@Check('CHK_notifications_email_to', `("email_status" IS NULL) = ("email_to" IS NULL)`)
@Check('CHK_notifications_email_due', `COALESCE("email_status" IN ('PENDING', 'SENDING'), false) = ("email_next_attempt_at" IS NOT NULL)`)
export class NotificationEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;
  @ManyToOne(() => UserEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id' })
  readonly userRef?: UserEntity;

  @Column({ type: 'text' })
  kind!: NotificationKind;

  /** Japanese, one line (also the e-mail subject). */
  @Column({ type: 'text' })
  title!: string;

  /** Japanese, a few lines (also the e-mail text). */
  @Column({ type: 'text' })
  body!: string;

  /** `<kind>:<subject>:<period>`, unique per user. */
  @Column({ name: 'dedupe_key', type: 'text' })
  dedupeKey!: string;

  // ---- what it is about (for links; whichever apply) ------------------------------------------

  @Column({ name: 'incident_id', type: 'uuid', nullable: true })
  incidentId!: string | null;

  @Column({ name: 'countermeasure_id', type: 'uuid', nullable: true })
  countermeasureId!: string | null;

  /** CM-004 */
  @Column({ name: 'countermeasure_key', type: 'text', nullable: true })
  countermeasureKey!: string | null;

  @Column({ name: 'requirement_id', type: 'uuid', nullable: true })
  requirementId!: string | null;

  @Column({ name: 'evidence_id', type: 'uuid', nullable: true })
  evidenceId!: string | null;

  @Column({ name: 'risk_acceptance_id', type: 'uuid', nullable: true })
  riskAcceptanceId!: string | null;

  @Column({ name: 'finding_id', type: 'uuid', nullable: true })
  findingId!: string | null;

  /** new-customer-promotion */
  @Column({ name: 'gate_key', type: 'text', nullable: true })
  gateKey!: string | null;

  @Column({ name: 'gate_change_id', type: 'uuid', nullable: true })
  gateChangeId!: string | null;

  /** The facts the words were made from (dates, counts, lists), for clients that lay them out themselves. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  data!: Record<string, unknown>;

  // ---- the inbox ------------------------------------------------------------------------------

  /** Shown in the inbox (the user's preference when it was created); false: e-mail only. */
  @Column({ name: 'in_inbox', type: 'boolean' })
  inInbox!: boolean;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'read_at', type: 'timestamptz', nullable: true })
  readAt!: Date | null;

  // ---- e-mail (null: not sent by e-mail) -------------------------------------------------------

  @Column({ name: 'email_status', type: 'text', nullable: true })
  emailStatus!: EmailStatus | null;

  /** The address at creation time. */
  @Column({ name: 'email_to', type: 'text', nullable: true })
  emailTo!: string | null;

  /** When the latest attempt began. */
  @Column({ name: 'email_attempted_at', type: 'timestamptz', nullable: true })
  emailAttemptedAt!: Date | null;

  /** Attempts begun so far (counted when claimed). */
  @Column({ name: 'email_attempts', type: 'integer', default: 0 })
  emailAttempts!: number;

  /** PENDING: when it is due (creation, or the retry after a failed attempt); SENDING: when the claim lapses; otherwise null. */
  @Column({ name: 'email_next_attempt_at', type: 'timestamptz', nullable: true })
  emailNextAttemptAt!: Date | null;

  @Column({ name: 'email_sent_at', type: 'timestamptz', nullable: true })
  emailSentAt!: Date | null;

  /** The SMTP server's answer or the connection error of the latest failed attempt (kept while a retry is pending), or why it was not sent. */
  @Column({ name: 'email_error', type: 'text', nullable: true })
  emailError!: string | null;

  @Column({ name: 'email_message_id', type: 'text', nullable: true })
  emailMessageId!: string | null;
}

/** A user's choice for one kind; no row: `defaultPreference(kind)`. */
@Entity('notification_preferences')
@Check('CHK_notification_preferences_kind', inListCheck('kind', NOTIFICATION_KINDS))
export class NotificationPreferenceEntity {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;
  @ManyToOne(() => UserEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id' })
  readonly userRef?: UserEntity;

  @PrimaryColumn({ type: 'text' })
  kind!: NotificationKind;

  @Column({ type: 'boolean' })
  inbox!: boolean;

  @Column({ type: 'boolean' })
  email!: boolean;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
