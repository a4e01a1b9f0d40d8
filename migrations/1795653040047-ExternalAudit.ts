import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ExternalAudit1795653040047 implements MigrationInterface {
  name = 'ExternalAudit1795653040047';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "audit_engagements" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "incident_id" uuid NOT NULL, "title" text NOT NULL, "firm" text NOT NULL, "lead_auditor_id" uuid NOT NULL, "status" text NOT NULL DEFAULT 'PLANNED', "starts_on" date, "ends_on" date, "conclusion" text, "version" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_audit_engagements_period" CHECK ("ends_on" IS NULL OR "starts_on" IS NULL OR "ends_on" >= "starts_on"), CONSTRAINT "CHK_audit_engagements_status" CHECK ("status" IN ('PLANNED', 'FIELDWORK', 'REPORTING', 'CLEARED', 'NOT_CLEARED')), CONSTRAINT "PK_f86547e0a7baab043d5b13caabc" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_audit_engagements_lead" ON "audit_engagements"  ("lead_auditor_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_audit_engagements_incident" ON "audit_engagements"  ("incident_id", "status") `);
    await queryRunner.query(
      `CREATE TABLE "audit_engagement_team" ("engagement_id" uuid NOT NULL, "user_id" uuid NOT NULL, CONSTRAINT "PK_44d0c23bdf9ec205392db945ec5" PRIMARY KEY ("engagement_id", "user_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_audit_engagement_team_user" ON "audit_engagement_team"  ("user_id") `);
    await queryRunner.query(
      `CREATE TABLE "audit_scope_countermeasures" ("engagement_id" uuid NOT NULL, "countermeasure_id" uuid NOT NULL, CONSTRAINT "PK_cd385b22fe23acb96882de6ee49" PRIMARY KEY ("engagement_id", "countermeasure_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_audit_scope_countermeasures_cm" ON "audit_scope_countermeasures"  ("countermeasure_id") `);
    await queryRunner.query(
      `CREATE TABLE "audit_scope_systems" ("engagement_id" uuid NOT NULL, "system_id" uuid NOT NULL, CONSTRAINT "PK_8ee061926c2705b03acf09bca5a" PRIMARY KEY ("engagement_id", "system_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_audit_scope_systems_system" ON "audit_scope_systems"  ("system_id") `);
    await queryRunner.query(
      `CREATE TABLE "audit_engagement_transitions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "engagement_id" uuid NOT NULL, "from_status" text, "to_status" text NOT NULL, "reason" text, "actor_id" uuid, "actor_label" text NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_96ebb57b9c2957d2de77b13dd5c" PRIMARY KEY ("id")); COMMENT ON COLUMN "audit_engagement_transitions"."from_status" IS 'null for the creation'`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_audit_engagement_transitions_engagement" ON "audit_engagement_transitions"  ("engagement_id", "at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "audit_findings" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "engagement_id" uuid NOT NULL, "incident_id" uuid NOT NULL, "seq" integer NOT NULL, "severity" text NOT NULL, "title" text NOT NULL, "description" text NOT NULL DEFAULT '', "countermeasure_id" uuid, "status" text NOT NULL DEFAULT 'OPEN', "raised_by_id" uuid, "raised_by_label" text NOT NULL, "raised_at" TIMESTAMP WITH TIME ZONE NOT NULL, "resolution_note" text, "resolved_at" TIMESTAMP WITH TIME ZONE, "resolved_by_label" text, "version" integer NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_audit_findings_resolved" CHECK (("status" = 'RESOLVED') = ("resolved_at" IS NOT NULL)), CONSTRAINT "CHK_audit_findings_status" CHECK ("status" IN ('OPEN', 'RESOLVED', 'ACCEPTED_RISK')), CONSTRAINT "CHK_audit_findings_severity" CHECK ("severity" IN ('CRITICAL', 'HIGH', 'MEDIUM', 'LOW')), CONSTRAINT "PK_b66fb855ac062aabeccdd4ec1b4" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_audit_findings_countermeasure" ON "audit_findings"  ("countermeasure_id") `);
    await queryRunner.query(
      `CREATE INDEX "IDX_audit_findings_blocking" ON "audit_findings"  ("incident_id", "status") WHERE "severity" IN ('CRITICAL', 'HIGH') AND "status" <> 'RESOLVED'`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_audit_findings_engagement" ON "audit_findings"  ("engagement_id", "seq") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_audit_findings_incident_seq" ON "audit_findings"  ("incident_id", "seq") `);
    await queryRunner.query(
      `CREATE TABLE "audit_clearances" ("id" uuid NOT NULL, "engagement_id" uuid NOT NULL, "incident_id" uuid NOT NULL, "cleared_by_id" uuid, "cleared_by_label" text NOT NULL, "cleared_at" TIMESTAMP WITH TIME ZONE NOT NULL, "statement" text NOT NULL, "digest" text NOT NULL, "payload" jsonb NOT NULL, "withdrawn_at" TIMESTAMP WITH TIME ZONE, "withdrawal_reason" text, "withdrawn_by_label" text, CONSTRAINT "CHK_audit_clearances_withdrawn" CHECK (("withdrawn_at" IS NULL) = ("withdrawal_reason" IS NULL)), CONSTRAINT "CHK_audit_clearances_digest" CHECK ("digest" ~ '^[0-9a-f]{64}$'), CONSTRAINT "PK_f4a1fdbcde956568c0c10b9aa85" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_audit_clearances_engagement" ON "audit_clearances"  ("engagement_id", "cleared_at") `);
    await queryRunner.query(
      `CREATE INDEX "IDX_audit_clearances_incident_standing" ON "audit_clearances"  ("incident_id") WHERE "withdrawn_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_audit_clearances_standing" ON "audit_clearances"  ("engagement_id") WHERE "withdrawn_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "audit_risk_acceptances" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "incident_id" uuid NOT NULL, "finding_id" uuid, "requirement_id" uuid, "justification" text NOT NULL, "compensating_controls" text NOT NULL, "expires_on" date NOT NULL, "accepted_by_id" uuid, "accepted_by_label" text NOT NULL, "accepted_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ended_at" TIMESTAMP WITH TIME ZONE, "end_kind" text, "end_reason" text, "ended_by_label" text, CONSTRAINT "CHK_audit_risk_acceptances_ended" CHECK (("ended_at" IS NULL) = ("end_kind" IS NULL)), CONSTRAINT "CHK_audit_risk_acceptances_end_kind" CHECK ("end_kind" IS NULL OR "end_kind" IN ('REVOKED', 'EXPIRED', 'FINDING_RESOLVED')), CONSTRAINT "CHK_audit_risk_acceptances_subject" CHECK (("finding_id" IS NULL) <> ("requirement_id" IS NULL)), CONSTRAINT "PK_9f6a085b0b13538bc0f0d0f53bf" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_audit_risk_acceptances_incident" ON "audit_risk_acceptances"  ("incident_id", "accepted_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_audit_risk_acceptances_expiry" ON "audit_risk_acceptances"  ("expires_on") WHERE "ended_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_audit_risk_acceptances_requirement" ON "audit_risk_acceptances"  ("requirement_id") WHERE "ended_at" IS NULL AND "requirement_id" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_audit_risk_acceptances_finding" ON "audit_risk_acceptances"  ("finding_id") WHERE "ended_at" IS NULL AND "finding_id" IS NOT NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE "audit_engagements" ADD CONSTRAINT "FK_1be14e611102b840bfbf4de7d23" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "audit_engagements" ADD CONSTRAINT "FK_b3e5378bce5d16ea3e555a285db" FOREIGN KEY ("lead_auditor_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "audit_engagement_team" ADD CONSTRAINT "FK_bd5db49d0dbed96483368e84fac" FOREIGN KEY ("engagement_id") REFERENCES "audit_engagements"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "audit_engagement_team" ADD CONSTRAINT "FK_6c015e090f7a31504526ce54155" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "audit_scope_countermeasures" ADD CONSTRAINT "FK_505c7aefc1927efcd16342a0e2c" FOREIGN KEY ("engagement_id") REFERENCES "audit_engagements"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "audit_scope_countermeasures" ADD CONSTRAINT "FK_2a8b9d399a768c72f6a6d065231" FOREIGN KEY ("countermeasure_id") REFERENCES "countermeasures"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "audit_scope_systems" ADD CONSTRAINT "FK_cfbed359755eb8d76fadee32a26" FOREIGN KEY ("engagement_id") REFERENCES "audit_engagements"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "audit_scope_systems" ADD CONSTRAINT "FK_c193cb48062eb64335d2b87ec1b" FOREIGN KEY ("system_id") REFERENCES "incident_systems"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "audit_engagement_transitions" ADD CONSTRAINT "FK_1ec5f07bef14de9ee661449008e" FOREIGN KEY ("engagement_id") REFERENCES "audit_engagements"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "audit_engagement_transitions" ADD CONSTRAINT "FK_c1715767ee18568bf859bdd02d3" FOREIGN KEY ("actor_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "audit_findings" ADD CONSTRAINT "FK_1fb503be31eecda30b72ae80664" FOREIGN KEY ("engagement_id") REFERENCES "audit_engagements"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "audit_findings" ADD CONSTRAINT "FK_d185da1aea8c8d58a5408a4a7df" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "audit_findings" ADD CONSTRAINT "FK_5b899563bce8eaf2bac40863f12" FOREIGN KEY ("countermeasure_id") REFERENCES "countermeasures"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "audit_findings" ADD CONSTRAINT "FK_bb5ca0c04053dc07981f96ec812" FOREIGN KEY ("raised_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "audit_clearances" ADD CONSTRAINT "FK_450b5f80ef061b662873d709dfd" FOREIGN KEY ("engagement_id") REFERENCES "audit_engagements"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "audit_clearances" ADD CONSTRAINT "FK_654e41e7d8e75439a1ea32899ff" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "audit_clearances" ADD CONSTRAINT "FK_ad87389a4669d453c82c0d3e27c" FOREIGN KEY ("cleared_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "audit_risk_acceptances" ADD CONSTRAINT "FK_705e5aff73096e636a83d1e3914" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "audit_risk_acceptances" ADD CONSTRAINT "FK_74c8b583695e455b5c07bc77a35" FOREIGN KEY ("finding_id") REFERENCES "audit_findings"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "audit_risk_acceptances" ADD CONSTRAINT "FK_4a0685e48ea23a2a6f8a55a8583" FOREIGN KEY ("requirement_id") REFERENCES "countermeasure_requirements"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "audit_risk_acceptances" ADD CONSTRAINT "FK_5ae2f1b936011d37f0a79c0f522" FOREIGN KEY ("accepted_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    // Written by hand (TypeORM does not model triggers). A clearance is never deleted
    // and what it attests never changes: it may only be withdrawn, once. The
    // engagement's status history is append-only.
    await queryRunner.query(`CREATE FUNCTION audits_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR TG_OP = 'TRUNCATE' THEN
    RAISE EXCEPTION '% keeps its history: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF TG_TABLE_NAME = 'audit_engagement_transitions' THEN
    RAISE EXCEPTION 'audit_engagement_transitions is append-only: UPDATE refused' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF TG_TABLE_NAME = 'audit_clearances' AND (OLD.withdrawn_at IS NOT NULL
      OR (NEW.id, NEW.engagement_id, NEW.incident_id, NEW.cleared_by_id, NEW.cleared_by_label, NEW.cleared_at, NEW.statement, NEW.digest, NEW.payload)
         IS DISTINCT FROM (OLD.id, OLD.engagement_id, OLD.incident_id, OLD.cleared_by_id, OLD.cleared_by_label, OLD.cleared_at, OLD.statement, OLD.digest, OLD.payload)) THEN
    RAISE EXCEPTION 'a clearance is only ever withdrawn, once' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$`);
    for (const table of ['audit_clearances', 'audit_engagement_transitions']) {
      await queryRunner.query(
        `CREATE TRIGGER "${table}_immutable" BEFORE UPDATE OR DELETE ON "${table}" FOR EACH ROW EXECUTE FUNCTION audits_refuse_change()`,
      );
      await queryRunner.query(
        `CREATE TRIGGER "${table}_no_truncate" BEFORE TRUNCATE ON "${table}" FOR EACH STATEMENT EXECUTE FUNCTION audits_refuse_change()`,
      );
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['audit_clearances', 'audit_engagement_transitions']) {
      await queryRunner.query(`DROP TRIGGER "${table}_no_truncate" ON "${table}"`);
      await queryRunner.query(`DROP TRIGGER "${table}_immutable" ON "${table}"`);
    }
    await queryRunner.query(`DROP FUNCTION audits_refuse_change()`);
    await queryRunner.query(`ALTER TABLE "audit_risk_acceptances" DROP CONSTRAINT "FK_5ae2f1b936011d37f0a79c0f522"`);
    await queryRunner.query(`ALTER TABLE "audit_risk_acceptances" DROP CONSTRAINT "FK_4a0685e48ea23a2a6f8a55a8583"`);
    await queryRunner.query(`ALTER TABLE "audit_risk_acceptances" DROP CONSTRAINT "FK_74c8b583695e455b5c07bc77a35"`);
    await queryRunner.query(`ALTER TABLE "audit_risk_acceptances" DROP CONSTRAINT "FK_705e5aff73096e636a83d1e3914"`);
    await queryRunner.query(`ALTER TABLE "audit_clearances" DROP CONSTRAINT "FK_ad87389a4669d453c82c0d3e27c"`);
    await queryRunner.query(`ALTER TABLE "audit_clearances" DROP CONSTRAINT "FK_654e41e7d8e75439a1ea32899ff"`);
    await queryRunner.query(`ALTER TABLE "audit_clearances" DROP CONSTRAINT "FK_450b5f80ef061b662873d709dfd"`);
    await queryRunner.query(`ALTER TABLE "audit_findings" DROP CONSTRAINT "FK_bb5ca0c04053dc07981f96ec812"`);
    await queryRunner.query(`ALTER TABLE "audit_findings" DROP CONSTRAINT "FK_5b899563bce8eaf2bac40863f12"`);
    await queryRunner.query(`ALTER TABLE "audit_findings" DROP CONSTRAINT "FK_d185da1aea8c8d58a5408a4a7df"`);
    await queryRunner.query(`ALTER TABLE "audit_findings" DROP CONSTRAINT "FK_1fb503be31eecda30b72ae80664"`);
    await queryRunner.query(`ALTER TABLE "audit_engagement_transitions" DROP CONSTRAINT "FK_c1715767ee18568bf859bdd02d3"`);
    await queryRunner.query(`ALTER TABLE "audit_engagement_transitions" DROP CONSTRAINT "FK_1ec5f07bef14de9ee661449008e"`);
    await queryRunner.query(`ALTER TABLE "audit_scope_systems" DROP CONSTRAINT "FK_c193cb48062eb64335d2b87ec1b"`);
    await queryRunner.query(`ALTER TABLE "audit_scope_systems" DROP CONSTRAINT "FK_cfbed359755eb8d76fadee32a26"`);
    await queryRunner.query(`ALTER TABLE "audit_scope_countermeasures" DROP CONSTRAINT "FK_2a8b9d399a768c72f6a6d065231"`);
    await queryRunner.query(`ALTER TABLE "audit_scope_countermeasures" DROP CONSTRAINT "FK_505c7aefc1927efcd16342a0e2c"`);
    await queryRunner.query(`ALTER TABLE "audit_engagement_team" DROP CONSTRAINT "FK_6c015e090f7a31504526ce54155"`);
    await queryRunner.query(`ALTER TABLE "audit_engagement_team" DROP CONSTRAINT "FK_bd5db49d0dbed96483368e84fac"`);
    await queryRunner.query(`ALTER TABLE "audit_engagements" DROP CONSTRAINT "FK_b3e5378bce5d16ea3e555a285db"`);
    await queryRunner.query(`ALTER TABLE "audit_engagements" DROP CONSTRAINT "FK_1be14e611102b840bfbf4de7d23"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_audit_risk_acceptances_finding"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_audit_risk_acceptances_requirement"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_audit_risk_acceptances_expiry"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_audit_risk_acceptances_incident"`);
    await queryRunner.query(`DROP TABLE "audit_risk_acceptances"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_audit_clearances_standing"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_audit_clearances_incident_standing"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_audit_clearances_engagement"`);
    await queryRunner.query(`DROP TABLE "audit_clearances"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_audit_findings_incident_seq"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_audit_findings_engagement"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_audit_findings_blocking"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_audit_findings_countermeasure"`);
    await queryRunner.query(`DROP TABLE "audit_findings"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_audit_engagement_transitions_engagement"`);
    await queryRunner.query(`DROP TABLE "audit_engagement_transitions"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_audit_scope_systems_system"`);
    await queryRunner.query(`DROP TABLE "audit_scope_systems"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_audit_scope_countermeasures_cm"`);
    await queryRunner.query(`DROP TABLE "audit_scope_countermeasures"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_audit_engagement_team_user"`);
    await queryRunner.query(`DROP TABLE "audit_engagement_team"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_audit_engagements_incident"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_audit_engagements_lead"`);
    await queryRunner.query(`DROP TABLE "audit_engagements"`);
  }
}
