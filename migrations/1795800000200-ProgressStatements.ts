import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Public progress statements (promise 9, libs/duties/src/progress): numbered per incident, dated, written once.
 * Written by hand for the trigger (TypeORM does not model triggers): as the audit trail, the table refuses
 * UPDATE, DELETE and TRUNCATE whoever connects; a correction is a new row naming the one it corrects, and a
 * statement is corrected at most once (a partial unique index).
 */
export class ProgressStatements1795800000200 implements MigrationInterface {
  name = 'ProgressStatements1795800000200';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE FUNCTION progress_statements_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'a published progress statement never changes (publish a correction instead): % is refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$`);
    await queryRunner.query(
      `CREATE TABLE "progress_statements" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "incident_id" uuid NOT NULL, "number" integer NOT NULL, "corrects_id" uuid, "correction_note_ja" text, "correction_note_en" text, "title_ja" text NOT NULL, "title_en" text NOT NULL, "body_ja" text NOT NULL, "body_en" text NOT NULL, "countermeasures" jsonb NOT NULL DEFAULT '[]', "published_at" TIMESTAMP WITH TIME ZONE NOT NULL, "published_by_id" uuid, "published_by_label" text NOT NULL, CONSTRAINT "CHK_progress_statements_number" CHECK ("number" >= 1), CONSTRAINT "CHK_progress_statements_not_self" CHECK ("corrects_id" IS NULL OR "corrects_id" <> "id"), CONSTRAINT "CHK_progress_statements_correction" CHECK (("corrects_id" IS NULL) = ("correction_note_ja" IS NULL) AND ("corrects_id" IS NULL) = ("correction_note_en" IS NULL)), CONSTRAINT "CHK_progress_statements_countermeasures" CHECK (jsonb_typeof("countermeasures") = 'array'), CONSTRAINT "CHK_progress_statements_text" CHECK (char_length(btrim("title_ja")) > 0 AND char_length(btrim("title_en")) > 0 AND char_length(btrim("body_ja")) > 0 AND char_length(btrim("body_en")) > 0), CONSTRAINT "PK_progress_statements" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_progress_statements_incident_number" ON "progress_statements" ("incident_id", "number") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_progress_statements_corrects" ON "progress_statements" ("corrects_id") WHERE "corrects_id" IS NOT NULL`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_progress_statements_published" ON "progress_statements" ("published_at", "number", "id") `);
    await queryRunner.query(
      `ALTER TABLE "progress_statements" ADD CONSTRAINT "FK_progress_statements_incident" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "progress_statements" ADD CONSTRAINT "FK_progress_statements_corrects" FOREIGN KEY ("corrects_id") REFERENCES "progress_statements"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "progress_statements" ADD CONSTRAINT "FK_progress_statements_published_by" FOREIGN KEY ("published_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "progress_statements_immutable" BEFORE UPDATE OR DELETE ON "progress_statements" FOR EACH ROW EXECUTE FUNCTION progress_statements_refuse_change()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "progress_statements_no_truncate" BEFORE TRUNCATE ON "progress_statements" FOR EACH STATEMENT EXECUTE FUNCTION progress_statements_refuse_change()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "progress_statements_no_truncate" ON "progress_statements"`);
    await queryRunner.query(`DROP TRIGGER "progress_statements_immutable" ON "progress_statements"`);
    await queryRunner.query(`ALTER TABLE "progress_statements" DROP CONSTRAINT "FK_progress_statements_published_by"`);
    await queryRunner.query(`ALTER TABLE "progress_statements" DROP CONSTRAINT "FK_progress_statements_corrects"`);
    await queryRunner.query(`ALTER TABLE "progress_statements" DROP CONSTRAINT "FK_progress_statements_incident"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_progress_statements_published"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_progress_statements_corrects"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_progress_statements_incident_number"`);
    await queryRunner.query(`DROP TABLE "progress_statements"`);
    await queryRunner.query(`DROP FUNCTION progress_statements_refuse_change()`);
  }
}
