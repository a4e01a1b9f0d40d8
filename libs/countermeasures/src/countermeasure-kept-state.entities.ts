import { IncidentEntity } from '@app/incidents';
import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { CountermeasureStatus } from './domain/countermeasure-workflow';
import type { CountermeasureCategory } from './domain/countermeasure-fields';

// The current state kept where the dashboard reads it: tables written by database
// triggers in the transaction of each change, never by the application.

/**
 * How many countermeasures of an incident stand in each (category, status,
 * required-for-gate) cell now. Kept by a database trigger on `countermeasures`
 * (insert, delete, and any update of those columns) in the transaction of the
 * change, so the dashboard's totals, status and category figures read at most
 * a few hundred rows whatever the size of the plan. Never written by the
 * application.
 */
@Entity('countermeasure_status_counts')
@Check('CHK_countermeasure_status_counts_count', `"count" >= 0`)
export class CountermeasureStatusCountEntity {
  @PrimaryColumn({ name: 'incident_id', type: 'uuid' })
  incidentId!: string;
  @ManyToOne(() => IncidentEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'incident_id' })
  readonly incidentRef?: IncidentEntity;

  @PrimaryColumn({ type: 'text' })
  category!: CountermeasureCategory;

  @PrimaryColumn({ type: 'text' })
  status!: CountermeasureStatus;

  @PrimaryColumn({ name: 'required_for_gate', type: 'boolean' })
  requiredForGate!: boolean;

  @Column({ type: 'integer' })
  count!: number;
}

/**
 * The day-by-day flow between statuses of an incident's countermeasures: for
 * each day (Asia/Tokyo) and status, how many entered it minus how many left it
 * (a creation enters PLANNED). Kept by a database trigger on
 * `countermeasure_transitions`, so the burn-up of any day is a running sum over
 * at most (days × statuses) rows instead of a pass over the whole history.
 * Never written by the application.
 */
@Entity('countermeasure_status_days')
export class CountermeasureStatusDayEntity {
  @PrimaryColumn({ name: 'incident_id', type: 'uuid' })
  incidentId!: string;
  @ManyToOne(() => IncidentEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'incident_id' })
  readonly incidentRef?: IncidentEntity;

  @PrimaryColumn({ type: 'date' })
  day!: string;

  @PrimaryColumn({ type: 'text' })
  status!: CountermeasureStatus;

  @Column({ type: 'integer' })
  delta!: number;
}
