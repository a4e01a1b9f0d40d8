import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Passkeys (WebAuthn) as a second factor (issue 16), owned by libs/identity: the public half of each registered
 * credential, keyed by its entry in user_second_factors (kind PASSKEY; the credential id unique across users),
 * and the challenges of the ceremonies in progress (two minutes, answered once, by the session that asked;
 * a user's expired ones are deleted at their next ceremony, hence the index on (user_id, expires_at)).
 */
export class Passkeys1795900000300 implements MigrationInterface {
  name = 'Passkeys1795900000300';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "webauthn_credentials" ("factor_id" uuid NOT NULL, "credential_id" text NOT NULL, "public_key" bytea NOT NULL, "counter" bigint NOT NULL, "transports" text array NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_webauthn_credentials" PRIMARY KEY ("factor_id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_webauthn_credentials_credential_id" ON "webauthn_credentials" ("credential_id") `);
    await queryRunner.query(
      `CREATE TABLE "webauthn_challenges" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "session_id" uuid NOT NULL, "purpose" text NOT NULL, "challenge" text NOT NULL, "label" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "CHK_webauthn_challenges_expiry" CHECK ("expires_at" > "created_at"), CONSTRAINT "CHK_webauthn_challenges_label" CHECK (("purpose" = 'REGISTER') = ("label" IS NOT NULL)), CONSTRAINT "CHK_webauthn_challenges_purpose" CHECK ("purpose" IN ('REGISTER','AUTHENTICATE')), CONSTRAINT "PK_webauthn_challenges" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_webauthn_challenges_session" ON "webauthn_challenges" ("session_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_webauthn_challenges_user" ON "webauthn_challenges" ("user_id", "expires_at") `);
    await queryRunner.query(
      `ALTER TABLE "webauthn_credentials" ADD CONSTRAINT "FK_webauthn_credentials_factor" FOREIGN KEY ("factor_id") REFERENCES "user_second_factors"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "webauthn_challenges" ADD CONSTRAINT "FK_webauthn_challenges_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "webauthn_challenges" ADD CONSTRAINT "FK_webauthn_challenges_session" FOREIGN KEY ("session_id") REFERENCES "auth_sessions"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "webauthn_challenges" DROP CONSTRAINT "FK_webauthn_challenges_session"`);
    await queryRunner.query(`ALTER TABLE "webauthn_challenges" DROP CONSTRAINT "FK_webauthn_challenges_user"`);
    await queryRunner.query(`ALTER TABLE "webauthn_credentials" DROP CONSTRAINT "FK_webauthn_credentials_factor"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_webauthn_challenges_user"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_webauthn_challenges_session"`);
    await queryRunner.query(`DROP TABLE "webauthn_challenges"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_webauthn_credentials_credential_id"`);
    await queryRunner.query(`DROP TABLE "webauthn_credentials"`);
  }
}
