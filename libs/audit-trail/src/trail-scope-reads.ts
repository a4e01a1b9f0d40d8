/** What the trail reads run on: an EntityManager or a query runner. */
export interface TrailQueryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/**
 * How many entries the trail had as of `asOf`: the highest seq among the
 * entries that occurred at or before it (0 for none). Not the count of those
 * entries: the trail is ordered by seq, not by time (an entry of a replayed
 * load can carry an earlier time than the one before it), and a tree that
 * covers every entry up to `asOf` must reach the last of them.
 */
export async function trailSizeAt(db: TrailQueryable, asOf: Date): Promise<number> {
  const rows = (await db.query('SELECT COALESCE(MAX(seq), 0)::text AS size FROM audit_trail WHERE occurred_at <= $1', [asOf])) as {
    size: string;
  }[];
  return Number(rows[0]?.size ?? 0);
}
