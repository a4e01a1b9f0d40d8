import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Signed checkpoints of the audit trail's Merkle tree (docs/proofs.md), the
 * auditors' co-signing keys and their co-signatures. Checkpoints and
 * co-signatures are append-only in the database itself, like the trail: a
 * checkpoint is a promise made to the outside world and is never changed. A
 * co-signing key is only ever revoked (revoked_at set once), never edited or
 * removed: what it signed must still verify.
 */
export class TrailCheckpoints1795690000200 implements MigrationInterface {
  name = 'TrailCheckpoints1795690000200';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE FUNCTION trail_proofs_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % is refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$`);
    await queryRunner.query(`CREATE FUNCTION trail_cosigner_keys_revoke_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL
     AND NEW.id = OLD.id AND NEW.user_id = OLD.user_id AND NEW.name = OLD.name AND NEW.public_key = OLD.public_key
     AND NEW.key_id = OLD.key_id AND NEW.registered_at = OLD.registered_at THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'a co-signing key is only ever revoked, once: this UPDATE is refused' USING ERRCODE = 'insufficient_privilege';
END
$$`);
    await queryRunner.query(
      `CREATE TABLE "trail_checkpoints" ("tree_size" bigint NOT NULL, "root_hash" text NOT NULL, "body" text NOT NULL, "signatures" text NOT NULL, "key_id" text NOT NULL, "reason" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_by" uuid, "created_by_label" text NOT NULL, CONSTRAINT "CHK_trail_checkpoints_reason" CHECK ("reason" IN ('SCHEDULE', 'SIGN_OFF', 'CLEARANCE', 'GATE', 'BUNDLE', 'ON_DEMAND', 'START')), CONSTRAINT "PK_trail_checkpoints" PRIMARY KEY ("tree_size"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "trail_cosigner_keys" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "name" text NOT NULL, "public_key" text NOT NULL, "key_id" text NOT NULL, "registered_at" TIMESTAMP WITH TIME ZONE NOT NULL, "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_trail_cosigner_keys" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_trail_cosigner_keys_active_user" ON "trail_cosigner_keys" ("user_id") WHERE "revoked_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "trail_checkpoint_cosignatures" ("tree_size" bigint NOT NULL, "cosigner_key_id" uuid NOT NULL, "user_id" uuid NOT NULL, "key_id" text NOT NULL, "signature" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_trail_checkpoint_cosignatures" PRIMARY KEY ("tree_size", "cosigner_key_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_trail_checkpoint_cosignatures_user" ON "trail_checkpoint_cosignatures" ("user_id") `);
    await queryRunner.query(
      `ALTER TABLE "trail_checkpoint_cosignatures" ADD CONSTRAINT "FK_trail_checkpoint_cosignatures_checkpoint" FOREIGN KEY ("tree_size") REFERENCES "trail_checkpoints"("tree_size") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "trail_checkpoint_cosignatures" ADD CONSTRAINT "FK_trail_checkpoint_cosignatures_key" FOREIGN KEY ("cosigner_key_id") REFERENCES "trail_cosigner_keys"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    for (const table of ['trail_checkpoints', 'trail_checkpoint_cosignatures']) {
      await queryRunner.query(
        `CREATE TRIGGER "${table}_append_only" BEFORE UPDATE OR DELETE ON "${table}" FOR EACH ROW EXECUTE FUNCTION trail_proofs_refuse_change()`,
      );
      await queryRunner.query(
        `CREATE TRIGGER "${table}_no_truncate" BEFORE TRUNCATE ON "${table}" FOR EACH STATEMENT EXECUTE FUNCTION trail_proofs_refuse_change()`,
      );
    }
    await queryRunner.query(
      `CREATE TRIGGER "trail_cosigner_keys_revoke_only" BEFORE UPDATE ON "trail_cosigner_keys" FOR EACH ROW EXECUTE FUNCTION trail_cosigner_keys_revoke_only()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "trail_cosigner_keys_no_delete" BEFORE DELETE ON "trail_cosigner_keys" FOR EACH ROW EXECUTE FUNCTION trail_proofs_refuse_change()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "trail_cosigner_keys_no_truncate" BEFORE TRUNCATE ON "trail_cosigner_keys" FOR EACH STATEMENT EXECUTE FUNCTION trail_proofs_refuse_change()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "trail_checkpoint_cosignatures"`);
    await queryRunner.query(`DROP TABLE "trail_cosigner_keys"`);
    await queryRunner.query(`DROP TABLE "trail_checkpoints"`);
    await queryRunner.query(`DROP FUNCTION trail_cosigner_keys_revoke_only()`);
    await queryRunner.query(`DROP FUNCTION trail_proofs_refuse_change()`);
  }
}
