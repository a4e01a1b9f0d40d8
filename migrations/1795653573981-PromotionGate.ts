import type { MigrationInterface, QueryRunner } from 'typeorm';

export class PromotionGate1795653573981 implements MigrationInterface {
  name = 'PromotionGate1795653573981';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "promotion_gates" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "incident_id" uuid NOT NULL, "key" text NOT NULL, "name" text NOT NULL, "description" text NOT NULL DEFAULT '', "created_reason" text NOT NULL, "state" text NOT NULL, "blockers" jsonb NOT NULL DEFAULT '[]', "authorizer_ids" uuid array NOT NULL DEFAULT '{}', "opened_at" TIMESTAMP WITH TIME ZONE, "opened_by_label" text, "open_statement" text, "held_at" TIMESTAMP WITH TIME ZONE, "held_by_label" text, "hold_reason" text, "webhook_url" text, "webhook_secret" text, "version" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_promotion_gates_hold" CHECK (("held_at" IS NULL) = ("hold_reason" IS NULL)), CONSTRAINT "CHK_promotion_gates_open" CHECK (("state" = 'OPEN') = ("opened_at" IS NOT NULL)), CONSTRAINT "CHK_promotion_gates_key" CHECK ("key" ~ '^[a-z0-9][a-z0-9-]{1,62}$'), CONSTRAINT "CHK_promotion_gates_state" CHECK ("state" IN ('SUSPENDED', 'ELIGIBLE', 'OPEN')), CONSTRAINT "PK_ee0277e2a0abb849ddc56fef49d" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_promotion_gates_incident" ON "promotion_gates"  ("incident_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_promotion_gates_key" ON "promotion_gates"  ("key") `);
    await queryRunner.query(
      `CREATE TABLE "promotion_gate_history" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "gate_id" uuid NOT NULL, "from_state" text, "to_state" text NOT NULL, "cause" text NOT NULL, "reason" text NOT NULL, "blockers" jsonb NOT NULL DEFAULT '[]', "actor_id" uuid, "actor_label" text NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "CHK_promotion_gate_history_cause" CHECK ("cause" IN ('CREATED', 'RULES_BROKEN', 'RULES_MET', 'AUTHORIZED', 'HELD_BY_HAND', 'HOLD_RELEASED')), CONSTRAINT "PK_84201146b5bea9a2d5114bd117f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_promotion_gate_history_gate" ON "promotion_gate_history"  ("gate_id", "at") `);
    await queryRunner.query(
      `CREATE TABLE "gate_webhook_deliveries" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "gate_id" uuid NOT NULL, "change_id" uuid NOT NULL, "url" text NOT NULL, "body" text NOT NULL, "status" text NOT NULL DEFAULT 'PENDING', "attempts" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_gate_webhook_deliveries_status" CHECK ("status" IN ('PENDING', 'DELIVERED', 'FAILED')), CONSTRAINT "PK_fb23394065e59bf6d7e78408032" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_gate_webhook_deliveries_gate" ON "gate_webhook_deliveries"  ("gate_id", "created_at") `);
    await queryRunner.query(
      `CREATE INDEX "IDX_gate_webhook_deliveries_due" ON "gate_webhook_deliveries"  ("next_attempt_at") WHERE "status" = 'PENDING'`,
    );
    await queryRunner.query(
      `CREATE TABLE "gate_webhook_attempts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "delivery_id" uuid NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, "http_status" integer, "error" text, "duration_ms" integer NOT NULL, CONSTRAINT "PK_7c72f54c4c78e72faa233da41d6" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_gate_webhook_attempts_delivery" ON "gate_webhook_attempts"  ("delivery_id", "at") `);
    await queryRunner.query(
      `ALTER TABLE "promotion_gates" ADD CONSTRAINT "FK_c83c422b5c32f64670496f41158" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "promotion_gate_history" ADD CONSTRAINT "FK_4fa603438f264300b50385233c5" FOREIGN KEY ("gate_id") REFERENCES "promotion_gates"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "promotion_gate_history" ADD CONSTRAINT "FK_2f8e1e38b1a92f9217bd29e56e8" FOREIGN KEY ("actor_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "gate_webhook_deliveries" ADD CONSTRAINT "FK_498bc786458ac857bc2bc5ba60a" FOREIGN KEY ("gate_id") REFERENCES "promotion_gates"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "gate_webhook_deliveries" ADD CONSTRAINT "FK_887802200f091d4bdc98ad5b3a9" FOREIGN KEY ("change_id") REFERENCES "promotion_gate_history"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "gate_webhook_attempts" ADD CONSTRAINT "FK_4d9503db9fa9f651c91628891f8" FOREIGN KEY ("delivery_id") REFERENCES "gate_webhook_deliveries"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    // Written by hand: the gate's history is append-only (TypeORM does not model triggers).
    await queryRunner.query(`CREATE FUNCTION promotion_gate_history_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'promotion_gate_history is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$`);
    await queryRunner.query(
      `CREATE TRIGGER "promotion_gate_history_append_only" BEFORE UPDATE OR DELETE ON "promotion_gate_history" FOR EACH ROW EXECUTE FUNCTION promotion_gate_history_refuse_change()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "promotion_gate_history_no_truncate" BEFORE TRUNCATE ON "promotion_gate_history" FOR EACH STATEMENT EXECUTE FUNCTION promotion_gate_history_refuse_change()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "promotion_gate_history_no_truncate" ON "promotion_gate_history"`);
    await queryRunner.query(`DROP TRIGGER "promotion_gate_history_append_only" ON "promotion_gate_history"`);
    await queryRunner.query(`DROP FUNCTION promotion_gate_history_refuse_change()`);
    await queryRunner.query(`ALTER TABLE "gate_webhook_attempts" DROP CONSTRAINT "FK_4d9503db9fa9f651c91628891f8"`);
    await queryRunner.query(`ALTER TABLE "gate_webhook_deliveries" DROP CONSTRAINT "FK_887802200f091d4bdc98ad5b3a9"`);
    await queryRunner.query(`ALTER TABLE "gate_webhook_deliveries" DROP CONSTRAINT "FK_498bc786458ac857bc2bc5ba60a"`);
    await queryRunner.query(`ALTER TABLE "promotion_gate_history" DROP CONSTRAINT "FK_2f8e1e38b1a92f9217bd29e56e8"`);
    await queryRunner.query(`ALTER TABLE "promotion_gate_history" DROP CONSTRAINT "FK_4fa603438f264300b50385233c5"`);
    await queryRunner.query(`ALTER TABLE "promotion_gates" DROP CONSTRAINT "FK_c83c422b5c32f64670496f41158"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_gate_webhook_attempts_delivery"`);
    await queryRunner.query(`DROP TABLE "gate_webhook_attempts"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_gate_webhook_deliveries_due"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_gate_webhook_deliveries_gate"`);
    await queryRunner.query(`DROP TABLE "gate_webhook_deliveries"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_promotion_gate_history_gate"`);
    await queryRunner.query(`DROP TABLE "promotion_gate_history"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_promotion_gates_key"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_promotion_gates_incident"`);
    await queryRunner.query(`DROP TABLE "promotion_gates"`);
  }
}
