import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The hotline (issue 15, promises 5, 8, 10), owned by libs/duties: the daily contact counts by kind (four rows per
 * recorded day, versioned together) and the notable cases (append-only short entries). The unique index on
 * (incident_id, day, kind) is also the index for every read by incident and day (its leading columns): the range
 * query and the totals; the cases are listed newest first by (occurred_on, recorded_at, id) within an incident.
 */
export class Hotline1795800000300 implements MigrationInterface {
  name = 'Hotline1795800000300';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "hotline_daily_counts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "incident_id" uuid NOT NULL, "day" date NOT NULL, "kind" text NOT NULL, "count" integer NOT NULL, "version" integer NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, "updated_by_id" uuid, "updated_by_label" text NOT NULL, CONSTRAINT "CHK_hotline_daily_counts_count" CHECK ("count" >= 0), CONSTRAINT "CHK_hotline_daily_counts_kind" CHECK ("kind" IN ('BREACH_QUESTION', 'IMPERSONATION_REPORT', 'STOP_CONTACT_REQUEST', 'OTHER')), CONSTRAINT "PK_hotline_daily_counts" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_hotline_daily_counts_day_kind" ON "hotline_daily_counts" ("incident_id", "day", "kind") `,
    );
    await queryRunner.query(
      `CREATE TABLE "hotline_cases" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "incident_id" uuid NOT NULL, "occurred_on" date NOT NULL, "kind" text NOT NULL, "summary" text NOT NULL, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL, "recorded_by_id" uuid, "recorded_by_label" text NOT NULL, CONSTRAINT "CHK_hotline_cases_summary" CHECK (char_length("summary") BETWEEN 1 AND 500), CONSTRAINT "CHK_hotline_cases_kind" CHECK ("kind" IN ('BREACH_QUESTION', 'IMPERSONATION_REPORT', 'STOP_CONTACT_REQUEST', 'OTHER')), CONSTRAINT "PK_hotline_cases" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_hotline_cases_incident" ON "hotline_cases" ("incident_id", "occurred_on", "recorded_at", "id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "hotline_daily_counts" ADD CONSTRAINT "FK_hotline_daily_counts_incident" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "hotline_cases" ADD CONSTRAINT "FK_hotline_cases_incident" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    // Notable cases are never edited or deleted (the trail holds their summary's digest, the row the text).
    await queryRunner.query(`CREATE FUNCTION hotline_cases_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END $$`);
    await queryRunner.query(
      `CREATE TRIGGER "hotline_cases_immutable" BEFORE UPDATE OR DELETE ON "hotline_cases" FOR EACH ROW EXECUTE FUNCTION hotline_cases_refuse_change()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "hotline_cases_no_truncate" BEFORE TRUNCATE ON "hotline_cases" FOR EACH STATEMENT EXECUTE FUNCTION hotline_cases_refuse_change()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "hotline_cases_no_truncate" ON "hotline_cases"`);
    await queryRunner.query(`DROP TRIGGER "hotline_cases_immutable" ON "hotline_cases"`);
    await queryRunner.query(`DROP FUNCTION hotline_cases_refuse_change()`);
    await queryRunner.query(`ALTER TABLE "hotline_cases" DROP CONSTRAINT "FK_hotline_cases_incident"`);
    await queryRunner.query(`ALTER TABLE "hotline_daily_counts" DROP CONSTRAINT "FK_hotline_daily_counts_incident"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_hotline_cases_incident"`);
    await queryRunner.query(`DROP TABLE "hotline_cases"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_hotline_daily_counts_day_kind"`);
    await queryRunner.query(`DROP TABLE "hotline_daily_counts"`);
  }
}
