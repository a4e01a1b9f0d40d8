import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * State the dashboard reads instead of scanning (see CONVENTIONS, "Performance"),
 * kept in the transaction of every change:
 * - `countermeasure_status_counts`: countermeasures per (incident, category,
 *   status, required-for-gate), kept by a trigger on `countermeasures`;
 * - `countermeasure_status_days`: per (incident, day in Asia/Tokyo, status) how
 *   many entered minus how many left, kept by a trigger on
 *   `countermeasure_transitions` (insert, and update/delete of a history row,
 *   which the application never does, so the sums stay exact whatever happens);
 * - `countermeasures.status_changed_at` / `status_reason`: the latest
 *   transition's time and reason, kept by the same trigger on the transitions;
 * - `evidence.incident_id`: copied from the countermeasure by a trigger on insert
 *   and frozen with the other submitted columns;
 * - partial indexes for what the dashboard counts and lists.
 * Triggers keep the derived tables because every path that writes the source
 * rows (services, the demo, a test's or an operator's SQL) then keeps them right.
 * Each table is filled from the existing rows here.
 *
 * Lock order: every change of countermeasures locks its incident row first (the
 * services' `lockItem` / `create`), so two transactions never update the kept
 * rows of one incident in opposite orders. A decrement that finds no row means
 * the kept counts were bypassed (triggers disabled, a TRUNCATE): it fails the
 * change instead of letting the figures drift.
 */

/** The day of a transition, as the dashboard counts days (the case's time zone). */
const TOKYO_DAY = (at: string) => `(${at} AT TIME ZONE 'Asia/Tokyo')::date`;

const EVIDENCE_FROZEN = (
  withIncident: boolean,
) => `CREATE OR REPLACE FUNCTION evidence_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'UPDATE' THEN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF (NEW.id, NEW.countermeasure_id, NEW.requirement_id, NEW.target_id, NEW.kind, NEW.name, NEW.description,
      NEW.media_type, NEW.size_bytes, NEW.sha256, NEW.url, NEW.statement, NEW.effective_on, NEW.version_no, NEW.supersedes_id,
      NEW.uploaded_by_id, NEW.uploaded_by_label, NEW.uploaded_at${withIncident ? ', NEW.incident_id' : ''})
    IS DISTINCT FROM (OLD.id, OLD.countermeasure_id, OLD.requirement_id, OLD.target_id, OLD.kind, OLD.name, OLD.description,
      OLD.media_type, OLD.size_bytes, OLD.sha256, OLD.url, OLD.statement, OLD.effective_on, OLD.version_no, OLD.supersedes_id,
      OLD.uploaded_by_id, OLD.uploaded_by_label, OLD.uploaded_at${withIncident ? ', OLD.incident_id' : ''}) THEN
    RAISE EXCEPTION 'submitted evidence never changes (only its current state may)' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$`;

export class DashboardKeptState1795665461812 implements MigrationInterface {
  name = 'DashboardKeptState1795665461812';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "countermeasure_status_counts" ("incident_id" uuid NOT NULL, "category" text NOT NULL, "status" text NOT NULL, "required_for_gate" boolean NOT NULL, "count" integer NOT NULL, CONSTRAINT "CHK_countermeasure_status_counts_count" CHECK ("count" >= 0), CONSTRAINT "PK_0a6139bc408748e94f39e724609" PRIMARY KEY ("incident_id", "category", "status", "required_for_gate"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "countermeasure_status_days" ("incident_id" uuid NOT NULL, "day" date NOT NULL, "status" text NOT NULL, "delta" integer NOT NULL, CONSTRAINT "PK_a39179896181217a197845764f9" PRIMARY KEY ("incident_id", "day", "status"))`,
    );

    // The latest transition's time and reason (the creation's for an item never moved).
    await queryRunner.query(`ALTER TABLE "countermeasures" ADD "status_changed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()`);
    await queryRunner.query(`ALTER TABLE "countermeasures" ADD "status_reason" text`);
    // The latest transition (of two at the same instant, the one into the current status).
    await queryRunner.query(`CREATE FUNCTION countermeasure_status_since_keep(p_id uuid) RETURNS void LANGUAGE sql AS $$
  UPDATE countermeasures c SET status_changed_at = l.at, status_reason = l.reason
  FROM (SELECT t.at, t.reason FROM countermeasure_transitions t JOIN countermeasures x ON x.id = t.countermeasure_id
        WHERE t.countermeasure_id = p_id ORDER BY t.at DESC, (t.to_status = x.status) DESC LIMIT 1) l
  WHERE c.id = p_id AND (c.status_changed_at, c.status_reason) IS DISTINCT FROM (l.at, l.reason)
$$`);
    await queryRunner.query(`UPDATE "countermeasures" c SET "status_changed_at" = t.at, "status_reason" = t.reason
      FROM (SELECT DISTINCT ON (t.countermeasure_id) t.countermeasure_id, t.at, t.reason FROM "countermeasure_transitions" t
            JOIN "countermeasures" x ON x.id = t.countermeasure_id ORDER BY t.countermeasure_id, t.at DESC, (t.to_status = x.status) DESC) t
      WHERE t.countermeasure_id = c.id`);

    // Evidence knows its incident (the update passes the frozen-columns trigger: the column is new to it; then it joins them).
    await queryRunner.query(`ALTER TABLE "evidence" ADD "incident_id" uuid`);
    await queryRunner.query(
      `UPDATE "evidence" e SET "incident_id" = c.incident_id FROM "countermeasures" c WHERE c.id = e.countermeasure_id`,
    );
    await queryRunner.query(`ALTER TABLE "evidence" ALTER COLUMN "incident_id" SET NOT NULL`);
    await queryRunner.query(EVIDENCE_FROZEN(true));
    await queryRunner.query(`CREATE FUNCTION evidence_copy_incident() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT c.incident_id INTO NEW.incident_id FROM countermeasures c WHERE c.id = NEW.countermeasure_id;
  RETURN NEW;
END $$`);
    await queryRunner.query(
      `CREATE TRIGGER "evidence_incident" BEFORE INSERT ON "evidence" FOR EACH ROW EXECUTE FUNCTION evidence_copy_incident()`,
    );

    // Counts per cell, now.
    await queryRunner.query(`INSERT INTO "countermeasure_status_counts" (incident_id, category, status, required_for_gate, count)
      SELECT incident_id, category, status, required_for_gate, count(*) FROM "countermeasures" GROUP BY 1, 2, 3, 4`);
    await queryRunner.query(`CREATE FUNCTION countermeasure_status_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    UPDATE countermeasure_status_counts SET count = count - 1
    WHERE incident_id = OLD.incident_id AND category = OLD.category AND status = OLD.status AND required_for_gate = OLD.required_for_gate;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'countermeasure_status_counts is out of step with countermeasures (no row for % % %)', OLD.incident_id, OLD.category, OLD.status
        USING ERRCODE = 'data_exception';
    END IF;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO countermeasure_status_counts AS s (incident_id, category, status, required_for_gate, count)
    VALUES (NEW.incident_id, NEW.category, NEW.status, NEW.required_for_gate, 1)
    ON CONFLICT (incident_id, category, status, required_for_gate) DO UPDATE SET count = s.count + 1;
  END IF;
  RETURN NULL;
END $$`);
    await queryRunner.query(
      `CREATE TRIGGER "countermeasures_keep_status_counts" AFTER INSERT OR DELETE OR UPDATE OF incident_id, category, status, required_for_gate ON "countermeasures" FOR EACH ROW EXECUTE FUNCTION countermeasure_status_counts_keep()`,
    );

    // The flow per day: each transition enters its to_status and leaves its from_status (a creation has none).
    await queryRunner.query(`INSERT INTO "countermeasure_status_days" (incident_id, day, status, delta)
      SELECT c.incident_id, ${TOKYO_DAY('t.at')}, s.status, sum(s.delta)
      FROM "countermeasure_transitions" t JOIN "countermeasures" c ON c.id = t.countermeasure_id
      CROSS JOIN LATERAL (VALUES (t.to_status, 1), (t.from_status, -1)) s(status, delta)
      WHERE s.status IS NOT NULL
      GROUP BY 1, 2, 3`);
    await queryRunner.query(`CREATE FUNCTION countermeasure_status_days_add(p_incident uuid, p_at timestamptz, p_status text, p_delta integer) RETURNS void LANGUAGE sql AS $$
  INSERT INTO countermeasure_status_days AS s (incident_id, day, status, delta)
  VALUES (p_incident, ${TOKYO_DAY('p_at')}, p_status, p_delta)
  ON CONFLICT (incident_id, day, status) DO UPDATE SET delta = s.delta + p_delta
$$`);
    await queryRunner.query(`CREATE FUNCTION countermeasure_status_days_keep() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_incident uuid;
BEGIN
  IF TG_OP <> 'INSERT' THEN
    SELECT incident_id INTO v_incident FROM countermeasures WHERE id = OLD.countermeasure_id;
    PERFORM countermeasure_status_days_add(v_incident, OLD.at, OLD.to_status, -1);
    IF OLD.from_status IS NOT NULL THEN
      PERFORM countermeasure_status_days_add(v_incident, OLD.at, OLD.from_status, 1);
    END IF;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    SELECT incident_id INTO v_incident FROM countermeasures WHERE id = NEW.countermeasure_id;
    PERFORM countermeasure_status_days_add(v_incident, NEW.at, NEW.to_status, 1);
    IF NEW.from_status IS NOT NULL THEN
      PERFORM countermeasure_status_days_add(v_incident, NEW.at, NEW.from_status, -1);
    END IF;
    PERFORM countermeasure_status_since_keep(NEW.countermeasure_id);
  END IF;
  IF TG_OP <> 'INSERT' THEN
    PERFORM countermeasure_status_since_keep(OLD.countermeasure_id);
  END IF;
  RETURN NULL;
END $$`);
    await queryRunner.query(
      `CREATE TRIGGER "countermeasure_transitions_keep_status_days" AFTER INSERT OR UPDATE OR DELETE ON "countermeasure_transitions" FOR EACH ROW EXECUTE FUNCTION countermeasure_status_days_keep()`,
    );

    await queryRunner.query(
      `CREATE INDEX "IDX_countermeasures_ongoing_verified" ON "countermeasures"  ("incident_id", "due_date", "seq") WHERE "ongoing" AND "status" IN ('VERIFIED', 'OPERATING', 'DEGRADED')`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_countermeasures_blocked" ON "countermeasures"  ("incident_id", "status_changed_at", "seq") WHERE "status" = 'BLOCKED'`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_countermeasures_open_owner" ON "countermeasures"  ("incident_id", "owner_id", "due_date") WHERE "status" IN ('PLANNED', 'IN_PROGRESS', 'BLOCKED', 'IMPLEMENTED', 'CHANGES_REQUESTED', 'DEGRADED', 'REOPENED')`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_countermeasures_open_due" ON "countermeasures"  ("incident_id", "due_date", "seq") WHERE "status" IN ('PLANNED', 'IN_PROGRESS', 'BLOCKED', 'IMPLEMENTED', 'CHANGES_REQUESTED', 'DEGRADED', 'REOPENED')`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_evidence_incident_review_queue" ON "evidence"  ("incident_id", "uploaded_at") WHERE "status" = 'SUBMITTED' AND "review_decision" IS NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE "countermeasure_status_counts" ADD CONSTRAINT "FK_e0f3ee3a9ab0425a8514cf78e44" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "countermeasure_status_days" ADD CONSTRAINT "FK_ae0aa36c37ea177f3015d7c787d" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "evidence" ADD CONSTRAINT "FK_5641754daf52026460fe4e665a4" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "evidence" DROP CONSTRAINT "FK_5641754daf52026460fe4e665a4"`);
    await queryRunner.query(`ALTER TABLE "countermeasure_status_days" DROP CONSTRAINT "FK_ae0aa36c37ea177f3015d7c787d"`);
    await queryRunner.query(`ALTER TABLE "countermeasure_status_counts" DROP CONSTRAINT "FK_e0f3ee3a9ab0425a8514cf78e44"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_evidence_incident_review_queue"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_countermeasures_open_due"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_countermeasures_open_owner"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_countermeasures_blocked"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_countermeasures_ongoing_verified"`);
    await queryRunner.query(`DROP TRIGGER "countermeasure_transitions_keep_status_days" ON "countermeasure_transitions"`);
    await queryRunner.query(`DROP FUNCTION countermeasure_status_days_keep()`);
    await queryRunner.query(`DROP FUNCTION countermeasure_status_days_add(uuid, timestamptz, text, integer)`);
    await queryRunner.query(`DROP FUNCTION countermeasure_status_since_keep(uuid)`);
    await queryRunner.query(`DROP TRIGGER "countermeasures_keep_status_counts" ON "countermeasures"`);
    await queryRunner.query(`DROP FUNCTION countermeasure_status_counts_keep()`);
    await queryRunner.query(`DROP TRIGGER "evidence_incident" ON "evidence"`);
    await queryRunner.query(`DROP FUNCTION evidence_copy_incident()`);
    await queryRunner.query(EVIDENCE_FROZEN(false));
    await queryRunner.query(`ALTER TABLE "evidence" DROP COLUMN "incident_id"`);
    await queryRunner.query(`ALTER TABLE "countermeasures" DROP COLUMN "status_reason"`);
    await queryRunner.query(`ALTER TABLE "countermeasures" DROP COLUMN "status_changed_at"`);
    await queryRunner.query(`DROP TABLE "countermeasure_status_days"`);
    await queryRunner.query(`DROP TABLE "countermeasure_status_counts"`);
  }
}
