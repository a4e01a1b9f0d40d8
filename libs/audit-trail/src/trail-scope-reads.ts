import { CHAIN_LOCK_KEY } from './audit-trail.service';

/** What the trail reads run on: an EntityManager or a query runner. */
export interface TrailQueryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/** What can run a read in a transaction of its own: an EntityManager (or a DataSource). */
export interface TrailTransactions {
  transaction<T>(run: (db: TrailQueryable) => Promise<T>): Promise<T>;
}

/**
 * How many entries the trail had as of `asOf`: the highest seq among the
 * entries that occurred at or before it (0 for none). Not the count of those
 * entries: the trail is ordered by seq, not by time (an entry of a replayed
 * load can carry an earlier time than the one before it), and a tree that
 * covers every entry up to `asOf` must reach the last of them.
 *
 * An append sets its entry's time under the chain lock (shared: its
 * transaction keeps it from its first append to its end), before its
 * transaction commits: read without the lock, an entry of time <= `asOf` could
 * commit just after, and the same `asOf` read again would give another size. So
 * this takes the chain lock exclusive (briefly, in a transaction of its own, READ
 * COMMITTED) and reads after every transaction that has timed an entry has
 * committed or rolled back; any later append is timed after this read. Call it outside a REPEATABLE READ snapshot: one taken
 * before the lock would not see that commit.
 */
export async function trailSizeAt(db: TrailTransactions, asOf: Date): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK_KEY]);
    const rows = (await tx.query('SELECT COALESCE(MAX(seq), 0)::text AS size FROM audit_trail WHERE occurred_at <= $1', [asOf])) as {
      size: string;
    }[];
    return Number(rows[0]?.size ?? 0);
  });
}
