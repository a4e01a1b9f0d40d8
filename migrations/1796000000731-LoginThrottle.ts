import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The sign-in throttle's counts when several instances share this database (libs/identity
 * throttle-store.ts): the table rate-limiter-flexible's RateLimiterPostgres reads and upserts (key,
 * points, expire in ms of wall time), created here because the library is never let create tables. One
 * difference from the library's own statement: `points` is bigint, not integer, since the pair's next
 * opening is stored there as a time in ms. Expired rows are deleted by the app every few minutes.
 */
export class LoginThrottle1796000000731 implements MigrationInterface {
  name = 'LoginThrottle1796000000731';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "login_throttle" ("key" character varying(255) NOT NULL, "points" bigint NOT NULL DEFAULT 0, "expire" bigint, CONSTRAINT "PK_login_throttle" PRIMARY KEY ("key"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "login_throttle"`);
  }
}
