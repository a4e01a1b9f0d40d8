import { Check, Column, Entity, PrimaryColumn, VersionColumn } from 'typeorm';
import type { Role } from '../domain/role';

/**
 * Whether a role must have a second factor: set by admins, one row per user
 * role (the migration writes AUDITOR, EXECUTIVE and ADMIN as required). A user
 * holding any required role must enrol before doing anything else.
 */
@Entity('second_factor_policy')
@Check('CHK_second_factor_policy_role', `"role" IN ('ADMIN','TASK_FORCE','EXECUTIVE','AUDITOR')`)
export class SecondFactorPolicyEntity {
  @PrimaryColumn({ type: 'text' })
  role!: Role;

  @Column({ type: 'boolean' })
  required!: boolean;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'updated_by_label', type: 'text' })
  updatedByLabel!: string;

  @VersionColumn()
  version!: number;
}
