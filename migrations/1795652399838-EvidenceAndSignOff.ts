import type { MigrationInterface, QueryRunner } from 'typeorm';

const TRIGGERS = [
  ['evidence', 'evidence_refuse_change'],
  ['evidence_reviews', 'evidence_review_refuse_change'],
  ['countermeasure_sign_offs', 'sign_off_refuse_change'],
] as const;

export class EvidenceAndSignOff1795652399838 implements MigrationInterface {
  name = 'EvidenceAndSignOff1795652399838';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "evidence" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "countermeasure_id" uuid NOT NULL, "requirement_id" uuid NOT NULL, "target_id" uuid, "kind" text NOT NULL, "name" text NOT NULL, "description" text NOT NULL DEFAULT '', "media_type" text, "size_bytes" bigint, "sha256" text NOT NULL, "url" text, "statement" text, "effective_on" date NOT NULL, "version_no" integer NOT NULL, "supersedes_id" uuid, "uploaded_by_id" uuid NOT NULL, "uploaded_by_label" text NOT NULL, "uploaded_at" TIMESTAMP WITH TIME ZONE NOT NULL, "status" text NOT NULL DEFAULT 'SUBMITTED', "superseded_by_id" uuid, "withdrawn_at" TIMESTAMP WITH TIME ZONE, "withdrawn_by_label" text, "withdrawal_reason" text, "review_decision" text, "reviewed_at" TIMESTAMP WITH TIME ZONE, "version" integer NOT NULL, CONSTRAINT "CHK_evidence_withdrawn" CHECK (("status" = 'WITHDRAWN') = ("withdrawn_at" IS NOT NULL)), CONSTRAINT "CHK_evidence_kind_fields" CHECK (("kind" = 'FILE') = ("media_type" IS NOT NULL AND "size_bytes" IS NOT NULL) AND ("kind" = 'LINK') = ("url" IS NOT NULL) AND ("kind" = 'ATTESTATION') = ("statement" IS NOT NULL)), CONSTRAINT "CHK_evidence_sha256" CHECK ("sha256" ~ '^[0-9a-f]{64}$'), CONSTRAINT "CHK_evidence_review_decision" CHECK ("review_decision" IS NULL OR "review_decision" IN ('ACCEPTED', 'REJECTED', 'NEEDS_MORE')), CONSTRAINT "CHK_evidence_status" CHECK ("status" IN ('SUBMITTED', 'SUPERSEDED', 'WITHDRAWN')), CONSTRAINT "CHK_evidence_kind" CHECK ("kind" IN ('FILE', 'LINK', 'ATTESTATION')), CONSTRAINT "PK_b864cb5d49854f89917fc0b44b9" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_evidence_supersedes" ON "evidence"  ("supersedes_id") WHERE "supersedes_id" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_evidence_review_queue" ON "evidence"  ("uploaded_at", "id") WHERE "status" = 'SUBMITTED' AND "review_decision" IS NULL`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_evidence_sha256" ON "evidence"  ("sha256") `);
    await queryRunner.query(`CREATE INDEX "IDX_evidence_countermeasure" ON "evidence"  ("countermeasure_id", "status") `);
    await queryRunner.query(`CREATE INDEX "IDX_evidence_requirement" ON "evidence"  ("requirement_id", "status") `);
    await queryRunner.query(
      `CREATE TABLE "evidence_reviews" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "evidence_id" uuid NOT NULL, "sha256" text NOT NULL, "decision" text NOT NULL, "comment" text NOT NULL DEFAULT '', "reviewer_id" uuid NOT NULL, "reviewer_label" text NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "CHK_evidence_reviews_decision" CHECK ("decision" IN ('ACCEPTED', 'REJECTED', 'NEEDS_MORE')), CONSTRAINT "PK_03844b12c921eae5efa27e7ac09" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_evidence_reviews_evidence" ON "evidence_reviews"  ("evidence_id", "at") `);
    await queryRunner.query(
      `CREATE TABLE "countermeasure_sign_offs" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "countermeasure_id" uuid NOT NULL, "auditor_id" uuid NOT NULL, "auditor_label" text NOT NULL, "signed_at" TIMESTAMP WITH TIME ZONE NOT NULL, "statement" text NOT NULL DEFAULT '', "digest" text NOT NULL, "payload" jsonb NOT NULL, "revoked_at" TIMESTAMP WITH TIME ZONE, "revoked_reason" text, CONSTRAINT "CHK_countermeasure_sign_offs_revoked" CHECK (("revoked_at" IS NULL) = ("revoked_reason" IS NULL)), CONSTRAINT "PK_22b8b017774fe2d388b33335780" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_countermeasure_sign_offs_standing" ON "countermeasure_sign_offs"  ("countermeasure_id") WHERE "revoked_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_countermeasure_sign_offs_cm" ON "countermeasure_sign_offs"  ("countermeasure_id", "signed_at") `,
    );
    await queryRunner.query(`ALTER TABLE "countermeasure_requirements" ADD "evidence_total" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "countermeasure_requirements" ADD "live_evidence_count" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "countermeasure_requirements" ADD "accepted_evidence_count" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "countermeasure_requirements" ADD "latest_accepted_effective_on" date`);
    await queryRunner.query(
      `CREATE INDEX "IDX_countermeasure_requirements_recurring" ON "countermeasure_requirements"  ("countermeasure_id", "latest_accepted_effective_on") WHERE "recurrence_days" IS NOT NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE "countermeasure_requirements" ADD CONSTRAINT "CHK_countermeasure_requirements_evidence_counts" CHECK ("accepted_evidence_count" <= "live_evidence_count" AND "live_evidence_count" <= "evidence_total" AND "accepted_evidence_count" >= 0)`,
    );
    await queryRunner.query(
      `ALTER TABLE "evidence" ADD CONSTRAINT "FK_f0bd5c1e39608b9bfae6928f97d" FOREIGN KEY ("countermeasure_id") REFERENCES "countermeasures"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "evidence" ADD CONSTRAINT "FK_ade74d327f796b8c8de88ee678d" FOREIGN KEY ("requirement_id") REFERENCES "countermeasure_requirements"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "evidence" ADD CONSTRAINT "FK_f33caf4297ce381fed893e50d1a" FOREIGN KEY ("target_id") REFERENCES "countermeasure_targets"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "evidence" ADD CONSTRAINT "FK_277b2a67cfd4f7b0d0b53ca4f1a" FOREIGN KEY ("supersedes_id") REFERENCES "evidence"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "evidence" ADD CONSTRAINT "FK_d256fa7698a08d015b06613bfcf" FOREIGN KEY ("uploaded_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "evidence_reviews" ADD CONSTRAINT "FK_7165576bbb3f7ffd646e17ce2a6" FOREIGN KEY ("evidence_id") REFERENCES "evidence"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "evidence_reviews" ADD CONSTRAINT "FK_86d198619f5988f5a790cebdfba" FOREIGN KEY ("reviewer_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "countermeasure_sign_offs" ADD CONSTRAINT "FK_d89813f4a17b395af4de7bb8f3d" FOREIGN KEY ("countermeasure_id") REFERENCES "countermeasures"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "countermeasure_sign_offs" ADD CONSTRAINT "FK_e59e2afb8f12b61a71939c1fe1f" FOREIGN KEY ("auditor_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    // Written by hand (TypeORM does not model triggers). Submitted evidence never
    // changes: only its current-state columns may be updated, and no row is ever
    // deleted. Reviews are append-only. A sign-off may only be revoked, once.
    // One function per table: PL/pgSQL resolves every field an expression names,
    // so a shared function could not read columns that only one table has.
    await queryRunner.query(`CREATE FUNCTION evidence_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'UPDATE' THEN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF (NEW.id, NEW.countermeasure_id, NEW.requirement_id, NEW.target_id, NEW.kind, NEW.name, NEW.description,
      NEW.media_type, NEW.size_bytes, NEW.sha256, NEW.url, NEW.statement, NEW.effective_on, NEW.version_no, NEW.supersedes_id,
      NEW.uploaded_by_id, NEW.uploaded_by_label, NEW.uploaded_at)
    IS DISTINCT FROM (OLD.id, OLD.countermeasure_id, OLD.requirement_id, OLD.target_id, OLD.kind, OLD.name, OLD.description,
      OLD.media_type, OLD.size_bytes, OLD.sha256, OLD.url, OLD.statement, OLD.effective_on, OLD.version_no, OLD.supersedes_id,
      OLD.uploaded_by_id, OLD.uploaded_by_label, OLD.uploaded_at) THEN
    RAISE EXCEPTION 'submitted evidence never changes (only its current state may)' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$`);
    await queryRunner.query(`CREATE FUNCTION evidence_review_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END $$`);
    await queryRunner.query(`CREATE FUNCTION sign_off_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'UPDATE' THEN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF OLD.revoked_at IS NOT NULL
     OR (NEW.id, NEW.countermeasure_id, NEW.auditor_id, NEW.auditor_label, NEW.signed_at, NEW.statement, NEW.digest, NEW.payload)
        IS DISTINCT FROM (OLD.id, OLD.countermeasure_id, OLD.auditor_id, OLD.auditor_label, OLD.signed_at, OLD.statement, OLD.digest, OLD.payload) THEN
    RAISE EXCEPTION 'a sign-off is only ever revoked, once' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$`);
    for (const [table, fn] of TRIGGERS) {
      await queryRunner.query(
        `CREATE TRIGGER "${table}_immutable" BEFORE UPDATE OR DELETE ON "${table}" FOR EACH ROW EXECUTE FUNCTION ${fn}()`,
      );
      await queryRunner.query(
        `CREATE TRIGGER "${table}_no_truncate" BEFORE TRUNCATE ON "${table}" FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`,
      );
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const [table, fn] of TRIGGERS) {
      await queryRunner.query(`DROP TRIGGER "${table}_no_truncate" ON "${table}"`);
      await queryRunner.query(`DROP TRIGGER "${table}_immutable" ON "${table}"`);
      await queryRunner.query(`DROP FUNCTION ${fn}()`);
    }
    await queryRunner.query(`ALTER TABLE "countermeasure_sign_offs" DROP CONSTRAINT "FK_e59e2afb8f12b61a71939c1fe1f"`);
    await queryRunner.query(`ALTER TABLE "countermeasure_sign_offs" DROP CONSTRAINT "FK_d89813f4a17b395af4de7bb8f3d"`);
    await queryRunner.query(`ALTER TABLE "evidence_reviews" DROP CONSTRAINT "FK_86d198619f5988f5a790cebdfba"`);
    await queryRunner.query(`ALTER TABLE "evidence_reviews" DROP CONSTRAINT "FK_7165576bbb3f7ffd646e17ce2a6"`);
    await queryRunner.query(`ALTER TABLE "evidence" DROP CONSTRAINT "FK_d256fa7698a08d015b06613bfcf"`);
    await queryRunner.query(`ALTER TABLE "evidence" DROP CONSTRAINT "FK_277b2a67cfd4f7b0d0b53ca4f1a"`);
    await queryRunner.query(`ALTER TABLE "evidence" DROP CONSTRAINT "FK_f33caf4297ce381fed893e50d1a"`);
    await queryRunner.query(`ALTER TABLE "evidence" DROP CONSTRAINT "FK_ade74d327f796b8c8de88ee678d"`);
    await queryRunner.query(`ALTER TABLE "evidence" DROP CONSTRAINT "FK_f0bd5c1e39608b9bfae6928f97d"`);
    await queryRunner.query(`ALTER TABLE "countermeasure_requirements" DROP CONSTRAINT "CHK_countermeasure_requirements_evidence_counts"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_countermeasure_requirements_recurring"`);
    await queryRunner.query(`ALTER TABLE "countermeasure_requirements" DROP COLUMN "latest_accepted_effective_on"`);
    await queryRunner.query(`ALTER TABLE "countermeasure_requirements" DROP COLUMN "accepted_evidence_count"`);
    await queryRunner.query(`ALTER TABLE "countermeasure_requirements" DROP COLUMN "live_evidence_count"`);
    await queryRunner.query(`ALTER TABLE "countermeasure_requirements" DROP COLUMN "evidence_total"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_countermeasure_sign_offs_cm"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_countermeasure_sign_offs_standing"`);
    await queryRunner.query(`DROP TABLE "countermeasure_sign_offs"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_evidence_reviews_evidence"`);
    await queryRunner.query(`DROP TABLE "evidence_reviews"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_evidence_requirement"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_evidence_countermeasure"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_evidence_sha256"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_evidence_review_queue"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_evidence_supersedes"`);
    await queryRunner.query(`DROP TABLE "evidence"`);
  }
}
