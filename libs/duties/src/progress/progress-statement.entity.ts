import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { UserEntity } from '@app/identity';
import { IncidentEntity } from '@app/incidents';

/** A countermeasure as a statement shows it, frozen at publication. */
export interface StatementCountermeasure {
  /** The countermeasure (internal: kept for the record, never published). */
  countermeasureId: string;
  /** The label the executive wrote for the public. */
  labelJa: string;
  labelEn: string;
  /** The countermeasure's workflow status at publication (libs/countermeasures' codes); worded by publicStatusWording. */
  status: string;
}

/**
 * A public progress statement (promise 9): numbered per incident (第1報, 第2報, …), dated, written once.
 * The database refuses UPDATE, DELETE and TRUNCATE (trigger in the migration): there is no edit and no
 * withdrawal; a correction is a new statement that names the one it corrects (`corrects_id`) and says what
 * it corrects. A statement is corrected at most once (a later correction corrects the correcting one).
 */
@Entity('progress_statements')
@Index('UQ_progress_statements_incident_number', ['incidentId', 'number'], { unique: true })
@Index('UQ_progress_statements_corrects', ['correctsId'], { unique: true, where: '"corrects_id" IS NOT NULL' })
// The public page and feeds: newest first across incidents (the number orders statements of one instant).
@Index('IDX_progress_statements_published', ['publishedAt', 'number', 'id'])
@Check('CHK_progress_statements_number', `"number" >= 1`)
@Check('CHK_progress_statements_not_self', `"corrects_id" IS NULL OR "corrects_id" <> "id"`)
@Check(
  'CHK_progress_statements_correction',
  `("corrects_id" IS NULL) = ("correction_note_ja" IS NULL) AND ("corrects_id" IS NULL) = ("correction_note_en" IS NULL)`,
)
@Check('CHK_progress_statements_countermeasures', `jsonb_typeof("countermeasures") = 'array'`)
@Check(
  'CHK_progress_statements_text',
  `char_length(btrim("title_ja")) > 0 AND char_length(btrim("title_en")) > 0 AND char_length(btrim("body_ja")) > 0 AND char_length(btrim("body_en")) > 0`,
)
export class ProgressStatementEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_progress_statements' })
  id!: string;

  @Column({ name: 'incident_id', type: 'uuid' })
  incidentId!: string;
  @ManyToOne(() => IncidentEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'incident_id', foreignKeyConstraintName: 'FK_progress_statements_incident' })
  readonly incidentRef?: IncidentEntity;

  /** 1, 2, 3… per incident, in the order of publication. */
  @Column({ type: 'integer' })
  number!: number;

  /** The statement this one corrects (same incident, not corrected before). */
  @Column({ name: 'corrects_id', type: 'uuid', nullable: true })
  correctsId!: string | null;
  @ManyToOne(() => ProgressStatementEntity, { nullable: true, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'corrects_id', foreignKeyConstraintName: 'FK_progress_statements_corrects' })
  readonly correctsRef?: ProgressStatementEntity | null;

  /** What the correction corrects (set exactly when `corrects_id` is). */
  @Column({ name: 'correction_note_ja', type: 'text', nullable: true })
  correctionNoteJa!: string | null;

  @Column({ name: 'correction_note_en', type: 'text', nullable: true })
  correctionNoteEn!: string | null;

  @Column({ name: 'title_ja', type: 'text' })
  titleJa!: string;

  @Column({ name: 'title_en', type: 'text' })
  titleEn!: string;

  @Column({ name: 'body_ja', type: 'text' })
  bodyJa!: string;

  @Column({ name: 'body_en', type: 'text' })
  bodyEn!: string;

  /** The countermeasures shown, in the executive's order, with their status as it was at publication. */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  countermeasures!: StatementCountermeasure[];

  @Column({ name: 'published_at', type: 'timestamptz' })
  publishedAt!: Date;

  /** The executive who published it (null: the system, e.g. the demo loader). Internal: never on the public page. */
  @Column({ name: 'published_by_id', type: 'uuid', nullable: true })
  publishedById!: string | null;
  @ManyToOne(() => UserEntity, { nullable: true, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'published_by_id', foreignKeyConstraintName: 'FK_progress_statements_published_by' })
  readonly publishedByRef?: UserEntity | null;

  /** Their e-mail (or `system:<what>`) at publication. Internal. */
  @Column({ name: 'published_by_label', type: 'text' })
  publishedByLabel!: string;
}
