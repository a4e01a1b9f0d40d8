import { inListCheck } from '@app/database';
import { IncidentEntity } from '@app/incidents';
import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { HOTLINE_KINDS, type HotlineKind } from './domain/hotline-rules';

/**
 * One kind's contacts on one day (Asia/Tokyo) of an incident's hotline. A recorded day always has its four rows,
 * written and versioned together: `version` is the day's version (the same on its four rows), moved by one on each
 * correction (`WHERE version = :expected`, hotline.service.ts). Earlier figures are kept by the trail (each
 * recording's entry holds the day before and after). No personal data: counts only.
 */
@Entity('hotline_daily_counts')
// Also the index of every read by incident and day (its leading columns): the range query, the totals.
@Index('UQ_hotline_daily_counts_day_kind', ['incidentId', 'day', 'kind'], { unique: true })
@Check('CHK_hotline_daily_counts_kind', inListCheck('kind', HOTLINE_KINDS))
@Check('CHK_hotline_daily_counts_count', '"count" >= 0')
export class HotlineDailyCountEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_hotline_daily_counts' })
  id!: string;

  @Column({ name: 'incident_id', type: 'uuid' })
  incidentId!: string;
  @ManyToOne(() => IncidentEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'incident_id', foreignKeyConstraintName: 'FK_hotline_daily_counts_incident' })
  readonly incidentRef?: IncidentEntity;

  @Column({ type: 'date' })
  day!: string;

  @Column({ type: 'text' })
  kind!: HotlineKind;

  @Column({ type: 'integer' })
  count!: number;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  /** Who recorded the figures last: null for the system (demo loader, CLI). */
  @Column({ name: 'updated_by_id', type: 'uuid', nullable: true })
  updatedById!: string | null;

  /** The actor's label (e-mail, or `system:<what>`), as in the audit trail. */
  @Column({ name: 'updated_by_label', type: 'text' })
  updatedByLabel!: string;
}

/**
 * A notable hotline case: a short entry (≤ 500 characters) that may describe a customer's situation, so it is read
 * only by those with standing (domain/hotline-access.ts). Append-only: a case is never edited or deleted.
 */
@Entity('hotline_cases')
@Index('IDX_hotline_cases_incident', ['incidentId', 'occurredOn', 'recordedAt', 'id'])
@Check('CHK_hotline_cases_kind', inListCheck('kind', HOTLINE_KINDS))
@Check('CHK_hotline_cases_summary', `char_length("summary") BETWEEN 1 AND 500`)
export class HotlineCaseEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_hotline_cases' })
  id!: string;

  @Column({ name: 'incident_id', type: 'uuid' })
  incidentId!: string;
  @ManyToOne(() => IncidentEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'incident_id', foreignKeyConstraintName: 'FK_hotline_cases_incident' })
  readonly incidentRef?: IncidentEntity;

  @Column({ name: 'occurred_on', type: 'date' })
  occurredOn!: string;

  @Column({ type: 'text' })
  kind!: HotlineKind;

  @Column({ type: 'text' })
  summary!: string;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;

  @Column({ name: 'recorded_by_id', type: 'uuid', nullable: true })
  recordedById!: string | null;

  @Column({ name: 'recorded_by_label', type: 'text' })
  recordedByLabel!: string;
}
