import type { MigrationInterface, QueryRunner } from 'typeorm';

export class IncidentEntryRemoval1795652763172 implements MigrationInterface {
  name = 'IncidentEntryRemoval1795652763172';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "incident_events" ADD "removed_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "incident_events" ADD "removed_by_label" text`);
    await queryRunner.query(`ALTER TABLE "incident_events" ADD "removal_reason" text`);
    await queryRunner.query(`ALTER TABLE "incident_systems" ADD "removed_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "incident_systems" ADD "removed_by_label" text`);
    await queryRunner.query(`ALTER TABLE "incident_systems" ADD "removal_reason" text`);
    await queryRunner.query(`ALTER TABLE "incident_data_categories" ADD "removed_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "incident_data_categories" ADD "removed_by_label" text`);
    await queryRunner.query(`ALTER TABLE "incident_data_categories" ADD "removal_reason" text`);
    await queryRunner.query(`ALTER TABLE "incident_parties" ADD "removed_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "incident_parties" ADD "removed_by_label" text`);
    await queryRunner.query(`ALTER TABLE "incident_parties" ADD "removal_reason" text`);
    await queryRunner.query(
      `ALTER TABLE "incident_events" ADD CONSTRAINT "CHK_incident_events_removal" CHECK (("removed_at" IS NULL AND "removed_by_label" IS NULL AND "removal_reason" IS NULL) OR ("removed_at" IS NOT NULL AND "removed_by_label" IS NOT NULL AND "removal_reason" IS NOT NULL))`,
    );
    await queryRunner.query(
      `ALTER TABLE "incident_systems" ADD CONSTRAINT "CHK_incident_systems_removal" CHECK (("removed_at" IS NULL AND "removed_by_label" IS NULL AND "removal_reason" IS NULL) OR ("removed_at" IS NOT NULL AND "removed_by_label" IS NOT NULL AND "removal_reason" IS NOT NULL))`,
    );
    await queryRunner.query(
      `ALTER TABLE "incident_data_categories" ADD CONSTRAINT "CHK_incident_data_categories_removal" CHECK (("removed_at" IS NULL AND "removed_by_label" IS NULL AND "removal_reason" IS NULL) OR ("removed_at" IS NOT NULL AND "removed_by_label" IS NOT NULL AND "removal_reason" IS NOT NULL))`,
    );
    await queryRunner.query(
      `ALTER TABLE "incident_parties" ADD CONSTRAINT "CHK_incident_parties_removal" CHECK (("removed_at" IS NULL AND "removed_by_label" IS NULL AND "removal_reason" IS NULL) OR ("removed_at" IS NOT NULL AND "removed_by_label" IS NOT NULL AND "removal_reason" IS NOT NULL))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "incident_parties" DROP CONSTRAINT "CHK_incident_parties_removal"`);
    await queryRunner.query(`ALTER TABLE "incident_data_categories" DROP CONSTRAINT "CHK_incident_data_categories_removal"`);
    await queryRunner.query(`ALTER TABLE "incident_systems" DROP CONSTRAINT "CHK_incident_systems_removal"`);
    await queryRunner.query(`ALTER TABLE "incident_events" DROP CONSTRAINT "CHK_incident_events_removal"`);
    await queryRunner.query(`ALTER TABLE "incident_parties" DROP COLUMN "removal_reason"`);
    await queryRunner.query(`ALTER TABLE "incident_parties" DROP COLUMN "removed_by_label"`);
    await queryRunner.query(`ALTER TABLE "incident_parties" DROP COLUMN "removed_at"`);
    await queryRunner.query(`ALTER TABLE "incident_data_categories" DROP COLUMN "removal_reason"`);
    await queryRunner.query(`ALTER TABLE "incident_data_categories" DROP COLUMN "removed_by_label"`);
    await queryRunner.query(`ALTER TABLE "incident_data_categories" DROP COLUMN "removed_at"`);
    await queryRunner.query(`ALTER TABLE "incident_systems" DROP COLUMN "removal_reason"`);
    await queryRunner.query(`ALTER TABLE "incident_systems" DROP COLUMN "removed_by_label"`);
    await queryRunner.query(`ALTER TABLE "incident_systems" DROP COLUMN "removed_at"`);
    await queryRunner.query(`ALTER TABLE "incident_events" DROP COLUMN "removal_reason"`);
    await queryRunner.query(`ALTER TABLE "incident_events" DROP COLUMN "removed_by_label"`);
    await queryRunner.query(`ALTER TABLE "incident_events" DROP COLUMN "removed_at"`);
  }
}
