import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Notifications1795656704343 implements MigrationInterface {
  name = 'Notifications1795656704343';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "notifications" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "kind" text NOT NULL, "title" text NOT NULL, "body" text NOT NULL, "dedupe_key" text NOT NULL, "incident_id" uuid, "countermeasure_id" uuid, "countermeasure_key" text, "requirement_id" uuid, "evidence_id" uuid, "risk_acceptance_id" uuid, "finding_id" uuid, "gate_key" text, "gate_change_id" uuid, "data" jsonb NOT NULL DEFAULT '{}', "in_inbox" boolean NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "read_at" TIMESTAMP WITH TIME ZONE, "email_status" text, "email_to" text, "email_attempted_at" TIMESTAMP WITH TIME ZONE, "email_sent_at" TIMESTAMP WITH TIME ZONE, "email_error" text, "email_message_id" text, CONSTRAINT "CHK_notifications_email_to" CHECK (("email_status" IS NULL) = ("email_to" IS NULL)), CONSTRAINT "CHK_notifications_email_status" CHECK ("email_status" IS NULL OR "email_status" IN ('PENDING', 'SENDING', 'SENT', 'FAILED')), CONSTRAINT "CHK_notifications_kind" CHECK ("kind" IN ('DUE_IN_7_DAYS', 'DUE_IN_1_DAY', 'OVERDUE', 'REVIEW_WAITING', 'EVIDENCE_GOING_STALE', 'RISK_ACCEPTANCE_EXPIRING', 'GATE_CHANGED', 'WEEKLY_DIGEST')), CONSTRAINT "PK_6a72c3c0f683f6462415e653c3a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_notifications_email_pending" ON "notifications"  ("created_at") WHERE "email_status" IN ('PENDING', 'SENDING')`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_notifications_unread" ON "notifications"  ("user_id", "created_at", "id") WHERE "in_inbox" AND "read_at" IS NULL`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_notifications_inbox" ON "notifications"  ("user_id", "created_at", "id") WHERE "in_inbox"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_notifications_user_dedupe" ON "notifications"  ("user_id", "dedupe_key") `);
    await queryRunner.query(
      `CREATE TABLE "notification_preferences" ("user_id" uuid NOT NULL, "kind" text NOT NULL, "inbox" boolean NOT NULL, "email" boolean NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_notification_preferences_kind" CHECK ("kind" IN ('DUE_IN_7_DAYS', 'DUE_IN_1_DAY', 'OVERDUE', 'REVIEW_WAITING', 'EVIDENCE_GOING_STALE', 'RISK_ACCEPTANCE_EXPIRING', 'GATE_CHANGED', 'WEEKLY_DIGEST')), CONSTRAINT "PK_4beeeb46feaf58d75e124c8ba58" PRIMARY KEY ("user_id", "kind"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "notifications" ADD CONSTRAINT "FK_9a8a82462cab47c73d25f49261f" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "notification_preferences" ADD CONSTRAINT "FK_64c90edc7310c6be7c10c96f675" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "notification_preferences" DROP CONSTRAINT "FK_64c90edc7310c6be7c10c96f675"`);
    await queryRunner.query(`ALTER TABLE "notifications" DROP CONSTRAINT "FK_9a8a82462cab47c73d25f49261f"`);
    await queryRunner.query(`DROP TABLE "notification_preferences"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_notifications_user_dedupe"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_notifications_inbox"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_notifications_unread"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_notifications_email_pending"`);
    await queryRunner.query(`DROP TABLE "notifications"`);
  }
}
