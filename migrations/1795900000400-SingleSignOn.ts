import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Single sign-on through an OpenID Connect provider: the sign-ins started (state by its hash, nonce, PKCE
 * verifier, the hash of the starting browser's cookie; single-use, 10 minutes), the one-time hand-offs from the callback to the page (code by its hash, the
 * ID token's amr/acr/auth_time; single-use, 1 minute), and the link of a provider's person (issuer, subject) to an
 * account.
 */
export class SingleSignOn1795900000400 implements MigrationInterface {
  name = 'SingleSignOn1795900000400';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "sso_sign_in_states" ("state_hash" text NOT NULL, "nonce" text NOT NULL, "code_verifier" text NOT NULL, "browser_hash" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "CHK_sso_sign_in_states_hash" CHECK ("state_hash" ~ '^[0-9a-f]{64}$' AND "browser_hash" ~ '^[0-9a-f]{64}$'), CONSTRAINT "PK_sso_sign_in_states" PRIMARY KEY ("state_hash"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_sso_sign_in_states_expires" ON "sso_sign_in_states"  ("expires_at") `);
    await queryRunner.query(
      `CREATE TABLE "sso_handoffs" ("code_hash" text NOT NULL, "user_id" uuid NOT NULL, "amr" text array, "acr" text, "auth_time" TIMESTAMP WITH TIME ZONE, "user_agent" text, "address" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "CHK_sso_handoffs_hash" CHECK ("code_hash" ~ '^[0-9a-f]{64}$'), CONSTRAINT "PK_sso_handoffs" PRIMARY KEY ("code_hash"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_sso_handoffs_user" ON "sso_handoffs"  ("user_id") `);
    await queryRunner.query(
      `CREATE TABLE "sso_identities" ("issuer" text NOT NULL, "subject" text NOT NULL, "user_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_sso_identities" PRIMARY KEY ("issuer", "subject"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_sso_identities_issuer_user" ON "sso_identities"  ("issuer", "user_id") `);
    await queryRunner.query(
      `ALTER TABLE "sso_handoffs" ADD CONSTRAINT "FK_sso_handoffs_user_id" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "sso_identities" ADD CONSTRAINT "FK_sso_identities_user_id" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sso_identities" DROP CONSTRAINT "FK_sso_identities_user_id"`);
    await queryRunner.query(`ALTER TABLE "sso_handoffs" DROP CONSTRAINT "FK_sso_handoffs_user_id"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_sso_identities_issuer_user"`);
    await queryRunner.query(`DROP TABLE "sso_identities"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_sso_handoffs_user"`);
    await queryRunner.query(`DROP TABLE "sso_handoffs"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_sso_sign_in_states_expires"`);
    await queryRunner.query(`DROP TABLE "sso_sign_in_states"`);
  }
}
