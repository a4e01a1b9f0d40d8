import type { MigrationInterface, QueryRunner } from 'typeorm';

export class GateWebhookDelivery1795653878009 implements MigrationInterface {
  name = 'GateWebhookDelivery1795653878009';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_gate_webhook_deliveries_gate"`);
    await queryRunner.query(`ALTER TABLE "gate_webhook_deliveries" ADD "seq" BIGSERIAL NOT NULL`);
    await queryRunner.query(`ALTER TABLE "gate_webhook_deliveries" ADD "delivered_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "gate_webhook_deliveries" ADD "failure_reason" text`);
    await queryRunner.query(`CREATE INDEX "IDX_gate_webhook_deliveries_gate_seq" ON "gate_webhook_deliveries"  ("gate_id", "seq") `);
    await queryRunner.query(
      `ALTER TABLE "gate_webhook_deliveries" ADD CONSTRAINT "CHK_gate_webhook_deliveries_delivered" CHECK (("status" = 'DELIVERED') = ("delivered_at" IS NOT NULL))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "gate_webhook_deliveries" DROP CONSTRAINT "CHK_gate_webhook_deliveries_delivered"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_gate_webhook_deliveries_gate_seq"`);
    await queryRunner.query(`ALTER TABLE "gate_webhook_deliveries" DROP COLUMN "failure_reason"`);
    await queryRunner.query(`ALTER TABLE "gate_webhook_deliveries" DROP COLUMN "delivered_at"`);
    await queryRunner.query(`ALTER TABLE "gate_webhook_deliveries" DROP COLUMN "seq"`);
    await queryRunner.query(`CREATE INDEX "IDX_gate_webhook_deliveries_gate" ON "gate_webhook_deliveries" ("gate_id", "created_at") `);
  }
}
