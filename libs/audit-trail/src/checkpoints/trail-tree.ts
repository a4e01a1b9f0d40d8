import { MerkleTree } from '@app/proofs';
import { sha256 } from '@app/proofs/node';

/** Rows per read of the trail's hash column. */
const BATCH = 20_000;

export interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

export interface TrailTree {
  /** The tree over the leaves read (entries #1..#tree.size, in seq order). */
  tree: MerkleTree;
  /**
   * The first seq that was missing or out of place while reading (a deleted or
   * moved entry), or null: the tree then stops before it.
   */
  missingSeq: string | null;
}

/**
 * The Merkle tree of the audit trail's first `size` entries (docs/proofs.md):
 * leaf i is entry #(i+1), its leaf input the 32 raw bytes of the entry's hex
 * chain hash. Reads only `seq` and `hash`, in keyset batches; holds 64 bytes a
 * leaf (see MerkleTree). Each batch is its own statement: no transaction is
 * held open while hashing.
 */
export async function readTrailTree(db: Queryable, size: number): Promise<TrailTree> {
  const tree = new MerkleTree(sha256);
  let done = 0;
  while (done < size) {
    const upTo = Math.min(size, done + BATCH);
    const rows = (await db.query(
      // Ordered by the bigint column, not by the text alias.
      'SELECT seq::text AS seq, hash FROM audit_trail WHERE seq > $1 AND seq <= $2 ORDER BY audit_trail.seq',
      [done, upTo],
    )) as { seq: string; hash: string }[];
    for (const row of rows) {
      const expected = String(done + 1);
      if (row.seq !== expected || !/^[0-9a-f]{64}$/.test(row.hash)) return { tree, missingSeq: expected };
      tree.appendLeafInput(Buffer.from(row.hash, 'hex'));
      done++;
    }
    if (done < upTo) return { tree, missingSeq: String(done + 1) };
  }
  return { tree, missingSeq: null };
}

/** The number of committed trail entries as the head says (the last seq; 0 for an empty trail). */
export async function trailHeadSize(db: Queryable): Promise<number> {
  const [row] = (await db.query('SELECT COALESCE(MAX(seq), 0)::text AS head FROM audit_trail')) as { head: string }[];
  return Number(row!.head);
}
