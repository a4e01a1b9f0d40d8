import { randomBytes } from 'node:crypto';
import type { ConfigService } from '@nestjs/config';
import { Redis } from 'ioredis';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Clock, DomainError, type AppConfig } from '@app/common';
import { LoginThrottle } from '../../libs/identity/src/login-throttle';
import { PostgresThrottleStore, RedisThrottleStore, type ThrottleStore } from '../../libs/identity/src/throttle-store';
import { freshDatabase } from '../support/fresh-database';
import { startPgBouncer, type PgBouncer } from '../support/pgbouncer';

/**
 * LoginThrottle on the stores several instances share: the `login_throttle` table (PostgreSQL, as migrated)
 * and Redis. Each "instance" here is a LoginThrottle with its own pool or client on the same store; the
 * app Clock is the test's (the pair's openings), the stores' expiry is wall time.
 */

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

class TestClock extends Clock {
  at = Date.UTC(2026, 11, 1, 0, 0, 0);
  now(): Date {
    return new Date(this.at);
  }
}

const SETTINGS: Record<string, number> = {
  LOGIN_MAX_FAILURES: 3,
  LOGIN_WINDOW_SECONDS: 60,
  LOGIN_ADDRESS_MAX_FAILURES: 1000,
  LOGIN_ACCOUNT_MAX_FAILURES: 1000,
};

function throttleOn(store: ThrottleStore, clock: Clock, settings: Record<string, number> = {}): LoginThrottle {
  const values = { ...SETTINGS, ...settings };
  const config = { get: (key: string) => values[key] } as unknown as ConfigService<AppConfig, true>;
  return new LoginThrottle(config, clock, store);
}

/** The refusal's reason and retryAfterSeconds, or 'admitted'. */
async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'admitted';
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    return `${err.code}/${(err.details as { retryAfterSeconds: number }).retryAfterSeconds}`;
  }
}

/** What each store offers the shared scenarios: two independent connections to it ("instances"), and a broken one. */
interface StoreUnderTest {
  name: string;
  open(): Promise<ThrottleStore>;
  broken(): Promise<ThrottleStore>;
  close(): Promise<void>;
}

/**
 * `pooled`: through a real PgBouncer in pool_mode=transaction with 2 server connections under the two pools'
 * 8 (no statement keeps a connection: the library's named statements would meet "prepared statement already
 * exists" there; ours are unnamed).
 */
function postgres(pooled = false): StoreUnderTest {
  let url = '';
  let bouncer: PgBouncer | undefined;
  const pools: Pool[] = [];
  return {
    name: pooled ? 'PostgreSQL through PgBouncer (pool_mode=transaction)' : 'PostgreSQL (login_throttle)',
    async open() {
      if (!url) {
        url = await freshDatabase({ infix: '_thr_' });
        if (pooled) {
          const database = new URL(url).pathname.slice(1);
          bouncer = await startPgBouncer({ serverUrl: inject('dbServerUrl'), database, poolSize: 2, connectQuery: 'SET jit = off' });
          url = bouncer.url;
        }
      }
      const pool = new Pool({ connectionString: url, max: 4 });
      pools.push(pool);
      return new PostgresThrottleStore(pool, { cleanup: false });
    },
    async broken() {
      // A closed port: every statement fails to connect.
      const pool = new Pool({ connectionString: 'postgres://postgres@127.0.0.1:1/none', max: 1 });
      pools.push(pool);
      return new PostgresThrottleStore(pool, { cleanup: false });
    },
    async close() {
      await Promise.all(pools.map((p) => p.end()));
      await bouncer?.stop();
    },
  };
}

function redis(prefix: string): StoreUnderTest {
  const stores: RedisThrottleStore[] = [];
  return {
    name: 'Redis',
    async open() {
      const store = await RedisThrottleStore.connect(REDIS_URL, prefix);
      stores.push(store);
      return store;
    },
    async broken() {
      const store = await RedisThrottleStore.connect('redis://127.0.0.1:1', prefix);
      stores.push(store);
      return store;
    },
    async close() {
      await Promise.all(stores.map((s) => s.onApplicationShutdown()));
    },
  };
}

const redisPrefix = `rt-test-${randomBytes(6).toString('hex')}:`;

describe.each([postgres(), postgres(true), redis(redisPrefix)])('LoginThrottle on $name', (store) => {
  let a: ThrottleStore;
  let b: ThrottleStore;
  beforeAll(async () => {
    a = await store.open();
    b = await store.open();
  });
  afterAll(async () => store.close());

  it('admits LOGIN_MAX_FAILURES attempts of a pair however many arrive together through two instances', async () => {
    const clock = new TestClock();
    const [one, two] = [throttleOn(a, clock), throttleOn(b, clock)];
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => outcome((i % 2 ? one : two).admit('crowd@example.test', '192.0.2.1'))),
    );
    expect(results.filter((r) => r === 'admitted')).toHaveLength(3);
    expect(results.filter((r) => r === 'LOGIN_THROTTLED/1')).toHaveLength(37);
  });

  it('failures through one instance delay the pair on the other; one attempt per opening across both; delays double on the app Clock', async () => {
    const clock = new TestClock();
    const [one, two] = [throttleOn(a, clock), throttleOn(b, clock)];
    for (let i = 0; i < 3; i++) expect(await outcome(one.admit('pair@example.test', '192.0.2.2'))).toBe('admitted');
    expect(await outcome(two.admit('pair@example.test', '192.0.2.2'))).toBe('LOGIN_THROTTLED/1');
    const waits: number[] = [];
    let wait = 1;
    for (let i = 0; i < 7; i++) {
      clock.at += wait * 1000 - 1;
      // One millisecond before the opening: still refused (the opening is kept to the ms).
      expect(await outcome(two.admit('pair@example.test', '192.0.2.2'))).toBe('LOGIN_THROTTLED/1');
      clock.at += 1;
      const together = await Promise.all(
        Array.from({ length: 6 }, (_, j) => outcome((j % 2 ? one : two).admit('pair@example.test', '192.0.2.2'))),
      );
      expect(together.filter((r) => r === 'admitted')).toHaveLength(1);
      wait = Number((await outcome(one.admit('pair@example.test', '192.0.2.2'))).split('/')[1]);
      waits.push(wait);
    }
    expect(waits).toEqual([2, 4, 8, 16, 32, 60, 60]);
  });

  it('a success through one instance clears the pair on the other', async () => {
    const clock = new TestClock();
    const [one, two] = [throttleOn(a, clock), throttleOn(b, clock)];
    for (let i = 0; i < 2; i++) await one.admit('ok@example.test', '192.0.2.3');
    await (await two.admit('ok@example.test', '192.0.2.3')).succeeded();
    for (let i = 0; i < 3; i++) expect(await outcome(one.admit('ok@example.test', '192.0.2.3'))).toBe('admitted');
    expect(await outcome(two.admit('ok@example.test', '192.0.2.3'))).toBe('LOGIN_THROTTLED/1');
  });

  it('the address and account limits count across instances; an address the account signed in from stays known on the other', async () => {
    const clock = new TestClock();
    const settings = { LOGIN_ADDRESS_MAX_FAILURES: 4, LOGIN_ACCOUNT_MAX_FAILURES: 4 };
    const [one, two] = [throttleOn(a, clock, settings), throttleOn(b, clock, settings)];
    for (let i = 0; i < 4; i++) await (i % 2 ? one : two).admit(`x${i}@example.test`, '192.0.2.9');
    expect(await outcome(one.admit('y@example.test', '192.0.2.9'))).toBe('LOGIN_THROTTLED/60');
    expect(await outcome(two.admit('y@example.test', '192.0.2.9'))).toBe('LOGIN_THROTTLED/60');

    await (await one.admit('p@example.test', '198.51.100.1')).succeeded();
    for (let i = 0; i < 4; i++) await (i % 2 ? one : two).admit('p@example.test', `203.0.113.${i}`);
    expect(await outcome(two.admit('p@example.test', '203.0.113.50'))).toBe('LOGIN_THROTTLED/60');
    expect(await outcome(two.admit('p@example.test', '198.51.100.1'))).toBe('admitted');
  });

  it('an e-mail too long for a key (320 characters) is counted like any other', async () => {
    const clock = new TestClock();
    const long = `${'a'.repeat(64)}@${'b'.repeat(251)}.jp`;
    const [one, two] = [throttleOn(a, clock), throttleOn(b, clock)];
    for (let i = 0; i < 3; i++) expect(await outcome(one.admit(long, '2001:db8::1'))).toBe('admitted');
    expect(await outcome(two.admit(long, '2001:db8::2'))).toBe('LOGIN_THROTTLED/1');
  });

  it('a store that does not answer refuses the attempt (SIGN_IN_UNAVAILABLE), never admits it uncounted', async () => {
    const down = throttleOn(await store.broken(), new TestClock());
    for (let i = 0; i < 5; i++) expect(await outcome(down.admit('down@example.test', '192.0.2.4'))).toBe('SIGN_IN_UNAVAILABLE/1');
  });
});

describe('the login_throttle table', () => {
  it('keeps rows until an hour past their expiry, then the sweep deletes them', async () => {
    const pool = new Pool({ connectionString: await freshDatabase({ infix: '_thr_' }), max: 2 });
    try {
      const store = new PostgresThrottleStore(pool, { cleanup: false });
      await throttleOn(store, new TestClock()).admit('sweep@example.test', '192.0.2.5');
      const rows = async () => Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM login_throttle`)).rows[0]!.n);
      const held = await rows();
      expect(held).toBeGreaterThan(0);
      await store.clearExpired(Date.now());
      expect(await rows()).toBe(held);
      // As the sweep an hour after every key has expired (wall time: the longest lives 14 days) sees them.
      await store.clearExpired(Date.now() + 15 * 24 * 3600_000);
      expect(await rows()).toBe(0);
    } finally {
      await pool.end();
    }
  });
});

afterAll(async () => {
  // This run's keys out of the shared Redis.
  const client = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await client.del(...keys);
    } while (cursor !== '0');
  } finally {
    await client.quit();
  }
});
