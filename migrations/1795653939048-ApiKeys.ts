import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ApiKeys1795653939048 implements MigrationInterface {
  name = 'ApiKeys1795653939048';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "api_keys" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "prefix" text NOT NULL, "secret_hash" text NOT NULL, "role" text NOT NULL DEFAULT 'SERVICE', "created_by_id" uuid, "created_by_label" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "revoked_at" TIMESTAMP WITH TIME ZONE, "revoked_by_id" uuid, "revoked_by_label" text, "revocation_reason" text, "last_used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "CHK_api_keys_revocation" CHECK (("revoked_at" IS NULL AND "revoked_by_label" IS NULL AND "revocation_reason" IS NULL AND "revoked_by_id" IS NULL) OR ("revoked_at" IS NOT NULL AND "revoked_by_label" IS NOT NULL AND "revocation_reason" IS NOT NULL)), CONSTRAINT "CHK_api_keys_secret_hash" CHECK ("secret_hash" ~ '^[0-9a-f]{64}$'), CONSTRAINT "CHK_api_keys_prefix" CHECK ("prefix" ~ '^[0-9a-f]{12}$'), CONSTRAINT "CHK_api_keys_name" CHECK (char_length("name") BETWEEN 1 AND 100 AND "name" = btrim("name")), CONSTRAINT "CHK_api_keys_role" CHECK ("role" = 'SERVICE'), CONSTRAINT "PK_5c8a79801b44bd27b79228e1dad" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_api_keys_prefix" ON "api_keys"  ("prefix") `);
    await queryRunner.query(`CREATE INDEX "IDX_api_keys_created" ON "api_keys"  ("created_at", "id") `);
    await queryRunner.query(
      `ALTER TABLE "api_keys" ADD CONSTRAINT "FK_api_keys_created_by" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "api_keys" ADD CONSTRAINT "FK_api_keys_revoked_by" FOREIGN KEY ("revoked_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "api_keys" DROP CONSTRAINT "FK_api_keys_revoked_by"`);
    await queryRunner.query(`ALTER TABLE "api_keys" DROP CONSTRAINT "FK_api_keys_created_by"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_api_keys_created"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_api_keys_prefix"`);
    await queryRunner.query(`DROP TABLE "api_keys"`);
  }
}
