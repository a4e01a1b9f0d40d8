import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Copies of every trail checkpoint outside the database (docs/proofs.md): one
 * row per checkpoint and target (DIRECTORY, S3, WEBHOOK), an outbox the copy
 * worker delivers with retries. The due ones are found by a partial index, the
 * ones still open (the problems list) by another.
 */
export class TrailCheckpointCopies1795690000300 implements MigrationInterface {
  name = 'TrailCheckpointCopies1795690000300';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "trail_checkpoint_copies" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tree_size" bigint NOT NULL, "target" text NOT NULL, "status" text NOT NULL DEFAULT 'PENDING', "attempts" integer NOT NULL DEFAULT '0', "last_error" text, "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL, "done_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_trail_checkpoint_copies_size_target" UNIQUE ("tree_size", "target"), CONSTRAINT "CHK_trail_checkpoint_copies_attempts" CHECK ("attempts" >= 0), CONSTRAINT "CHK_trail_checkpoint_copies_done" CHECK (("status" = 'DONE') = ("done_at" IS NOT NULL)), CONSTRAINT "CHK_trail_checkpoint_copies_status" CHECK ("status" IN ('PENDING', 'DONE', 'FAILED')), CONSTRAINT "CHK_trail_checkpoint_copies_target" CHECK ("target" IN ('DIRECTORY', 'S3', 'WEBHOOK')), CONSTRAINT "PK_trail_checkpoint_copies" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_trail_checkpoint_copies_due" ON "trail_checkpoint_copies" ("next_attempt_at") WHERE "status" = 'PENDING'`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_trail_checkpoint_copies_open" ON "trail_checkpoint_copies" ("created_at", "id") WHERE "status" <> 'DONE'`,
    );
    await queryRunner.query(
      `ALTER TABLE "trail_checkpoint_copies" ADD CONSTRAINT "FK_trail_checkpoint_copies_checkpoint" FOREIGN KEY ("tree_size") REFERENCES "trail_checkpoints"("tree_size") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "trail_checkpoint_copies" DROP CONSTRAINT "FK_trail_checkpoint_copies_checkpoint"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_trail_checkpoint_copies_open"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_trail_checkpoint_copies_due"`);
    await queryRunner.query(`DROP TABLE "trail_checkpoint_copies"`);
  }
}
