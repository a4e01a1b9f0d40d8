import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AuditTrail1795642043146 implements MigrationInterface {
  name = 'AuditTrail1795642043146';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // Written by hand (TypeORM does not model triggers): the trail is append-only in the
    // database itself, whoever connects. Tampering needs the table owner to drop or
    // disable this trigger, and the hash chain then shows where history was changed.
    await queryRunner.query(`CREATE FUNCTION audit_trail_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit trail is append-only: % is refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$`);
    await queryRunner.query(
      `CREATE TABLE "audit_trail" ("seq" bigint NOT NULL, "id" uuid NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "actor_id" uuid, "actor_label" text NOT NULL, "action" text NOT NULL, "entity_type" text NOT NULL, "entity_id" text NOT NULL, "before" jsonb, "after" jsonb, "request_id" text, "prev_hash" character(64) NOT NULL, "hash" character(64) NOT NULL, CONSTRAINT "PK_8165f10523786ade6faa9724326" PRIMARY KEY ("seq"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_audit_trail_id" ON "audit_trail"  ("id") `);
    await queryRunner.query(`CREATE INDEX "IDX_audit_trail_occurred_at" ON "audit_trail"  ("occurred_at") `);
    await queryRunner.query(`CREATE INDEX "IDX_audit_trail_action" ON "audit_trail"  ("action", "seq") `);
    await queryRunner.query(`CREATE INDEX "IDX_audit_trail_actor" ON "audit_trail"  ("actor_id", "seq") `);
    await queryRunner.query(`CREATE INDEX "IDX_audit_trail_entity" ON "audit_trail"  ("entity_type", "entity_id", "seq") `);
    await queryRunner.query(
      `CREATE TRIGGER "audit_trail_append_only" BEFORE UPDATE OR DELETE ON "audit_trail" FOR EACH ROW EXECUTE FUNCTION audit_trail_refuse_change()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "audit_trail_no_truncate" BEFORE TRUNCATE ON "audit_trail" FOR EACH STATEMENT EXECUTE FUNCTION audit_trail_refuse_change()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "audit_trail_no_truncate" ON "audit_trail"`);
    await queryRunner.query(`DROP TRIGGER "audit_trail_append_only" ON "audit_trail"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_audit_trail_entity"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_audit_trail_actor"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_audit_trail_action"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_audit_trail_occurred_at"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_audit_trail_id"`);
    await queryRunner.query(`DROP TABLE "audit_trail"`);
    await queryRunner.query(`DROP FUNCTION audit_trail_refuse_change()`);
  }
}
