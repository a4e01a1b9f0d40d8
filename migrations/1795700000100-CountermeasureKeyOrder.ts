import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The countermeasures list in key order without an incident filter (the API's
 * default: `ORDER BY seq, id`, keyset cursor `(seq, id) > (…)`) sorted every row
 * on every page, 10k rows a request in the nested-page bench (issue 14); this
 * index gives the page in order.
 */
export class CountermeasureKeyOrder1795700000100 implements MigrationInterface {
  name = 'CountermeasureKeyOrder1795700000100';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "IDX_countermeasures_key_order" ON "countermeasures"  ("seq", "id") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_countermeasures_key_order"`);
  }
}
