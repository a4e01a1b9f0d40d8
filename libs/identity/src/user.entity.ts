import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import type { Role } from './domain/role';

@Entity('users')
@Check('CHK_users_roles', `cardinality("roles") >= 1 AND "roles" <@ ARRAY['ADMIN','TASK_FORCE','EXECUTIVE','AUDITOR']::text[]`)
// AUDITOR is never held with ADMIN, TASK_FORCE or EXECUTIVE (user-rules.ts ROLES_INCOMPATIBLE_WITH_AUDITOR).
@Check('CHK_users_auditor_independent', `NOT ('AUDITOR' = ANY("roles") AND "roles" && ARRAY['ADMIN','TASK_FORCE','EXECUTIVE']::text[])`)
@Check('CHK_users_email_normalized', `"email" = lower(btrim("email"))`)
export class UserEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Stored normalized (trimmed, lower case); unique. */
  @Index('UQ_users_email', { unique: true })
  @Column({ type: 'text' })
  email!: string;

  /** Name as written, e.g. 山田 太郎. */
  @Column({ name: 'display_name', type: 'text' })
  displayName!: string;

  /** Reading of the name in kana (furigana), e.g. やまだ たろう. */
  @Column({ name: 'display_name_kana', type: 'text', nullable: true })
  displayNameKana!: string | null;

  /** argon2id, PHC string format. */
  @Column({ name: 'password_hash', type: 'text' })
  passwordHash!: string;

  @Column({ type: 'text', array: true })
  roles!: Role[];

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @Column({ name: 'deactivated_at', type: 'timestamptz', nullable: true })
  deactivatedAt!: Date | null;

  @VersionColumn()
  version!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
