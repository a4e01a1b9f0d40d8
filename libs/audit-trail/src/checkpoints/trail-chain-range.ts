import { AuditTrailEntryEntity } from '../audit-trail-entry.entity';
import { checkChain, type ChainBreak } from '../domain/audit-hash';
import type { EntityManager } from 'typeorm';
import { toBase64, type MerkleTree } from '@app/proofs';
import { TrailError, TrailErrorCode } from './trail-checkpoint.errors';

const BATCH = 1000;

/**
 * Recomputes the hash chain of entries #(after+1)..#upTo, linked to entry
 * #after (or to the genesis when after is 0): what a new checkpoint adds to
 * the previous one must check out before it is signed.
 */
export async function checkChainRange(db: EntityManager, after: number, upTo: number): Promise<ChainBreak | null> {
  const repo = db.getRepository(AuditTrailEntryEntity);
  let previous: { seq: string; hash: string } | null = null;
  if (after > 0) {
    const anchor = await repo
      .createQueryBuilder('e')
      .select(['e.seq', 'e.hash'])
      .where('e.seq = :seq', { seq: String(after) })
      .getOne();
    if (!anchor) return { kind: 'SEQUENCE_GAP', seq: String(after), expectedSeq: String(after) };
    previous = { seq: anchor.seq, hash: anchor.hash };
  }
  let next = after;
  while (next < upTo) {
    const batch = await repo
      .createQueryBuilder('e')
      .where('e.seq > :from AND e.seq <= :to', { from: String(next), to: String(Math.min(upTo, next + BATCH)) })
      .orderBy('e.seq', 'ASC')
      .getMany();
    if (batch.length === 0) return { kind: 'SEQUENCE_GAP', seq: String(next + 1), expectedSeq: String(next + 1) };
    const broken = checkChain(batch, previous);
    if (broken) return broken;
    const last = batch[batch.length - 1]!;
    previous = { seq: last.seq, hash: last.hash };
    next = Number(last.seq);
  }
  return null;
}

/** The trail must be no shorter than `previous` (a signed checkpoint) and, given its tree, still give its root. */
export function assertExtends(tree: MerkleTree | null, previous: { treeSize: string; rootHash: string } | null, size: number): void {
  if (!previous) return;
  const previousSize = Number(previous.treeSize);
  if (previousSize > size || (tree && toBase64(tree.root(previousSize)) !== previous.rootHash)) {
    throw new TrailError(
      TrailErrorCode.TRAIL_INCONSISTENT,
      previousSize > size
        ? `the trail holds ${size} entries, fewer than checkpoint ${previousSize} covers: no checkpoint is signed`
        : `the trail's first ${previousSize} entries no longer give the root of checkpoint ${previousSize}: no checkpoint is signed`,
      { checkpointSize: previous.treeSize, treeSize: size },
    );
  }
}
