import type { MigrationInterface, QueryRunner } from 'typeorm';

export class PlanStructure1795644447971 implements MigrationInterface {
  name = 'PlanStructure1795644447971';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "countermeasure_dependencies" ("countermeasure_id" uuid NOT NULL, "depends_on_id" uuid NOT NULL, CONSTRAINT "CHK_countermeasure_dependencies_not_self" CHECK ("countermeasure_id" <> "depends_on_id"), CONSTRAINT "PK_0ea6cd1fdadb9d903adf64a37ad" PRIMARY KEY ("countermeasure_id", "depends_on_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_countermeasure_dependencies_depends_on" ON "countermeasure_dependencies"  ("depends_on_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "countermeasure_targets" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "countermeasure_id" uuid NOT NULL, "system_id" uuid NOT NULL, "status" text NOT NULL DEFAULT 'PENDING', "note" text NOT NULL DEFAULT '', "version" integer NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_countermeasure_targets_status" CHECK ("status" IN ('PENDING', 'IN_PROGRESS', 'DONE', 'NOT_APPLICABLE')), CONSTRAINT "PK_b033a8613573b90d5dedfcbf55d" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_countermeasure_targets_system" ON "countermeasure_targets"  ("system_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_countermeasure_targets" ON "countermeasure_targets"  ("countermeasure_id", "system_id") `,
    );
    await queryRunner.query(`ALTER TABLE "countermeasures" ADD "parent_id" uuid`);
    await queryRunner.query(`CREATE INDEX "IDX_countermeasures_parent" ON "countermeasures"  ("parent_id") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_countermeasures_parent"`);
    await queryRunner.query(`ALTER TABLE "countermeasures" DROP COLUMN "parent_id"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_countermeasure_targets"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_countermeasure_targets_system"`);
    await queryRunner.query(`DROP TABLE "countermeasure_targets"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_countermeasure_dependencies_depends_on"`);
    await queryRunner.query(`DROP TABLE "countermeasure_dependencies"`);
  }
}
