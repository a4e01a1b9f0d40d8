import type { MigrationInterface, QueryRunner } from 'typeorm';

const OLD_KINDS = `'DUE_IN_7_DAYS', 'DUE_IN_1_DAY', 'OVERDUE', 'REVIEW_WAITING', 'EVIDENCE_GOING_STALE', 'RISK_ACCEPTANCE_EXPIRING', 'GATE_CHANGED', 'WEEKLY_DIGEST'`;
const NEW_KINDS = `${OLD_KINDS}, 'BREACH_REPORT_DUE', 'BREACH_REPORT_OVERDUE'`;

/**
 * Two kinds of notification for the PPC report deadlines (issue 15): BREACH_REPORT_DUE (7, 2, 1 days before and on
 * the due day) and BREACH_REPORT_OVERDUE (every day while late), in the kind checks of notifications and of
 * notification_preferences. Down: the notifications and preferences of those kinds are deleted first (the old check
 * would refuse them).
 */
export class BreachReportReminders1795800000900 implements MigrationInterface {
  name = 'BreachReportReminders1795800000900';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "notifications" DROP CONSTRAINT "CHK_notifications_kind"`);
    await queryRunner.query(`ALTER TABLE "notifications" ADD CONSTRAINT "CHK_notifications_kind" CHECK ("kind" IN (${NEW_KINDS}))`);
    await queryRunner.query(`ALTER TABLE "notification_preferences" DROP CONSTRAINT "CHK_notification_preferences_kind"`);
    await queryRunner.query(
      `ALTER TABLE "notification_preferences" ADD CONSTRAINT "CHK_notification_preferences_kind" CHECK ("kind" IN (${NEW_KINDS}))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "notification_preferences" WHERE "kind" IN ('BREACH_REPORT_DUE', 'BREACH_REPORT_OVERDUE')`);
    await queryRunner.query(`DELETE FROM "notifications" WHERE "kind" IN ('BREACH_REPORT_DUE', 'BREACH_REPORT_OVERDUE')`);
    await queryRunner.query(`ALTER TABLE "notification_preferences" DROP CONSTRAINT "CHK_notification_preferences_kind"`);
    await queryRunner.query(
      `ALTER TABLE "notification_preferences" ADD CONSTRAINT "CHK_notification_preferences_kind" CHECK ("kind" IN (${OLD_KINDS}))`,
    );
    await queryRunner.query(`ALTER TABLE "notifications" DROP CONSTRAINT "CHK_notifications_kind"`);
    await queryRunner.query(`ALTER TABLE "notifications" ADD CONSTRAINT "CHK_notifications_kind" CHECK ("kind" IN (${OLD_KINDS}))`);
  }
}
