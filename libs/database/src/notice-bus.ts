import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { getDataSourceToken } from '@nestjs/typeorm';
import {
  EntityManager,
  type DataSource,
  type EntitySubscriberInterface,
  type QueryRunner,
  type TransactionCommitEvent,
  type TransactionRollbackEvent,
  type TransactionStartEvent,
} from 'typeorm';
import type { AppConfig } from '@app/common';
import { assertChannelName, type NoticeListener } from './notice-listener';
import { PgNotifications } from './pg-notifications';
import { RedisNoticeHub } from './redis-notices';

export type { NoticeListener } from './notice-listener';

/**
 * Committed notices between the instances of the server (and the CLI): small
 * references ("gate X changed", "trail entry 42"), each receiver reloads and
 * re-authorizes what it shows. A notice goes out only if the transaction that
 * announced it commits; a rolled-back change is never announced.
 *
 * - PostgreSQL (default): `pg_notify` inside the transaction (PostgreSQL delivers
 *   it at commit) and one `LISTEN` client per channel (PgNotifications), on
 *   DATABASE_DIRECT_URL when set (LISTEN does not work through a transaction pooler).
 * - Redis (REDIS_URL set): the notice is kept with the transaction's query runner
 *   and published to Redis after its COMMIT (TypeORM's afterTransactionCommit);
 *   a rollback, of the transaction or of the savepoint it was announced in,
 *   forgets it. No SQL is sent for it. Received through one subscriber connection.
 *
 * Sites that announce inside their own SQL (the trail's INSERT … pg_notify) ask
 * `notifiesInSql` and, when false, hand the notices to `announceAll` instead.
 */
@Injectable()
export class NoticeBus implements OnApplicationShutdown {
  private readonly redis: RedisNoticeHub | null;
  private readonly afterCommit: AfterCommitNotices | null;
  private readonly directUrl: string | undefined;

  constructor(
    @Inject(getDataSourceToken()) private readonly dataSource: DataSource,
    @Inject(ConfigService) config: ConfigService<AppConfig, true>,
  ) {
    const redisUrl = config.get('REDIS_URL', { infer: true });
    this.directUrl = config.get('DATABASE_DIRECT_URL', { infer: true });
    this.redis = redisUrl ? new RedisNoticeHub(redisUrl, channelPrefix(config.get('REDIS_KEY_PREFIX', { infer: true }), dataSource)) : null;
    this.afterCommit = this.redis ? new AfterCommitNotices(dataSource, (c, p) => this.redis!.publish(c, p)) : null;
  }

  /** 'postgres': LISTEN/NOTIFY; 'redis': pub/sub after commit. */
  get mode(): 'postgres' | 'redis' {
    return this.redis ? 'redis' : 'postgres';
  }

  /** True when a notice is a `pg_notify` in the transaction: a site that writes its own SQL may include it there. */
  get notifiesInSql(): boolean {
    return this.redis === null;
  }

  /** The notices of `channel` committed from now on, by any process on this database. */
  listen<T>(channel: string): NoticeListener<T> {
    assertChannelName(channel);
    if (this.redis) return this.redis.listen<T>(channel);
    return new PgNotifications<T>(this.dataSource, channel, { directUrl: this.directUrl });
  }

  /**
   * Announces `payload` on `channel` when the transaction of `on` (an entity
   * manager or its query runner) commits; at once outside a transaction.
   * PostgreSQL: one `SELECT pg_notify($1, $2)`; Redis: no SQL.
   */
  async announce(on: EntityManager | QueryRunner, channel: string, payload: unknown): Promise<void> {
    assertChannelName(channel);
    if (this.afterCommit) this.afterCommit.add(runnerOf(on), channel, [payload]);
    else await on.query('SELECT pg_notify($1, $2)', [channel, JSON.stringify(payload)]);
  }

  /** Several notices on one channel, in this order, at the commit of `on`'s transaction (PostgreSQL: one statement). */
  async announceAll(on: EntityManager | QueryRunner, channel: string, payloads: readonly unknown[]): Promise<void> {
    assertChannelName(channel);
    if (payloads.length === 0) return;
    if (this.afterCommit) this.afterCommit.add(runnerOf(on), channel, payloads);
    else
      await on.query('SELECT pg_notify($1, p) FROM unnest($2::text[]) WITH ORDINALITY AS u(p, n) ORDER BY n', [
        channel,
        payloads.map((p) => JSON.stringify(p)),
      ]);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.close();
  }
}

function runnerOf(on: EntityManager | QueryRunner): QueryRunner | undefined {
  return on instanceof EntityManager ? on.queryRunner : on;
}

/**
 * The Redis channels' prefix: REDIS_KEY_PREFIX (one per deployment, as the
 * throttle's keys) and the database's name, which every instance of one
 * deployment shares.
 */
function channelPrefix(keyPrefix: string, dataSource: DataSource): string {
  const o = dataSource.options as { url?: string; database?: string };
  let database = o.database;
  if (!database && o.url) database = decodeURIComponent(new URL(o.url).pathname.replace(/^\//, ''));
  return `${keyPrefix}${database || 'default'}:`;
}

interface Held {
  /** The transaction depth (1 = the transaction, 2+ = a savepoint) it was announced at. */
  depth: number;
  channel: string;
  payload: unknown;
}

/**
 * Notices held by their transaction's query runner until it commits. The depth
 * is counted from TypeORM's transaction events (a savepoint is a nested start):
 * a release moves the savepoint's notices to its parent, a rollback to a
 * savepoint drops the notices announced since, the final COMMIT publishes what is
 * left, a ROLLBACK drops it all.
 */
class AfterCommitNotices implements EntitySubscriberInterface {
  private readonly held = new WeakMap<QueryRunner, Held[]>();
  private readonly depth = new WeakMap<QueryRunner, number>();

  constructor(
    dataSource: DataSource,
    private readonly publish: (channel: string, payload: unknown) => void,
  ) {
    dataSource.subscribers.push(this);
  }

  add(runner: QueryRunner | undefined, channel: string, payloads: readonly unknown[]): void {
    const depth = runner ? (this.depth.get(runner) ?? 0) : 0;
    if (!runner || depth === 0 || !runner.isTransactionActive) {
      for (const p of payloads) this.publish(channel, p); // not in a transaction: committed already
      return;
    }
    const list = this.held.get(runner) ?? [];
    for (const payload of payloads) list.push({ depth, channel, payload });
    this.held.set(runner, list);
  }

  beforeTransactionStart(event: TransactionStartEvent): void {
    // A transaction that starts on a runner with none open: nothing of an earlier one is left over.
    if (!this.depth.get(event.queryRunner)) this.held.delete(event.queryRunner);
  }

  afterTransactionStart(event: TransactionStartEvent): void {
    this.depth.set(event.queryRunner, (this.depth.get(event.queryRunner) ?? 0) + 1);
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    const depth = this.leave(event.queryRunner);
    const list = this.held.get(event.queryRunner);
    if (!list) return;
    if (depth > 0) {
      for (const n of list) n.depth = Math.min(n.depth, depth);
      return;
    }
    this.held.delete(event.queryRunner);
    for (const n of list) this.publish(n.channel, n.payload);
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    const depth = this.leave(event.queryRunner);
    const list = this.held.get(event.queryRunner);
    if (!list) return;
    if (depth === 0) this.held.delete(event.queryRunner);
    else
      this.held.set(
        event.queryRunner,
        list.filter((n) => n.depth <= depth),
      );
  }

  /** The depth after a commit or rollback. */
  private leave(runner: QueryRunner): number {
    const depth = Math.max((this.depth.get(runner) ?? 1) - 1, 0);
    this.depth.set(runner, depth);
    return depth;
  }
}
