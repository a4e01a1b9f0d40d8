import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The registry of the tracker's signing keys (docs/proofs.md, "Keys"): public
 * halves only (the private keys are files). At most one active key per purpose
 * (UQ_signing_keys_active), and a key is registered once (UQ_signing_keys_fingerprint):
 * a retired key never becomes active again.
 */
export class SigningKeys1795690000100 implements MigrationInterface {
  name = 'SigningKeys1795690000100';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "signing_keys" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "purpose" text NOT NULL, "name" text NOT NULL, "key_id" text NOT NULL, "fingerprint" text NOT NULL, "public_key" text NOT NULL, "activated_at" TIMESTAMP WITH TIME ZONE NOT NULL, "retired_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "CHK_signing_keys_retired" CHECK ("retired_at" IS NULL OR "retired_at" >= "activated_at"), CONSTRAINT "CHK_signing_keys_public_key" CHECK (char_length("public_key") = 44), CONSTRAINT "CHK_signing_keys_fingerprint" CHECK ("fingerprint" ~ '^SHA256:[0-9a-f]{64}$'), CONSTRAINT "CHK_signing_keys_key_id" CHECK ("key_id" ~ '^[0-9a-f]{8}$'), CONSTRAINT "CHK_signing_keys_purpose" CHECK ("purpose" IN ('trail', 'bundle')), CONSTRAINT "PK_ab7d78cf6e61dc3904133b4cd55" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_signing_keys_fingerprint" ON "signing_keys"  ("fingerprint") `);
    await queryRunner.query(`CREATE INDEX "IDX_signing_keys_purpose_activated" ON "signing_keys"  ("purpose", "activated_at") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_signing_keys_active" ON "signing_keys"  ("purpose") WHERE "retired_at" IS NULL`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."UQ_signing_keys_active"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_signing_keys_purpose_activated"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_signing_keys_fingerprint"`);
    await queryRunner.query(`DROP TABLE "signing_keys"`);
  }
}
