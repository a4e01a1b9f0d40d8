import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Init1795641196484 implements MigrationInterface {
  name = 'Init1795641196484';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "users" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "email" text NOT NULL, "display_name" text NOT NULL, "display_name_kana" text, "password_hash" text NOT NULL, "roles" text array NOT NULL, "active" boolean NOT NULL DEFAULT true, "deactivated_at" TIMESTAMP WITH TIME ZONE, "version" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_users_email_normalized" CHECK ("email" = lower(btrim("email"))), CONSTRAINT "CHK_users_roles" CHECK (cardinality("roles") >= 1 AND "roles" <@ ARRAY['ADMIN','TASK_FORCE','EXECUTIVE','AUDITOR']::text[]), CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_users_email" ON "users"  ("email") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."UQ_users_email"`);
    await queryRunner.query(`DROP TABLE "users"`);
  }
}
