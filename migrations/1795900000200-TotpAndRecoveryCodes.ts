import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Authenticator apps and recovery codes (issue 16), owned by libs/identity. `totp_secrets`: the sealed secret of
 * each TOTP factor (AES-256-GCM under SECOND_FACTOR_KEY) and the step of its last accepted code (a code is never
 * accepted twice). `recovery_codes`: the SHA-256 of each single-use code, when it was used or voided; read by
 * user (IDX_recovery_codes_user).
 */
export class TotpAndRecoveryCodes1795900000200 implements MigrationInterface {
  name = 'TotpAndRecoveryCodes1795900000200';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "totp_secrets" ("factor_id" uuid NOT NULL, "secret" text NOT NULL, "last_used_step" bigint, CONSTRAINT "PK_totp_secrets" PRIMARY KEY ("factor_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "recovery_codes" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "code_hash" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, "invalidated_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "CHK_recovery_codes_spent" CHECK ("used_at" IS NULL OR "invalidated_at" IS NULL), CONSTRAINT "CHK_recovery_codes_hash" CHECK ("code_hash" ~ '^[0-9a-f]{64}$'), CONSTRAINT "PK_recovery_codes" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_recovery_codes_user" ON "recovery_codes"  ("user_id") `);
    await queryRunner.query(
      `ALTER TABLE "totp_secrets" ADD CONSTRAINT "FK_totp_secrets_factor" FOREIGN KEY ("factor_id") REFERENCES "user_second_factors"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "recovery_codes" ADD CONSTRAINT "FK_recovery_codes_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "recovery_codes" DROP CONSTRAINT "FK_recovery_codes_user"`);
    await queryRunner.query(`ALTER TABLE "totp_secrets" DROP CONSTRAINT "FK_totp_secrets_factor"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_recovery_codes_user"`);
    await queryRunner.query(`DROP TABLE "recovery_codes"`);
    await queryRunner.query(`DROP TABLE "totp_secrets"`);
  }
}
