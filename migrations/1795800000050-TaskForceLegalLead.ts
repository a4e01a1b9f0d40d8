import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A task-force member may be the incident's legal lead: the standing to prepare and submit its PPC reports (issue 15). */
export class TaskForceLegalLead1795800000050 implements MigrationInterface {
  name = 'TaskForceLegalLead1795800000050';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "task_force_members" ADD "legal_lead" boolean NOT NULL DEFAULT false`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "task_force_members" DROP COLUMN "legal_lead"`);
  }
}
