import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One entry of the append-only, hash-chained audit trail. The database
 * refuses UPDATE, DELETE and TRUNCATE on this table (trigger in the migration).
 */
@Entity('audit_trail')
@Index('IDX_audit_trail_entity', ['entityType', 'entityId', 'seq'])
@Index('IDX_audit_trail_actor', ['actorId', 'seq'])
@Index('IDX_audit_trail_action', ['action', 'seq'])
@Index('IDX_audit_trail_occurred_at', ['occurredAt'])
export class AuditTrailEntryEntity {
  /** 1, 2, 3, ... without gaps: the chain's order. bigint, read as text. */
  @PrimaryColumn({ type: 'bigint' })
  seq!: string;

  @Index('UQ_audit_trail_id', { unique: true })
  @Column({ type: 'uuid' })
  id!: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId!: string | null;

  @Column({ name: 'actor_label', type: 'text' })
  actorLabel!: string;

  /** `<entity>.<verb>`, e.g. `user.created`, `countermeasure.status_changed`. */
  @Column({ type: 'text' })
  action!: string;

  @Column({ name: 'entity_type', type: 'text' })
  entityType!: string;

  @Column({ name: 'entity_id', type: 'text' })
  entityId!: string;

  @Column({ type: 'jsonb', nullable: true })
  before!: Record<string, unknown> | null;

  @Column({ type: 'jsonb', nullable: true })
  after!: Record<string, unknown> | null;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId!: string | null;

  @Column({ name: 'prev_hash', type: 'char', length: 64 })
  prevHash!: string;

  @Column({ type: 'char', length: 64 })
  hash!: string;
}
