import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ConfigService } from '@nestjs/config';
import { Client } from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import type { AppConfig } from '@app/common';
import { NoticeBus, type NoticeListener } from '@app/database';
import { until } from '../support/graphql-ws-client';
import { assertTestDatabase, withDatabase } from '../support/global-setup';
import { TcpProxy } from '../support/tcp-proxy';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const CHANNEL = 'notice_bus_spec';

/**
 * The notice bus on a real PostgreSQL (and the machine's Redis): a notice reaches
 * the listeners only if the transaction that announced it commits, and the same
 * holds for savepoints (a rolled-back nested transaction takes its notices with
 * it; a released one hands them to its parent). Both modes give the same answer.
 */
describe.each([
  ['PostgreSQL', undefined],
  ['Redis', REDIS_URL],
])('NoticeBus (%s)', (_mode, redisUrl) => {
  let admin: Client;
  let database: string;
  let ds: DataSource;
  let bus: NoticeBus;
  let listener: NoticeListener<{ n: number }>;
  const got: number[] = [];

  beforeAll(async () => {
    database = `${inject('dbTemplate').replace(/_tpl$/, '')}_bus_${randomBytes(4).toString('hex')}`;
    assertTestDatabase(database);
    admin = new Client({ connectionString: inject('dbServerUrl') });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${database}" TEMPLATE template0`);
    ds = new DataSource({ type: 'postgres', url: withDatabase(inject('dbServerUrl'), database) });
    await ds.initialize();
    bus = new NoticeBus(ds, configWith(redisUrl));
    listener = bus.listen<{ n: number }>(CHANNEL);
    listener.subscribe((p) => got.push(p.n));
    await listener.start();
    await until(() => listener.listening, 'the listener to listen');
  });

  afterAll(async () => {
    await listener?.stop();
    await bus?.onApplicationShutdown();
    await ds?.destroy();
    await admin?.query(`DROP DATABASE IF EXISTS "${database}"`);
    await admin?.end();
  });

  function configWith(redis: string | undefined): ConfigService<AppConfig, true> {
    const settings: Partial<AppConfig> = { REDIS_URL: redis, DATABASE_DIRECT_URL: undefined };
    return { get: (key: keyof AppConfig) => settings[key] } as unknown as ConfigService<AppConfig, true>;
  }

  const announce = (em: EntityManager, n: number) => bus.announce(em, CHANNEL, { n });
  const rollback = () => {
    throw new Error('roll back');
  };

  it('delivers what commits, in order, and nothing of a rollback, of a transaction or of a savepoint', async () => {
    expect(bus.mode).toBe(redisUrl ? 'redis' : 'postgres');
    await ds.transaction((em) => announce(em, 1));
    await expect(
      ds.transaction(async (em) => {
        await announce(em, 2);
        rollback();
      }),
    ).rejects.toThrow('roll back');
    await ds.transaction(async (em) => {
      await announce(em, 3);
      await expect(
        em.transaction(async (inner) => {
          await announce(inner, 4);
          rollback();
        }),
      ).rejects.toThrow('roll back');
      await em.transaction((inner) => announce(inner, 5));
    });
    await expect(
      ds.transaction(async (em) => {
        await em.transaction((inner) => announce(inner, 6));
        rollback();
      }),
    ).rejects.toThrow('roll back');
    await bus.announceAll(ds.manager, CHANNEL, [{ n: 7 }, { n: 8 }]); // no transaction: at once
    await until(() => got.includes(8), 'the last notice');
    expect(got).toEqual([1, 3, 5, 7, 8]);
  });

  // Only the Redis mode has this case: defined there alone, so the PostgreSQL mode reports no skipped test.
  if (redisUrl)
    it('after Redis comes back, a listener subscribes again, says so (onReconnect), and hears what follows', async () => {
      const proxy = await TcpProxy.start(redisUrl!);
      const cut = new NoticeBus(ds, configWith(`redis://127.0.0.1:${proxy.port}`));
      const heard: number[] = [];
      let reconnects = 0;
      const far = cut.listen<{ n: number }>('notice_bus_spec_cut');
      far.subscribe((p) => heard.push(p.n));
      far.onReconnect(() => reconnects++);
      try {
        await far.start();
        await until(() => far.listening, 'the listener through the proxy to listen');
        await ds.transaction((em) => bus.announce(em, 'notice_bus_spec_cut', { n: 1 }));
        await until(() => heard.includes(1), 'the first notice');

        await proxy.down();
        await until(() => !far.listening, 'the listener to notice that Redis is gone');
        await proxy.up();
        await until(() => reconnects === 1 && far.listening, 'the listener to subscribe again', 60_000);

        await ds.transaction((em) => bus.announce(em, 'notice_bus_spec_cut', { n: 2 }));
        await until(() => heard.includes(2), 'the notice after the reconnection');
        expect(heard).toEqual([1, 2]);
        expect(reconnects).toBe(1);
      } finally {
        await far.stop();
        await cut.onApplicationShutdown();
        await proxy.down();
      }
    }, 90_000);
});
