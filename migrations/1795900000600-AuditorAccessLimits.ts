import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Auditors' accounts limited to their audit engagements (issue 16): a row per limited auditor. No rows at first,
 * so every existing auditor keeps reading every incident until an admin limits them.
 */
export class AuditorAccessLimits1795900000600 implements MigrationInterface {
  name = 'AuditorAccessLimits1795900000600';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "auditor_access_limits" ("user_id" uuid NOT NULL, "limited_at" TIMESTAMP WITH TIME ZONE NOT NULL, "limited_by" uuid, CONSTRAINT "PK_e4aa0986e9b2dc81a106457ded1" PRIMARY KEY ("user_id")); COMMENT ON COLUMN "auditor_access_limits"."limited_by" IS 'null: the system'`,
    );
    await queryRunner.query(
      `ALTER TABLE "auditor_access_limits" ADD CONSTRAINT "FK_auditor_access_limits_user_id" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "auditor_access_limits" ADD CONSTRAINT "FK_auditor_access_limits_limited_by" FOREIGN KEY ("limited_by") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "auditor_access_limits"`);
  }
}
