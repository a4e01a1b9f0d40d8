import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The webhook of a gate gets its own version: `configureGateWebhook` names the configuration it
 * replaces, so two admins never silently overwrite each other's URL and secret. Apart from the gate's
 * `version`, which orders the executives' decisions (a webhook change does not make them stale).
 */
export class GateWebhookVersion1796200000100 implements MigrationInterface {
  name = 'GateWebhookVersion1796200000100';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "promotion_gates" ADD "webhook_version" integer NOT NULL DEFAULT '1'`);
    await queryRunner.query(
      `COMMENT ON COLUMN "promotion_gates"."webhook_version" IS 'bumped by each webhook configuration; a configuration names the one it replaces'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "promotion_gates" DROP COLUMN "webhook_version"`);
  }
}
