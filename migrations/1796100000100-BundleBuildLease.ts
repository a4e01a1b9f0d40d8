import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A bundle being built is leased by the instance building it (issue 17): with several instances sharing
 * BUNDLE_DIR, one instance's start must not take back another's build in progress. A build renews its lease
 * while it runs; a BUILDING row whose lease ran out (its instance stopped or died) is queued again.
 */
export class BundleBuildLease1796100000100 implements MigrationInterface {
  name = 'BundleBuildLease1796100000100';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "evidence_bundles" ADD "lease_expires_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "evidence_bundles" ADD "lease_owner" uuid`);
    await queryRunner.query(
      `COMMENT ON COLUMN "evidence_bundles"."lease_owner" IS 'while BUILDING: the build holding the lease (every write of the build checks it)'`,
    );
    await queryRunner.query(
      `COMMENT ON COLUMN "evidence_bundles"."lease_expires_at" IS 'while BUILDING: until when the building instance holds it (database time)'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "evidence_bundles" DROP COLUMN "lease_owner"`);
    await queryRunner.query(`ALTER TABLE "evidence_bundles" DROP COLUMN "lease_expires_at"`);
  }
}
