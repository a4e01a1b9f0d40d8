import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ForeignKeys1795646135029 implements MigrationInterface {
  name = 'ForeignKeys1795646135029';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "incident_events" ADD CONSTRAINT "FK_390f216bd2d62482f4a2602b5e8" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "incident_systems" ADD CONSTRAINT "FK_a2995570ede10f8f96cbf8b29ad" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "incident_data_categories" ADD CONSTRAINT "FK_15b517040b1258a3a29d34310fc" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "incident_parties" ADD CONSTRAINT "FK_27b2f9e752d4ba2f18dc8370f04" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "task_force_members" ADD CONSTRAINT "FK_7d0de1de5b48c34173ecb2b92ef" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "task_force_members" ADD CONSTRAINT "FK_7843beabc6fd9070925cb1b5ba1" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "countermeasures" ADD CONSTRAINT "FK_d493d99b603bfcc955341f18b59" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "countermeasures" ADD CONSTRAINT "FK_e563950b920baa5941705898436" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "countermeasures" ADD CONSTRAINT "FK_d449e4fd701b02963d9bef30fe8" FOREIGN KEY ("parent_id") REFERENCES "countermeasures"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "countermeasure_contributors" ADD CONSTRAINT "FK_7d7741de83237d65854aa174ee9" FOREIGN KEY ("countermeasure_id") REFERENCES "countermeasures"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "countermeasure_contributors" ADD CONSTRAINT "FK_8a86ad99253dd43c150163bfe15" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "countermeasure_requirements" ADD CONSTRAINT "FK_2d55b1a5c0495952ecf642179b8" FOREIGN KEY ("countermeasure_id") REFERENCES "countermeasures"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "countermeasure_transitions" ADD CONSTRAINT "FK_4bd52e712b02a47142b0f84f624" FOREIGN KEY ("countermeasure_id") REFERENCES "countermeasures"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "countermeasure_transitions" ADD CONSTRAINT "FK_8436fb6422d67a8db3feca3172e" FOREIGN KEY ("actor_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "countermeasure_due_date_changes" ADD CONSTRAINT "FK_1743ff57b88da54edb718ca618c" FOREIGN KEY ("countermeasure_id") REFERENCES "countermeasures"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "countermeasure_due_date_changes" ADD CONSTRAINT "FK_f1e321eb6afc16af87cdea61916" FOREIGN KEY ("actor_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "countermeasure_dependencies" ADD CONSTRAINT "FK_6cc738e144533f31ff0ef225396" FOREIGN KEY ("countermeasure_id") REFERENCES "countermeasures"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "countermeasure_dependencies" ADD CONSTRAINT "FK_5d0d0133db701648fbacc7c0fb8" FOREIGN KEY ("depends_on_id") REFERENCES "countermeasures"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "countermeasure_targets" ADD CONSTRAINT "FK_9241a32948d10a20eaed9424ba1" FOREIGN KEY ("countermeasure_id") REFERENCES "countermeasures"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "countermeasure_targets" ADD CONSTRAINT "FK_b813bb07efc6ccd512be94e9ae0" FOREIGN KEY ("system_id") REFERENCES "incident_systems"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "countermeasure_targets" DROP CONSTRAINT "FK_b813bb07efc6ccd512be94e9ae0"`);
    await queryRunner.query(`ALTER TABLE "countermeasure_targets" DROP CONSTRAINT "FK_9241a32948d10a20eaed9424ba1"`);
    await queryRunner.query(`ALTER TABLE "countermeasure_dependencies" DROP CONSTRAINT "FK_5d0d0133db701648fbacc7c0fb8"`);
    await queryRunner.query(`ALTER TABLE "countermeasure_dependencies" DROP CONSTRAINT "FK_6cc738e144533f31ff0ef225396"`);
    await queryRunner.query(`ALTER TABLE "countermeasure_due_date_changes" DROP CONSTRAINT "FK_f1e321eb6afc16af87cdea61916"`);
    await queryRunner.query(`ALTER TABLE "countermeasure_due_date_changes" DROP CONSTRAINT "FK_1743ff57b88da54edb718ca618c"`);
    await queryRunner.query(`ALTER TABLE "countermeasure_transitions" DROP CONSTRAINT "FK_8436fb6422d67a8db3feca3172e"`);
    await queryRunner.query(`ALTER TABLE "countermeasure_transitions" DROP CONSTRAINT "FK_4bd52e712b02a47142b0f84f624"`);
    await queryRunner.query(`ALTER TABLE "countermeasure_requirements" DROP CONSTRAINT "FK_2d55b1a5c0495952ecf642179b8"`);
    await queryRunner.query(`ALTER TABLE "countermeasure_contributors" DROP CONSTRAINT "FK_8a86ad99253dd43c150163bfe15"`);
    await queryRunner.query(`ALTER TABLE "countermeasure_contributors" DROP CONSTRAINT "FK_7d7741de83237d65854aa174ee9"`);
    await queryRunner.query(`ALTER TABLE "countermeasures" DROP CONSTRAINT "FK_d449e4fd701b02963d9bef30fe8"`);
    await queryRunner.query(`ALTER TABLE "countermeasures" DROP CONSTRAINT "FK_e563950b920baa5941705898436"`);
    await queryRunner.query(`ALTER TABLE "countermeasures" DROP CONSTRAINT "FK_d493d99b603bfcc955341f18b59"`);
    await queryRunner.query(`ALTER TABLE "task_force_members" DROP CONSTRAINT "FK_7843beabc6fd9070925cb1b5ba1"`);
    await queryRunner.query(`ALTER TABLE "task_force_members" DROP CONSTRAINT "FK_7d0de1de5b48c34173ecb2b92ef"`);
    await queryRunner.query(`ALTER TABLE "incident_parties" DROP CONSTRAINT "FK_27b2f9e752d4ba2f18dc8370f04"`);
    await queryRunner.query(`ALTER TABLE "incident_data_categories" DROP CONSTRAINT "FK_15b517040b1258a3a29d34310fc"`);
    await queryRunner.query(`ALTER TABLE "incident_systems" DROP CONSTRAINT "FK_a2995570ede10f8f96cbf8b29ad"`);
    await queryRunner.query(`ALTER TABLE "incident_events" DROP CONSTRAINT "FK_390f216bd2d62482f4a2602b5e8"`);
  }
}
