import type { MigrationInterface, QueryRunner } from 'typeorm';

export class RequirementRiskAcceptance1795653934677 implements MigrationInterface {
  name = 'RequirementRiskAcceptance1795653934677';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "countermeasure_requirements" ADD "risk_accepted_until" date`);
    await queryRunner.query(`ALTER TABLE "countermeasure_requirements" ADD "risk_acceptance_id" uuid`);
    await queryRunner.query(
      `ALTER TABLE "countermeasure_requirements" ADD CONSTRAINT "CHK_countermeasure_requirements_risk" CHECK (("risk_accepted_until" IS NULL) = ("risk_acceptance_id" IS NULL))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "countermeasure_requirements" DROP CONSTRAINT "CHK_countermeasure_requirements_risk"`);
    await queryRunner.query(`ALTER TABLE "countermeasure_requirements" DROP COLUMN "risk_acceptance_id"`);
    await queryRunner.query(`ALTER TABLE "countermeasure_requirements" DROP COLUMN "risk_accepted_until"`);
  }
}
