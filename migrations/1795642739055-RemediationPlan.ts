import type { MigrationInterface, QueryRunner } from 'typeorm';

export class RemediationPlan1795642739055 implements MigrationInterface {
  name = 'RemediationPlan1795642739055';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "countermeasures" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "incident_id" uuid NOT NULL, "seq" integer NOT NULL, "title" text NOT NULL, "description" text NOT NULL DEFAULT '', "category" text NOT NULL, "owner_id" uuid NOT NULL, "priority" text NOT NULL, "due_date" date NOT NULL, "required_for_gate" boolean NOT NULL DEFAULT false, "ongoing" boolean NOT NULL DEFAULT false, "status" text NOT NULL, "resume_status" text, "version" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_countermeasures_priority" CHECK ("priority" IN ('LOW', 'MEDIUM', 'HIGH', 'CRITICAL')), CONSTRAINT "CHK_countermeasures_category" CHECK ("category" IN ('DB_SHUTDOWN', 'ACCESS_RESTRICTION', 'EXPORT_RESTRICTION', 'MONITORING', 'EXTERNAL_AUDIT', 'GOVERNANCE', 'CUSTOMER_PROTECTION', 'COMMUNICATION', 'OTHER')), CONSTRAINT "CHK_countermeasures_resume_status" CHECK (("status" = 'BLOCKED') = ("resume_status" IS NOT NULL)), CONSTRAINT "CHK_countermeasures_status" CHECK ("status" IN ('PLANNED', 'IN_PROGRESS', 'BLOCKED', 'IMPLEMENTED', 'CHANGES_REQUESTED', 'VERIFIED', 'OPERATING', 'DEGRADED', 'REOPENED', 'CANCELLED')), CONSTRAINT "PK_67aef96bf24012797728b1f60af" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_countermeasures_category" ON "countermeasures"  ("incident_id", "category") `);
    await queryRunner.query(`CREATE INDEX "IDX_countermeasures_due_date" ON "countermeasures"  ("incident_id", "due_date", "seq") `);
    await queryRunner.query(`CREATE INDEX "IDX_countermeasures_owner" ON "countermeasures"  ("owner_id", "status") `);
    await queryRunner.query(`CREATE INDEX "IDX_countermeasures_incident_status" ON "countermeasures"  ("incident_id", "status") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_countermeasures_incident_seq" ON "countermeasures"  ("incident_id", "seq") `);
    await queryRunner.query(
      `CREATE TABLE "countermeasure_contributors" ("countermeasure_id" uuid NOT NULL, "user_id" uuid NOT NULL, CONSTRAINT "PK_5e9c76707671bcb4e634cfe3366" PRIMARY KEY ("countermeasure_id", "user_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_countermeasure_contributors_user" ON "countermeasure_contributors"  ("user_id") `);
    await queryRunner.query(
      `CREATE TABLE "countermeasure_requirements" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "countermeasure_id" uuid NOT NULL, "position" integer NOT NULL, "title" text NOT NULL, "description" text NOT NULL DEFAULT '', "recurrence_days" integer, CONSTRAINT "PK_74671ec447279fea24900675bcd" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_countermeasure_requirements_cm" ON "countermeasure_requirements"  ("countermeasure_id", "position") `,
    );
    await queryRunner.query(
      `CREATE TABLE "countermeasure_transitions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "countermeasure_id" uuid NOT NULL, "from_status" text, "to_status" text NOT NULL, "cause" text NOT NULL, "reason" text, "actor_id" uuid, "actor_label" text NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "CHK_countermeasure_transitions_cause" CHECK ("cause" IN ('USER', 'EXECUTIVE', 'AUDITOR_SIGN_OFF', 'AUDITOR_REJECTION', 'REOPEN', 'SYSTEM_STALENESS', 'SYSTEM_FRESH_EVIDENCE')), CONSTRAINT "PK_a4aababe3066a58a4b6b023eae9" PRIMARY KEY ("id")); COMMENT ON COLUMN "countermeasure_transitions"."from_status" IS 'null for the creation'`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_countermeasure_transitions_cm" ON "countermeasure_transitions"  ("countermeasure_id", "at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "countermeasure_due_date_changes" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "countermeasure_id" uuid NOT NULL, "old_due_date" date NOT NULL, "new_due_date" date NOT NULL, "reason" text NOT NULL, "actor_id" uuid, "actor_label" text NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_b6a575a4a6f8075939b8dca9f63" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_countermeasure_due_date_changes_cm" ON "countermeasure_due_date_changes"  ("countermeasure_id", "at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "incidents" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "title" text NOT NULL, "summary" text NOT NULL, "detected_on" date, "police_reported_on" date, "regulator_reported_on" date, "disclosed_on" date, "version" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ccb34c01719889017e2246469f9" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "incident_events" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "incident_id" uuid NOT NULL, "occurred_on" date NOT NULL, "kind" text NOT NULL, "description" text NOT NULL, CONSTRAINT "CHK_incident_events_kind" CHECK ("kind" IN ('DETECTED', 'INVESTIGATION_STEP', 'REPORTED_TO_POLICE', 'REPORTED_TO_REGULATOR', 'PUBLIC_DISCLOSURE', 'CUSTOMER_NOTICE', 'WEBSITE_UPDATE', 'CONTAINMENT', 'OTHER')), CONSTRAINT "PK_1230e0a50df3503eed115634297" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_incident_events_incident" ON "incident_events"  ("incident_id", "occurred_on") `);
    await queryRunner.query(
      `CREATE TABLE "incident_systems" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "incident_id" uuid NOT NULL, "name" text NOT NULL, "description" text NOT NULL DEFAULT '', "leak_source" boolean NOT NULL DEFAULT false, "holds_customer_data" boolean NOT NULL DEFAULT true, CONSTRAINT "PK_5899a6395d5e9e6f3067b1c9761" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_incident_systems_incident" ON "incident_systems"  ("incident_id") `);
    await queryRunner.query(
      `CREATE TABLE "incident_data_categories" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "incident_id" uuid NOT NULL, "name" text NOT NULL, "leaked" boolean NOT NULL, CONSTRAINT "PK_675c63a0deb79b04a4ecd646a85" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_incident_data_categories_incident" ON "incident_data_categories"  ("incident_id") `);
    await queryRunner.query(
      `CREATE TABLE "incident_parties" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "incident_id" uuid NOT NULL, "kind" text NOT NULL, "name" text NOT NULL, "role" text NOT NULL DEFAULT '', CONSTRAINT "CHK_incident_parties_kind" CHECK ("kind" IN ('POLICE', 'REGULATOR', 'INVESTIGATION_FIRM', 'MONITORING_FIRM', 'AUDIT_FIRM', 'OTHER')), CONSTRAINT "PK_9781b4e46815a8bbfff142c2f68" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_incident_parties_incident" ON "incident_parties"  ("incident_id") `);
    await queryRunner.query(
      `CREATE TABLE "task_force_members" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "incident_id" uuid NOT NULL, "user_id" uuid NOT NULL, "role_title" text NOT NULL, "is_chief" boolean NOT NULL DEFAULT false, "joined_on" date NOT NULL, "left_on" date, CONSTRAINT "PK_cb82c86322a6df56f588fcb81e0" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_task_force_members_user" ON "task_force_members"  ("user_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_task_force_members_chief" ON "task_force_members"  ("incident_id") WHERE "is_chief" AND "left_on" IS NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_task_force_members_current" ON "task_force_members"  ("incident_id", "user_id") WHERE "left_on" IS NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."UQ_task_force_members_current"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_task_force_members_chief"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_task_force_members_user"`);
    await queryRunner.query(`DROP TABLE "task_force_members"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_incident_parties_incident"`);
    await queryRunner.query(`DROP TABLE "incident_parties"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_incident_data_categories_incident"`);
    await queryRunner.query(`DROP TABLE "incident_data_categories"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_incident_systems_incident"`);
    await queryRunner.query(`DROP TABLE "incident_systems"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_incident_events_incident"`);
    await queryRunner.query(`DROP TABLE "incident_events"`);
    await queryRunner.query(`DROP TABLE "incidents"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_countermeasure_due_date_changes_cm"`);
    await queryRunner.query(`DROP TABLE "countermeasure_due_date_changes"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_countermeasure_transitions_cm"`);
    await queryRunner.query(`DROP TABLE "countermeasure_transitions"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_countermeasure_requirements_cm"`);
    await queryRunner.query(`DROP TABLE "countermeasure_requirements"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_countermeasure_contributors_user"`);
    await queryRunner.query(`DROP TABLE "countermeasure_contributors"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_countermeasures_incident_seq"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_countermeasures_incident_status"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_countermeasures_owner"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_countermeasures_due_date"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_countermeasures_category"`);
    await queryRunner.query(`DROP TABLE "countermeasures"`);
  }
}
