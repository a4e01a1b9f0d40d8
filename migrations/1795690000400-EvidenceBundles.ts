import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Evidence bundles (docs/proofs.md, "The evidence bundle"): one row per export an
 * auditor, executive or admin asked for, its progress while it builds in the
 * background, and the zip's SHA-256 and size once READY. At most one export of a
 * scope is waiting or building at a time (a partial unique index: a second one
 * is refused with CONFLICT, never queued twice). No foreign keys: a bundle names
 * what it was of (scope, incident, who asked) as its owner wrote it down, and
 * incidents and users are never deleted.
 */
export class EvidenceBundles1795690000400 implements MigrationInterface {
  name = 'EvidenceBundles1795690000400';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "evidence_bundles" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "scope" text NOT NULL, "scope_id" uuid NOT NULL, "incident_id" uuid NOT NULL, "as_of" TIMESTAMP WITH TIME ZONE NOT NULL, "status" text NOT NULL DEFAULT 'QUEUED', "files_done" integer NOT NULL DEFAULT 0, "files_total" integer NOT NULL DEFAULT 0, "bytes_done" bigint NOT NULL DEFAULT 0, "bytes_total" bigint NOT NULL DEFAULT 0, "sha256" text, "size" bigint, "file_name" text, "error" text, "requested_by_id" uuid, "requested_by_label" text NOT NULL, "requested_at" TIMESTAMP WITH TIME ZONE NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, "checkpoint_size" bigint, CONSTRAINT "CHK_evidence_bundles_scope" CHECK ("scope" IN ('INCIDENT', 'ENGAGEMENT', 'COUNTERMEASURE')), CONSTRAINT "CHK_evidence_bundles_status" CHECK ("status" IN ('QUEUED', 'BUILDING', 'READY', 'FAILED')), CONSTRAINT "CHK_evidence_bundles_ready" CHECK (("status" = 'READY') = ("sha256" IS NOT NULL AND "size" IS NOT NULL)), CONSTRAINT "CHK_evidence_bundles_sha256" CHECK ("sha256" IS NULL OR "sha256" ~ '^[0-9a-f]{64}$'), CONSTRAINT "PK_evidence_bundles" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_evidence_bundles_in_progress" ON "evidence_bundles" ("scope", "scope_id") WHERE "status" IN ('QUEUED', 'BUILDING')`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_evidence_bundles_requested" ON "evidence_bundles" ("requested_at", "id") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_evidence_bundles_requested"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_evidence_bundles_in_progress"`);
    await queryRunner.query(`DROP TABLE "evidence_bundles"`);
  }
}
