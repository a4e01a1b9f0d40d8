/** A reason the embedded PostgreSQL cannot run, and what the operator can do about it. */
export class EmbeddedPostgresError extends Error {
  constructor(why: string, whatToDo: string) {
    super(`Cannot run the embedded PostgreSQL: ${why}\n${whatToDo}`);
    this.name = 'EmbeddedPostgresError';
  }
}

/** The way out when the embedded server cannot run: a server of one's own, or a reachable DATA_DIR. */
export const ADVICE =
  'Set DATABASE_URL=postgres://user:password@host:5432/db to use a PostgreSQL server instead, ' +
  'or set DATA_DIR to a folder that the "postgres" user can reach.';
