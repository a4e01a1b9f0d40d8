import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * AUDITOR is never held with ADMIN, TASK_FORCE or EXECUTIVE (the auditor must
 * be independent of the side whose work it reviews): a CHECK on users.roles,
 * so no path (API, CLI, demo, hand-written SQL) can store such a user.
 * Accounts that already combine them stop the migration, named, for an admin
 * to decide which role each person keeps.
 */
export class AuditorIndependentRoles1795670000400 implements MigrationInterface {
  name = 'AuditorIndependentRoles1795670000400';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const clashing: { email: string; roles: string[] }[] = await queryRunner.query(
      `SELECT "email", "roles" FROM "users" WHERE 'AUDITOR' = ANY("roles") AND "roles" && ARRAY['ADMIN','TASK_FORCE','EXECUTIVE']::text[] ORDER BY "email" LIMIT 20`,
    );
    if (clashing.length > 0) {
      throw new Error(
        `Users hold AUDITOR together with ADMIN, TASK_FORCE or EXECUTIVE; give each one side only, then migrate again: ${clashing
          .map((u) => `${u.email} (${u.roles.join(', ')})`)
          .join('; ')}`,
      );
    }
    await queryRunner.query(
      `ALTER TABLE "users" ADD CONSTRAINT "CHK_users_auditor_independent" CHECK (NOT ('AUDITOR' = ANY("roles") AND "roles" && ARRAY['ADMIN','TASK_FORCE','EXECUTIVE']::text[]))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" DROP CONSTRAINT "CHK_users_auditor_independent"`);
  }
}
