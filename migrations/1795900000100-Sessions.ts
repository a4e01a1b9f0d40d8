import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sessions with rotating refresh tokens, the second-factor policy per role (AUDITOR, EXECUTIVE and ADMIN
 * required by default) and the list of users' second factors.
 */
export class Sessions1795900000100 implements MigrationInterface {
  name = 'Sessions1795900000100';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "auth_sessions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "state" text NOT NULL, "sign_in_method" text NOT NULL, "second_factor_method" text, "second_factor_at" TIMESTAMP WITH TIME ZONE, "second_factor_amr" text array, "second_factor_acr" text, "user_agent" text, "address" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "revoked_at" TIMESTAMP WITH TIME ZONE, "revoked_by_id" uuid, "revoked_by_label" text, "revocation_reason" text, "version" integer NOT NULL, CONSTRAINT "CHK_auth_sessions_revocation" CHECK (("revoked_at" IS NULL) = ("revoked_by_label" IS NULL) AND ("revoked_at" IS NULL) = ("revocation_reason" IS NULL)), CONSTRAINT "CHK_auth_sessions_second_factor" CHECK (("second_factor_method" IS NULL) = ("second_factor_at" IS NULL) AND ("second_factor_method" IS NULL OR "second_factor_method" IN ('TOTP','RECOVERY_CODE','PASSKEY','SSO'))), CONSTRAINT "CHK_auth_sessions_method" CHECK ("sign_in_method" IN ('PASSWORD','SSO')), CONSTRAINT "CHK_auth_sessions_state" CHECK ("state" IN ('ACTIVE','SECOND_FACTOR_PENDING','ENROLMENT_PENDING')), CONSTRAINT "PK_641507381f32580e8479efc36cd" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_auth_sessions_user" ON "auth_sessions"  ("user_id", "created_at")`);
    await queryRunner.query(
      `CREATE TABLE "auth_refresh_tokens" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "session_id" uuid NOT NULL, "token_hash" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "CHK_auth_refresh_tokens_hash" CHECK ("token_hash" ~ '^[0-9a-f]{64}$'), CONSTRAINT "PK_df6893d2063a4ea7bbf1eda31e5" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_auth_refresh_tokens_hash" ON "auth_refresh_tokens"  ("token_hash")`);
    await queryRunner.query(`CREATE INDEX "IDX_auth_refresh_tokens_session" ON "auth_refresh_tokens"  ("session_id")`);
    await queryRunner.query(
      `CREATE TABLE "second_factor_policy" ("role" text NOT NULL, "required" boolean NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, "updated_by_label" text NOT NULL, "version" integer NOT NULL, CONSTRAINT "CHK_second_factor_policy_role" CHECK ("role" IN ('ADMIN','TASK_FORCE','EXECUTIVE','AUDITOR')), CONSTRAINT "PK_85a9d4e13221eba7e354bcae61b" PRIMARY KEY ("role"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "user_second_factors" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "kind" text NOT NULL, "label" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "confirmed_at" TIMESTAMP WITH TIME ZONE, "last_used_at" TIMESTAMP WITH TIME ZONE, "removed_at" TIMESTAMP WITH TIME ZONE, "removed_by_label" text, CONSTRAINT "CHK_user_second_factors_label" CHECK (char_length("label") BETWEEN 1 AND 100), CONSTRAINT "CHK_user_second_factors_kind" CHECK ("kind" IN ('TOTP','PASSKEY')), CONSTRAINT "PK_481b81026a025f076b6cc3be0a5" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_user_second_factors_user" ON "user_second_factors"  ("user_id", "created_at")`);
    await queryRunner.query(
      `ALTER TABLE "auth_sessions" ADD CONSTRAINT "FK_auth_sessions_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "auth_sessions" ADD CONSTRAINT "FK_auth_sessions_revoked_by" FOREIGN KEY ("revoked_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "auth_refresh_tokens" ADD CONSTRAINT "FK_auth_refresh_tokens_session" FOREIGN KEY ("session_id") REFERENCES "auth_sessions"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "user_second_factors" ADD CONSTRAINT "FK_user_second_factors_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    // A second factor required for the roles that sign (auditors, executives) and for admins, as the issue asks.
    await queryRunner.query(
      `INSERT INTO "second_factor_policy" ("role", "required", "updated_at", "updated_by_label", "version") VALUES ('ADMIN', true, now(), 'system:migration', 1), ('TASK_FORCE', false, now(), 'system:migration', 1), ('EXECUTIVE', true, now(), 'system:migration', 1), ('AUDITOR', true, now(), 'system:migration', 1)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "user_second_factors" DROP CONSTRAINT "FK_user_second_factors_user"`);
    await queryRunner.query(`ALTER TABLE "auth_refresh_tokens" DROP CONSTRAINT "FK_auth_refresh_tokens_session"`);
    await queryRunner.query(`ALTER TABLE "auth_sessions" DROP CONSTRAINT "FK_auth_sessions_revoked_by"`);
    await queryRunner.query(`ALTER TABLE "auth_sessions" DROP CONSTRAINT "FK_auth_sessions_user"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_user_second_factors_user"`);
    await queryRunner.query(`DROP TABLE "user_second_factors"`);
    await queryRunner.query(`DROP TABLE "second_factor_policy"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_auth_refresh_tokens_session"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_auth_refresh_tokens_hash"`);
    await queryRunner.query(`DROP TABLE "auth_refresh_tokens"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_auth_sessions_user"`);
    await queryRunner.query(`DROP TABLE "auth_sessions"`);
  }
}
