import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The duties to the authority and the individuals (issue 15, libs/duties): the breach-notification record of an
 * incident, its filings (速報, 確報, 追完) and the notice campaigns. The database keeps a submitted filing frozen and
 * refuses deleting any of these rows.
 */
export class BreachNotifications1795800000100 implements MigrationInterface {
  name = 'BreachNotifications1795800000100';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "breach_notifications" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "incident_id" uuid NOT NULL, "rule_pack_id" text NOT NULL, "known_at" TIMESTAMP WITH TIME ZONE NOT NULL, "asserted_cases" jsonb NOT NULL DEFAULT '[]', "individuals_estimate" integer, "individuals_estimated_on" date, "individuals_confirmed" integer, "individuals_confirmed_on" date, "authority_code" text NOT NULL, "authority_name" text NOT NULL, "reporter" text NOT NULL, "version" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_breach_notifications_counts" CHECK ("individuals_estimate" >= 0 AND "individuals_confirmed" >= 0), CONSTRAINT "PK_513908114207c2eed7e16dd10d0" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_breach_notifications_incident" ON "breach_notifications"  ("incident_id")`);
    await queryRunner.query(
      `CREATE TABLE "breach_filings" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "notification_id" uuid NOT NULL, "incident_id" uuid NOT NULL, "kind" text NOT NULL, "supplement_no" integer, "status" text NOT NULL DEFAULT 'DRAFT', "items" jsonb NOT NULL, "rule_pack_id" text NOT NULL, "due_on" date, "submitted_at" TIMESTAMP WITH TIME ZONE, "channel" text, "reference_number" text, "late_days" integer, "items_sha256" text, "submitted_by_id" uuid, "submitted_by_label" text, "created_by_id" uuid, "version" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_breach_filings_supplement" CHECK (("kind" = 'SUPPLEMENT') = ("supplement_no" IS NOT NULL)), CONSTRAINT "CHK_breach_filings_submitted" CHECK (("status" = 'DRAFT') = ("submitted_at" IS NULL AND "items_sha256" IS NULL AND "reference_number" IS NULL AND "late_days" IS NULL)), CONSTRAINT "CHK_breach_filings_status" CHECK ("status" IN ('DRAFT', 'SUBMITTED')), CONSTRAINT "CHK_breach_filings_kind" CHECK ("kind" IN ('PRELIMINARY', 'FINAL', 'SUPPLEMENT')), CONSTRAINT "PK_47551a95d5494fb68dff5e51b9b" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_breach_filings_open" ON "breach_filings"  ("status", "kind") WHERE "status" = 'DRAFT'`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_breach_filings_supplement" ON "breach_filings"  ("notification_id", "supplement_no") WHERE "supplement_no" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_breach_filings_once" ON "breach_filings"  ("notification_id", "kind") WHERE "kind" IN ('PRELIMINARY', 'FINAL')`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_breach_filings_notification" ON "breach_filings"  ("notification_id", "created_at")`);
    await queryRunner.query(
      `CREATE TABLE "notice_campaigns" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "notification_id" uuid NOT NULL, "incident_id" uuid NOT NULL, "channel" text NOT NULL, "planned_count" integer NOT NULL, "sent_count" integer NOT NULL DEFAULT '0', "returned_count" integer NOT NULL DEFAULT '0', "started_on" date, "completed_on" date, "unreachable_count" integer NOT NULL DEFAULT '0', "substitute_published_on" date, "substitute_inquiry_desk" text, "note" text NOT NULL DEFAULT '', "version" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_notice_campaigns_counts" CHECK ("planned_count" >= 0 AND "sent_count" >= 0 AND "returned_count" >= 0 AND "unreachable_count" >= 0 AND "sent_count" <= "planned_count" AND "returned_count" <= "sent_count"), CONSTRAINT "CHK_notice_campaigns_channel" CHECK ("channel" IN ('POST', 'EMAIL')), CONSTRAINT "PK_3c03f0fa65de2890c7221c63132" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_notice_campaigns_notification" ON "notice_campaigns"  ("notification_id", "created_at")`);
    await queryRunner.query(
      `ALTER TABLE "breach_notifications" ADD CONSTRAINT "FK_495d9c0367f37aeec6fe2f403c1" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "breach_filings" ADD CONSTRAINT "FK_27ec80864675497d18e08108b06" FOREIGN KEY ("notification_id") REFERENCES "breach_notifications"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "breach_filings" ADD CONSTRAINT "FK_3227554eefe81cb1b8becbaa6e4" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "notice_campaigns" ADD CONSTRAINT "FK_326e3975de6132be8b8e25fe2c9" FOREIGN KEY ("notification_id") REFERENCES "breach_notifications"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "notice_campaigns" ADD CONSTRAINT "FK_a18053dfd29872a997ed0bb7e08" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    // A submitted filing is frozen (its items were hashed into the trail); no filing, record or campaign is deleted.
    await queryRunner.query(`CREATE FUNCTION breach_filings_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'UPDATE' THEN
    RAISE EXCEPTION '% keeps every filing: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF OLD.status = 'SUBMITTED' THEN
    RAISE EXCEPTION 'a submitted filing is frozen' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$`);
    await queryRunner.query(`CREATE FUNCTION duties_refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% keeps its history: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END $$`);
    await queryRunner.query(
      `CREATE TRIGGER "breach_filings_frozen" BEFORE UPDATE OR DELETE ON "breach_filings" FOR EACH ROW EXECUTE FUNCTION breach_filings_refuse_change()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "breach_filings_no_truncate" BEFORE TRUNCATE ON "breach_filings" FOR EACH STATEMENT EXECUTE FUNCTION duties_refuse_delete()`,
    );
    for (const table of ['breach_notifications', 'notice_campaigns']) {
      await queryRunner.query(
        `CREATE TRIGGER "${table}_no_delete" BEFORE DELETE ON "${table}" FOR EACH ROW EXECUTE FUNCTION duties_refuse_delete()`,
      );
      await queryRunner.query(
        `CREATE TRIGGER "${table}_no_truncate" BEFORE TRUNCATE ON "${table}" FOR EACH STATEMENT EXECUTE FUNCTION duties_refuse_delete()`,
      );
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['breach_notifications', 'notice_campaigns']) {
      await queryRunner.query(`DROP TRIGGER "${table}_no_truncate" ON "${table}"`);
      await queryRunner.query(`DROP TRIGGER "${table}_no_delete" ON "${table}"`);
    }
    await queryRunner.query(`DROP TRIGGER "breach_filings_no_truncate" ON "breach_filings"`);
    await queryRunner.query(`DROP TRIGGER "breach_filings_frozen" ON "breach_filings"`);
    await queryRunner.query(`DROP FUNCTION duties_refuse_delete()`);
    await queryRunner.query(`DROP FUNCTION breach_filings_refuse_change()`);
    await queryRunner.query(`ALTER TABLE "notice_campaigns" DROP CONSTRAINT "FK_a18053dfd29872a997ed0bb7e08"`);
    await queryRunner.query(`ALTER TABLE "notice_campaigns" DROP CONSTRAINT "FK_326e3975de6132be8b8e25fe2c9"`);
    await queryRunner.query(`ALTER TABLE "breach_filings" DROP CONSTRAINT "FK_3227554eefe81cb1b8becbaa6e4"`);
    await queryRunner.query(`ALTER TABLE "breach_filings" DROP CONSTRAINT "FK_27ec80864675497d18e08108b06"`);
    await queryRunner.query(`ALTER TABLE "breach_notifications" DROP CONSTRAINT "FK_495d9c0367f37aeec6fe2f403c1"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_notice_campaigns_notification"`);
    await queryRunner.query(`DROP TABLE "notice_campaigns"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_breach_filings_notification"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_breach_filings_once"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_breach_filings_supplement"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_breach_filings_open"`);
    await queryRunner.query(`DROP TABLE "breach_filings"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_breach_notifications_incident"`);
    await queryRunner.query(`DROP TABLE "breach_notifications"`);
  }
}
