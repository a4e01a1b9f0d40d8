import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseStartupError, MIGRATION_LOCK_KEYS, runMigrations } from '@app/database';
import { migrations } from '@app/migrations';
import { freshDatabase, sqlAt } from '../support/fresh-database';
import {
  builtCli,
  childEnv,
  ensureBuild,
  killLeftoverServers,
  newDataDir,
  repoRoot,
  startServer,
  startServerFails,
  stopServer,
  type ServerChild,
} from '../support/server-child';

/** A migration a newer build applied, which this build's list does not have. */
const FUTURE = 'ScaleOutFuture1899999999999';

/** A new database of this run: empty, or a copy of the migrated template. */
const newDatabase = (kind: 'empty' | 'migrated') => freshDatabase({ infix: '_mig_', empty: kind === 'empty' });

const recorded = async (url: string) => (await sqlAt<{ name: string }>(url, `SELECT name FROM migrations ORDER BY id`)).map((r) => r.name);

/** Sessions holding the migrations' advisory lock on the database of `url`. */
const lockHolders = async (url: string) =>
  Number(
    (
      await sqlAt<{ n: string }>(
        url,
        `SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND objid = $2 AND objsubid = 2
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        [...MIGRATION_LOCK_KEYS],
      )
    )[0]!.n,
  );

const thisBuild = migrations.map((M) => new M().name ?? M.name);

describe('migrations run once across instances (an advisory lock around them)', () => {
  it('three data sources migrating one fresh empty database at once: every migration applied once, no error', async () => {
    const url = await newDatabase('empty');
    const applied = await Promise.all([runMigrations(url), runMigrations(url), runMigrations(url)]);
    // One of them applied all; the others waited for the lock and found nothing pending.
    expect([...applied].sort((a, b) => a - b)).toEqual([0, 0, migrations.length]);
    const names = await recorded(url);
    expect(names).toHaveLength(migrations.length);
    expect(new Set(names).size).toBe(migrations.length);
    expect([...names].sort()).toEqual([...thisBuild].sort());
    expect(await lockHolders(url)).toBe(0);
  });

  it('a database upgraded by a newer build is refused before anything is applied, naming the migration, and the lock is let go', async () => {
    const url = await newDatabase('migrated');
    const last = thisBuild[thisBuild.length - 1]!;
    // The newer build applied FUTURE; this build also misses nothing but would find its own last one pending.
    await sqlAt(url, `DELETE FROM migrations WHERE name = $1`, [last]);
    await sqlAt(url, `INSERT INTO migrations ("timestamp", name) VALUES ($1, $2)`, [1_899_999_999_999, FUTURE]);
    const refused = await runMigrations(url).then(
      () => null,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(DatabaseStartupError);
    expect((refused as Error).message).toContain(FUTURE);
    expect((refused as Error).message).toContain('upgraded by a newer build');
    expect(await recorded(url)).not.toContain(last);
    expect(await lockHolders(url)).toBe(0);
  });
});

describe('the built server and CLI on one database: together at start, and refusing a newer schema', () => {
  const dataDirs: string[] = [];
  const dataDir = () => {
    const d = newDataDir('rt-migrations-');
    dataDirs.push(d);
    return d;
  };
  // Three servers at once beside the other worker's tests on one PostgreSQL (max_connections 100): a small pool each.
  const env = (databaseUrl: string) =>
    childEnv({
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_SIZE: '3',
      DATA_DIR: dataDir(),
      DEMO: 'false',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'test',
    });

  beforeAll(() => ensureBuild(), 300_000);
  afterAll(() => {
    killLeftoverServers();
    for (const d of dataDirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('three server processes started at once on a fresh empty database all serve, with each migration applied once', async () => {
    const url = await newDatabase('empty');
    const servers: ServerChild[] = [];
    try {
      const started = await Promise.allSettled([0, 1, 2].map(() => startServer(env(url))));
      for (const s of started) if (s.status === 'fulfilled') servers.push(s.value);
      expect(started.map((s) => (s.status === 'rejected' ? String(s.reason) : 'started'))).toEqual(['started', 'started', 'started']);
      for (const s of servers) expect((await fetch(`${s.baseUrl}/health`)).status).toBe(200);
      const names = await recorded(url);
      expect(names).toHaveLength(migrations.length);
      expect(new Set(names).size).toBe(migrations.length);
      for (const s of servers) expect(s.output()).not.toMatch(/duplicate key|already exists/);
    } finally {
      for (const s of servers) await stopServer(s);
    }
  }, 180_000);

  it('an older build refuses to start on a database with a migration it does not know, saying so for people', async () => {
    const url = await newDatabase('migrated');
    await sqlAt(url, `INSERT INTO migrations ("timestamp", name) VALUES ($1, $2)`, [1_899_999_999_999, FUTURE]);
    const { code, stderr } = await startServerFails(env(url));
    expect(code).toBe(1);
    // What main.ts writes last, for people (Nest's own start-up log of the error may come before it).
    const told = stderr.slice(stderr.lastIndexOf('The server did not start.'));
    expect(told).toContain('The server did not start.');
    expect(told).toContain(`this build does not know (${FUTURE})`);
    expect(told).toContain('The database was upgraded by a newer build of the tracker');
    expect(told).toContain('Run the newer build');
    expect(told).not.toMatch(/^\s+at /m); // a message, not a stack trace

    // The CLI's migration commands refuse the same way (every command opens the database the same way).
    for (const command of ['migration:run', 'migration:revert']) {
      const cli = spawnSync(process.execPath, [builtCli, command], { cwd: repoRoot, env: env(url), encoding: 'utf8' });
      expect(cli.status, cli.stderr).toBe(1);
      expect(cli.stderr).toContain(`this build does not know (${FUTURE})`);
    }
    // Nothing was undone or applied.
    expect((await recorded(url)).length).toBe(migrations.length + 1);
  }, 180_000);
});
