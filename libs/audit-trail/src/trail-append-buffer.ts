import type {
  BeforeQueryEvent,
  DataSource,
  EntitySubscriberInterface,
  QueryRunner,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';
import type { AuditTrailEntryEntity } from './audit-trail-entry.entity';

/** An entry of an open transaction, and the savepoint depth it belongs to (1: the transaction itself). */
interface Held {
  entry: AuditTrailEntryEntity;
  /** The depth at which it was appended (lowered when its savepoint is released). */
  depth: number;
  /** The depth at which its row was INSERTed, once written before the commit (a read in the transaction). */
  writtenAt?: number;
}

interface TransactionEntries {
  /** Appended, not yet written, in the order of the appends. */
  pending: Held[];
  /** Written before the commit (a read of the trail in the transaction asked for them). */
  written: Held[];
  /** The depth at which this transaction took the chain lock in shared mode, or null. */
  sharedLockDepth: number | null;
}

/** The savepoint depth of a TypeORM query runner (1 in a transaction, 2 in its first savepoint...). */
export function depthOf(runner: QueryRunner): number {
  return (runner as unknown as { transactionDepth?: number }).transactionDepth ?? 0;
}

/**
 * The trail entries of each open transaction, held until its end, so that the
 * chain's append lock is taken just before COMMIT, not at the first append
 * (issue 17). A TypeORM subscriber of the data source:
 *
 * - `beforeQuery` of the transaction's `COMMIT` writes them (`write`), after every
 *   `beforeTransactionCommit` subscriber has run (the cross-row rules append
 *   there too: TypeORM sends COMMIT only once they have all settled); a failure
 *   fails the commit, which rolls the transaction back;
 * - a savepoint released: its entries belong to the enclosing level;
 * - a savepoint rolled back: the entries appended in it are dropped, and those of
 *   an enclosing level that a read had written inside it are held again (their
 *   rows went with the savepoint); the shared chain lock, if taken inside it, is
 *   gone too (PostgreSQL released it);
 * - a rollback of the whole transaction drops everything.
 *
 * Keyed by query runner: one per transaction (TypeORM's DataSource.transaction).
 */
export class TrailAppendBuffer implements EntitySubscriberInterface {
  private readonly kept = new WeakMap<QueryRunner, TransactionEntries>();

  constructor(
    dataSource: DataSource,
    /** Writes the runner's pending entries (taken with `takePending`), in its transaction. */
    private readonly write: (runner: QueryRunner) => Promise<void>,
  ) {
    dataSource.subscribers.push(this);
  }

  private of(runner: QueryRunner): TransactionEntries {
    let s = this.kept.get(runner);
    if (!s) this.kept.set(runner, (s = { pending: [], written: [], sharedLockDepth: null }));
    return s;
  }

  /** Whether this transaction holds the chain lock in shared mode (taken at its first append). */
  holdsSharedLock(runner: QueryRunner): boolean {
    return this.kept.get(runner)?.sharedLockDepth != null;
  }

  sharedLockTaken(runner: QueryRunner): void {
    this.of(runner).sharedLockDepth = depthOf(runner);
  }

  hold(runner: QueryRunner, entry: AuditTrailEntryEntity): void {
    this.of(runner).pending.push({ entry, depth: depthOf(runner) });
  }

  hasPending(runner: QueryRunner): boolean {
    return (this.kept.get(runner)?.pending.length ?? 0) > 0;
  }

  /** The pending entries, in order, now counted as written (at the current depth). */
  takePending(runner: QueryRunner): AuditTrailEntryEntity[] {
    const s = this.kept.get(runner);
    if (!s) return [];
    const taken = s.pending.splice(0);
    const at = depthOf(runner);
    for (const h of taken) s.written.push({ ...h, writtenAt: at });
    return taken.map((h) => h.entry);
  }

  beforeQuery(event: BeforeQueryEvent): Promise<void> | void {
    const runner = event.queryRunner;
    if (event.query !== 'COMMIT' || !runner || !this.hasPending(runner)) return;
    return this.write(runner);
  }

  beforeTransactionCommit(event: TransactionCommitEvent): void {
    const s = this.kept.get(event.queryRunner);
    const d = depthOf(event.queryRunner);
    if (!s || d <= 1) return;
    // RELEASE SAVEPOINT: what was appended, written or locked in it now belongs to the level around it.
    for (const h of [...s.pending, ...s.written]) {
      if (h.depth >= d) h.depth = d - 1;
      if (h.writtenAt !== undefined && h.writtenAt >= d) h.writtenAt = d - 1;
    }
    if (s.sharedLockDepth !== null && s.sharedLockDepth >= d) s.sharedLockDepth = d - 1;
  }

  beforeTransactionRollback(event: TransactionRollbackEvent): void {
    const s = this.kept.get(event.queryRunner);
    const d = depthOf(event.queryRunner);
    if (!s) return;
    if (d <= 1) {
      this.kept.delete(event.queryRunner);
      return;
    }
    // ROLLBACK TO SAVEPOINT: the rows written in it are gone; entries of the levels around it are held again.
    const undone = s.written.filter((h) => h.writtenAt! >= d);
    s.written = s.written.filter((h) => h.writtenAt! < d);
    const again = undone.filter((h) => h.depth < d).map(({ entry, depth }) => ({ entry, depth }));
    for (const h of again) {
      h.entry.seq = undefined as unknown as string;
      h.entry.prevHash = undefined as unknown as string;
      h.entry.hash = undefined as unknown as string;
    }
    s.pending = [...again, ...s.pending.filter((h) => h.depth < d)];
    if (s.sharedLockDepth !== null && s.sharedLockDepth >= d) s.sharedLockDepth = null;
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    if (depthOf(event.queryRunner) === 0) this.kept.delete(event.queryRunner);
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    if (depthOf(event.queryRunner) === 0) this.kept.delete(event.queryRunner);
  }
}
