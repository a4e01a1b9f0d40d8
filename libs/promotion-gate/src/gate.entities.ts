import { inListCheck } from '@app/database';
import { UserEntity } from '@app/identity';
import { IncidentEntity } from '@app/incidents';
import {
  Check,
  Column,
  type ValueTransformer,
  CreateDateColumn,
  Entity,
  Generated,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import { GATE_STATES, type Blocker, type DateRule, type GateState } from './domain/gate-rules';
import { withMessage, withoutMessage } from './domain/blocker-text';

/**
 * Blockers are stored as data (blocker-text.ts) and read with their sentence:
 * the column keeps the code and its parameters, every entity read gets
 * `message` made from them.
 */
const BLOCKERS_AS_DATA: ValueTransformer = {
  to: (value: { message?: string }[] | null | undefined) => value?.map(withoutMessage),
  from: (value: Blocker[] | null | undefined) => value?.map(withMessage),
};

export const GATE_CHANGE_CAUSES = ['CREATED', 'RULES_BROKEN', 'RULES_MET', 'AUTHORIZED', 'HELD_BY_HAND', 'HOLD_RELEASED'] as const;
export type GateChangeCause = (typeof GATE_CHANGE_CAUSES)[number];

/**
 * A named gate (`new-customer-promotion`): what it covers and its state, which
 * is derived from the rules (gate-rules.ts) and stored here, kept in step in
 * the transaction of every change that feeds the rules, so `canPromote` is one
 * primary-key read.
 */
@Entity('promotion_gates')
@Index('UQ_promotion_gates_key', ['key'], { unique: true })
@Index('IDX_promotion_gates_incident', ['incidentId'])
@Index('IDX_promotion_gates_reevaluate_at', ['reevaluateAt'], { where: '"reevaluate_at" IS NOT NULL' })
@Check('CHK_promotion_gates_state', inListCheck('state', GATE_STATES))
@Check('CHK_promotion_gates_key', `"key" ~ '^[a-z0-9][a-z0-9-]{1,62}$'`)
@Check('CHK_promotion_gates_open', `("state" = 'OPEN') = ("opened_at" IS NOT NULL)`)
@Check('CHK_promotion_gates_hold', `("held_at" IS NULL) = ("hold_reason" IS NULL)`)
export class PromotionGateEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'incident_id', type: 'uuid' })
  incidentId!: string;
  @ManyToOne(() => IncidentEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'incident_id' })
  readonly incidentRef?: IncidentEntity;

  /** Stable name the promotion systems use: lowercase letters, digits and hyphens. */
  @Column({ type: 'text' })
  key!: string;

  @Column({ type: 'text' })
  name!: string;

  /** What it covers (direct mail, phone and web campaigns to new customers...). */
  @Column({ type: 'text', default: '' })
  description!: string;

  /** Why it was suspended when created. */
  @Column({ name: 'created_reason', type: 'text' })
  createdReason!: string;

  @Column({ type: 'text' })
  state!: GateState;

  /** What stands in the way now (empty when ELIGIBLE or OPEN). */
  @Column({ type: 'jsonb', default: () => "'[]'", transformer: BLOCKERS_AS_DATA })
  blockers!: Blocker[];

  /**
   * The inputs that will stop holding by the calendar alone (gate-rules.ts,
   * "Rules with a date"), earliest first, as of the last evaluation. Every read
   * applies those whose instant has come (`gateAsOf`).
   */
  @Column({ name: 'date_rules', type: 'jsonb', default: () => "'[]'", transformer: BLOCKERS_AS_DATA })
  dateRules!: DateRule[];

  /** The earliest instant of `dateRules` (null: none): the sweep re-evaluates the gates whose instant has come. */
  @Column({ name: 'reevaluate_at', type: 'timestamptz', nullable: true })
  reevaluateAt!: Date | null;

  /** Users who may authorize the reopening; empty: the task-force chief. */
  @Column({ name: 'authorizer_ids', type: 'uuid', array: true, default: () => "'{}'" })
  authorizerIds!: string[];

  @Column({ name: 'opened_at', type: 'timestamptz', nullable: true })
  openedAt!: Date | null;

  @Column({ name: 'opened_by_label', type: 'text', nullable: true })
  openedByLabel!: string | null;

  @Column({ name: 'open_statement', type: 'text', nullable: true })
  openStatement!: string | null;

  @Column({ name: 'held_at', type: 'timestamptz', nullable: true })
  heldAt!: Date | null;

  @Column({ name: 'held_by_label', type: 'text', nullable: true })
  heldByLabel!: string | null;

  @Column({ name: 'hold_reason', type: 'text', nullable: true })
  holdReason!: string | null;

  /** Outbound webhook (set by an admin): where state changes are POSTed, signed with the secret. */
  @Column({ name: 'webhook_url', type: 'text', nullable: true })
  webhookUrl!: string | null;

  /** HMAC-SHA256 key of the webhook; never returned by the API. */
  @Column({ name: 'webhook_secret', type: 'text', nullable: true })
  webhookSecret!: string | null;

  /**
   * The webhook's own version: each configuration bumps it, and a configuration must name the one it
   * replaces (two admins never silently overwrite each other). Apart from `version`, which orders the
   * gate's decisions: setting a webhook does not make an executive's authorization stale.
   */
  @Column({
    name: 'webhook_version',
    type: 'integer',
    default: 1,
    comment: 'bumped by each webhook configuration; a configuration names the one it replaces',
  })
  webhookVersion!: number;

  @VersionColumn()
  version!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** Every state change of a gate: cause, actor, time and the blockers at that moment. Never updated. */
@Entity('promotion_gate_history')
@Index('IDX_promotion_gate_history_gate', ['gateId', 'at'])
@Check('CHK_promotion_gate_history_cause', inListCheck('cause', GATE_CHANGE_CAUSES))
export class GateChangeEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'gate_id', type: 'uuid' })
  gateId!: string;
  @ManyToOne(() => PromotionGateEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'gate_id' })
  readonly gateRef?: PromotionGateEntity;

  @Column({ name: 'from_state', type: 'text', nullable: true })
  fromState!: GateState | null;

  @Column({ name: 'to_state', type: 'text' })
  toState!: GateState;

  @Column({ type: 'text' })
  cause!: GateChangeCause;

  /** In words: what changed and why (e.g. "CM-004 moved VERIFIED → REOPENED: ..."). */
  @Column({ type: 'text' })
  reason!: string;

  @Column({ type: 'jsonb', default: () => "'[]'", transformer: BLOCKERS_AS_DATA })
  blockers!: Blocker[];

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

export const DELIVERY_STATUSES = ['PENDING', 'DELIVERED', 'FAILED'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * Outbox of the gate's webhook: one row per state change to deliver, written in
 * the transaction of the change (so a change that rolls back sends nothing);
 * a worker POSTs it, signed, retrying with back-off.
 */
@Entity('gate_webhook_deliveries')
@Index('IDX_gate_webhook_deliveries_due', ['nextAttemptAt'], { where: `"status" = 'PENDING'` })
@Index('IDX_gate_webhook_deliveries_gate_seq', ['gateId', 'seq'])
@Check('CHK_gate_webhook_deliveries_delivered', `("status" = 'DELIVERED') = ("delivered_at" IS NOT NULL)`)
@Check('CHK_gate_webhook_deliveries_status', inListCheck('status', DELIVERY_STATUSES))
export class WebhookDeliveryEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /**
   * Order of creation (a bigint sequence, as text): a gate's deliveries are sent
   * one at a time in this order, so a receiver never gets an older state after a
   * newer one (two changes in one transaction share created_at, not seq).
   */
  @Column({ type: 'bigint' })
  @Generated('increment')
  readonly seq!: string;

  @Column({ name: 'gate_id', type: 'uuid' })
  gateId!: string;
  @ManyToOne(() => PromotionGateEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'gate_id' })
  readonly gateRef?: PromotionGateEntity;

  @Column({ name: 'change_id', type: 'uuid' })
  changeId!: string;
  @ManyToOne(() => GateChangeEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'change_id' })
  readonly changeRef?: GateChangeEntity;

  @Column({ type: 'text' })
  url!: string;

  /** The exact JSON body sent (and signed). */
  @Column({ type: 'text' })
  body!: string;

  @Column({ type: 'text', default: 'PENDING' })
  status!: DeliveryStatus;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz' })
  nextAttemptAt!: Date;

  /** When a 2xx answer came back (DELIVERED). */
  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;

  /** Why it was given up (FAILED): the last error after the last attempt, or the webhook was removed. */
  @Column({ name: 'failure_reason', type: 'text', nullable: true })
  failureReason!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** Every delivery attempt: when, the HTTP status or the error, how long it took. */
@Entity('gate_webhook_attempts')
@Index('IDX_gate_webhook_attempts_delivery', ['deliveryId', 'at'])
export class WebhookAttemptEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'delivery_id', type: 'uuid' })
  deliveryId!: string;
  @ManyToOne(() => WebhookDeliveryEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'delivery_id' })
  readonly deliveryRef?: WebhookDeliveryEntity;

  @Column({ type: 'timestamptz' })
  at!: Date;

  @Column({ name: 'http_status', type: 'integer', nullable: true })
  httpStatus!: number | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'duration_ms', type: 'integer' })
  durationMs!: number;
}
