import { inListCheck } from '@app/database';
import { IncidentSystemEntity } from '@app/incidents';
import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import { CountermeasureEntity } from './countermeasure.entities';

// The `...Ref` relations are never loaded: they only declare the foreign keys (see countermeasure.entities.ts).

export const TARGET_STATUSES = ['PENDING', 'IN_PROGRESS', 'DONE', 'NOT_APPLICABLE'] as const;
export type TargetStatus = (typeof TARGET_STATUSES)[number];

/**
 * One promise over many systems: "narrow access rights on every customer
 * database" has a target per database, each with its own status (and, with
 * the evidence issue, its own evidence). Progress is derived from the targets.
 */
@Entity('countermeasure_targets')
@Index('UQ_countermeasure_targets', ['countermeasureId', 'systemId'], { unique: true })
@Index('IDX_countermeasure_targets_system', ['systemId'])
@Check('CHK_countermeasure_targets_status', inListCheck('status', TARGET_STATUSES))
export class CountermeasureTargetEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'countermeasure_id', type: 'uuid' })
  countermeasureId!: string;
  @ManyToOne(() => CountermeasureEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'countermeasure_id' })
  readonly countermeasureRef?: CountermeasureEntity;

  /** A system of the incident's inventory. */
  @Column({ name: 'system_id', type: 'uuid' })
  systemId!: string;
  @ManyToOne(() => IncidentSystemEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'system_id' })
  readonly systemRef?: IncidentSystemEntity;

  @Column({ type: 'text', default: 'PENDING' })
  status!: TargetStatus;

  @Column({ type: 'text', default: '' })
  note!: string;

  @VersionColumn()
  version!: number;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
