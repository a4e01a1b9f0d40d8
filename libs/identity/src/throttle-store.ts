import { Logger, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { getDataSourceToken } from '@nestjs/typeorm';
import { Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRedis,
  type IRateLimiterOptions,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import type { AppConfig } from '@app/common';

/** The table the PostgreSQL store counts in (migration LoginThrottle1796000000731). */
export const LOGIN_THROTTLE_TABLE = 'login_throttle';

/** How often expired rows are deleted from LOGIN_THROTTLE_TABLE, and how long after their expiry. */
const CLEANUP_EVERY_MS = 5 * 60_000;
const CLEANUP_AFTER_MS = 3600_000;

/**
 * Where LoginThrottle's counts live: one store per process, shared by every
 * instance that reaches the same PostgreSQL database or Redis. `limiter()`
 * returns a rate-limiter-flexible limiter with the given options on this store.
 */
export abstract class ThrottleStore {
  abstract readonly kind: 'memory' | 'postgres' | 'redis';
  abstract limiter(opts: IRateLimiterOptions): RateLimiterAbstract;
}

/** This process's memory: each process counts alone and a restart forgets (unit specs only). */
export class MemoryThrottleStore extends ThrottleStore {
  readonly kind = 'memory';
  limiter(opts: IRateLimiterOptions): RateLimiterAbstract {
    return new RateLimiterMemory(opts);
  }
}

/** What the PostgreSQL store needs of a pg Pool. */
export interface PgQueryable {
  query(config: { text: string; values?: unknown[] }): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
}

/**
 * The table LOGIN_THROTTLE_TABLE (created by the migration, never by the
 * library: `tableCreated: true`), through the app's pool. Each step is one
 * statement on whatever pooled connection is free, outside any transaction:
 * a count stands even when the sign-in's own transaction rolls back. The
 * library names its statements (prepared once per connection); here they go
 * unnamed, because a transaction pooler (PgBouncer, pool_mode=transaction)
 * gives no statement a connection of its own to be prepared on. `points`
 * is bigint (the library's own table has integer): the pair's openings are
 * stored as ms times; rows come back as numbers.
 */
export class PostgresThrottleStore extends ThrottleStore implements OnApplicationShutdown {
  readonly kind = 'postgres';
  private readonly client: PgQueryable;
  private cleanup?: NodeJS.Timeout;

  constructor(pool: PgQueryable, opts: { cleanup?: boolean } = {}) {
    super();
    this.client = {
      query: async ({ text, values }) => {
        const res = await pool.query({ text, values });
        return { rowCount: res.rowCount, rows: res.rows.map(asNumbers) };
      },
    };
    if (opts.cleanup ?? true) {
      // The library's clearExpiredByTimeout, once for the table (it is one DELETE over all keys), not per limiter.
      this.cleanup = setInterval(() => void this.clearExpired(Date.now() - CLEANUP_AFTER_MS).catch(() => undefined), CLEANUP_EVERY_MS);
      this.cleanup.unref();
    }
  }

  /** Deletes the rows that expired before `before` (wall-clock ms); a missed sweep is caught up by the next. */
  async clearExpired(before: number): Promise<void> {
    await this.client.query({ text: `DELETE FROM "${LOGIN_THROTTLE_TABLE}" WHERE expire < $1`, values: [before] });
  }

  limiter(opts: IRateLimiterOptions): RateLimiterAbstract {
    const store: ConstructorParameters<typeof RateLimiterPostgres>[0] = {
      ...opts,
      storeClient: this.client,
      storeType: 'pool',
      tableName: LOGIN_THROTTLE_TABLE,
      tableCreated: true,
      // One sweep for the whole table (the constructor's), not one timer per limiter.
      clearExpiredByTimeout: false,
    };
    return new RateLimiterPostgres(store);
  }

  onApplicationShutdown(): void {
    clearInterval(this.cleanup);
  }
}

/** node-postgres gives bigint as text; the library computes with numbers (all values here are below 2^53). */
function asNumbers(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  return out;
}

/**
 * Redis (REDIS_URL), on an ioredis client of its own. Keys are
 * `<REDIS_KEY_PREFIX><limiter>:<key>`, so deployments sharing one Redis do not
 * meet. As the library advises, no offline queue: while Redis is unreachable a
 * step fails at once (sign-in is then refused) instead of waiting in a queue.
 */
export class RedisThrottleStore extends ThrottleStore implements OnApplicationShutdown {
  readonly kind = 'redis';
  private readonly logger = new Logger('LoginThrottle');

  private constructor(
    readonly client: Redis,
    private readonly prefix: string,
  ) {
    super();
  }

  /**
   * Connects to `url` and waits for the first answer: ready, or an error (then
   * the app still starts; sign-ins are refused until Redis answers, the client
   * reconnecting meanwhile).
   */
  static async connect(url: string, prefix: string): Promise<RedisThrottleStore> {
    const client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 5000, lazyConnect: true });
    const store = new RedisThrottleStore(client, prefix);
    let reported = false;
    client.on('error', (err: Error) => {
      // Once per outage, not at every reconnection attempt.
      if (!reported) store.logger.warn(`sign-in throttle: Redis error (sign-ins refused until it answers): ${err.message}`);
      reported = true;
    });
    client.on('ready', () => (reported = false));
    await client.connect().catch(() => undefined);
    return store;
  }

  limiter(opts: IRateLimiterOptions): RateLimiterAbstract {
    return new RateLimiterRedis({
      ...opts,
      keyPrefix: `${this.prefix}${opts.keyPrefix ?? ''}`,
      storeClient: this.client,
      rejectIfRedisNotReady: true,
    });
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.client.status === 'ready') await this.client.quit().catch(() => this.client.disconnect());
    else this.client.disconnect();
  }
}

/** PostgreSQL (the app's pool) by default; Redis when REDIS_URL is set. */
export const throttleStoreProvider: Provider = {
  provide: ThrottleStore,
  inject: [ConfigService, getDataSourceToken()],
  useFactory: async (config: ConfigService<AppConfig, true>, dataSource: DataSource): Promise<ThrottleStore> => {
    const redis = config.get('REDIS_URL', { infer: true });
    if (redis) return RedisThrottleStore.connect(redis, config.get('REDIS_KEY_PREFIX', { infer: true }));
    return new PostgresThrottleStore((dataSource.driver as PostgresDriver).master as PgQueryable);
  },
};
