import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rules with a date hold when read: the gate keeps the inputs that will stop
 * holding by the calendar alone (a risk acceptance's last day, recurring
 * evidence's freshness) and the earliest such instant, so that every read
 * applies a lapse even when no sweep ran, and the sweep finds the gates due by
 * index. Existing gates start with none; the start-up sweep re-evaluates them.
 */
export class GateDateRules1795670000300 implements MigrationInterface {
  name = 'GateDateRules1795670000300';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "promotion_gates" ADD "date_rules" jsonb NOT NULL DEFAULT '[]'`);
    await queryRunner.query(`ALTER TABLE "promotion_gates" ADD "reevaluate_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(
      `CREATE INDEX "IDX_promotion_gates_reevaluate_at" ON "promotion_gates" ("reevaluate_at") WHERE "reevaluate_at" IS NOT NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_promotion_gates_reevaluate_at"`);
    await queryRunner.query(`ALTER TABLE "promotion_gates" DROP COLUMN "reevaluate_at"`);
    await queryRunner.query(`ALTER TABLE "promotion_gates" DROP COLUMN "date_rules"`);
  }
}
