import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApp } from '../support/test-app';

describe('the database schema', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(async () => t?.close());

  it('is exactly what the entities describe: migration:generate would find nothing to write', async () => {
    const ds = t.app.get<DataSource>(getDataSourceToken());
    const pending = await ds.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('the app’s connections run without JIT compilation (it cost seconds on the dashboard’s large statement)', async () => {
    const ds = t.app.get<DataSource>(getDataSourceToken());
    const rows = (await Promise.all([1, 2, 3].map(() => ds.query('SHOW jit')))) as { jit: string }[][];
    expect(rows.map((r) => r[0]!.jit)).toEqual(['off', 'off', 'off']);
  });

  it('every migration is reversible: down then up again leaves the same schema', async () => {
    const ds = t.app.get<DataSource>(getDataSourceToken());
    const schema = () =>
      t.sql(
        `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'migrations' ORDER BY 1, 2`,
      );
    const before = await schema();
    for (let i = 0; i < ds.migrations.length; i++) await ds.undoLastMigration({ transaction: 'each' });
    expect(await schema()).toEqual([]);
    await ds.runMigrations({ transaction: 'each' });
    expect(await schema()).toEqual(before);
  });

  it('survives the database dropping its connections: the pool reports, replaces them, and the API answers', async () => {
    const db = new URL(t.databaseUrl).pathname.slice(1);
    expect((await fetch(`${t.baseUrl}/health`)).status).toBe(200);
    const killed = await t.sql<{ n: string }>(
      `SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND application_name = 'remediation-tracker'`,
      [db],
    );
    expect(Number(killed[0]!.n)).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 200));
    // The first request after the drop may meet a dead connection; within a few tries it must recover.
    let status = 0;
    for (let i = 0; i < 5 && status !== 200; i++) status = (await fetch(`${t.baseUrl}/health`)).status;
    expect(status).toBe(200);
    const user = await t.createUser(['EXECUTIVE']);
    expect(await user.token()).toMatch(/^ey/);
  });
});
