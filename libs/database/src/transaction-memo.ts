import type {
  DataSource,
  EntitySubscriberInterface,
  QueryRunner,
  TransactionCommitEvent,
  TransactionRollbackEvent,
  TransactionStartEvent,
} from 'typeorm';

/**
 * What an open transaction has established and may count on until its end (a
 * lock it holds, the trail entry it appended last), kept by its query runner so
 * that it is not asked of the database again. Forgotten whenever a transaction
 * or a savepoint starts or ends, either way: a savepoint rolled back takes with
 * it what was established after it (PostgreSQL releases the locks taken since),
 * so the next use establishes it again. Outside a transaction (no query runner)
 * nothing is kept.
 *
 * One mechanism for every context that needs it: construct one per service
 * (it registers itself as a subscriber of the data source).
 */
export class TransactionMemo<V> implements EntitySubscriberInterface {
  private readonly kept = new WeakMap<QueryRunner, V>();

  constructor(dataSource: DataSource) {
    dataSource.subscribers.push(this);
  }

  get(runner: QueryRunner | undefined): V | undefined {
    return runner ? this.kept.get(runner) : undefined;
  }

  set(runner: QueryRunner | undefined, value: V): void {
    if (runner) this.kept.set(runner, value);
  }

  beforeTransactionStart(event: TransactionStartEvent): void {
    this.kept.delete(event.queryRunner);
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    this.kept.delete(event.queryRunner);
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    this.kept.delete(event.queryRunner);
  }
}
