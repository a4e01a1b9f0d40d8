import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notification e-mail is retried (libs/notifications/src/domain/email-delivery.ts):
 * the attempt count and the due time (or claim lease) of each e-mail, and the
 * index of due e-mail by that time instead of by creation. E-mail already
 * pending is due at once; one already FAILED stays failed (it was given up
 * under the old rule, and an old reminder sent late would mislead).
 */
export class NotificationEmailRetry1795665218812 implements MigrationInterface {
  name = 'NotificationEmailRetry1795665218812';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_notifications_email_pending"`);
    await queryRunner.query(`ALTER TABLE "notifications" ADD "email_attempts" integer NOT NULL DEFAULT 0`);
    await queryRunner.query(`ALTER TABLE "notifications" ADD "email_next_attempt_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`UPDATE "notifications" SET "email_attempts" = 1 WHERE "email_attempted_at" IS NOT NULL`);
    await queryRunner.query(
      `UPDATE "notifications" SET "email_next_attempt_at" = "created_at" WHERE "email_status" IN ('PENDING', 'SENDING')`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_notifications_email_due" ON "notifications"  ("email_next_attempt_at") WHERE "email_status" IN ('PENDING', 'SENDING')`,
    );
    await queryRunner.query(
      `ALTER TABLE "notifications" ADD CONSTRAINT "CHK_notifications_email_due" CHECK (COALESCE("email_status" IN ('PENDING', 'SENDING'), false) = ("email_next_attempt_at" IS NOT NULL))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "notifications" DROP CONSTRAINT "CHK_notifications_email_due"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_notifications_email_due"`);
    await queryRunner.query(`ALTER TABLE "notifications" DROP COLUMN "email_next_attempt_at"`);
    await queryRunner.query(`ALTER TABLE "notifications" DROP COLUMN "email_attempts"`);
    await queryRunner.query(
      `CREATE INDEX "IDX_notifications_email_pending" ON "notifications"  ("created_at") WHERE "email_status" IN ('PENDING', 'SENDING')`,
    );
  }
}
