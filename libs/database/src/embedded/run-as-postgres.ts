import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ADVICE, EmbeddedPostgresError } from './embedded-postgres.errors';

/**
 * Running the embedded server as root (see embedded-postgres.ts for why):
 * PostgreSQL must run as the `postgres` user, which may first have to be
 * created, and that user must be able to run the binaries (a world-readable
 * cache copy when it cannot run them where they are installed) and reach the
 * cluster (relocated under a reachable folder, DATA_DIR/pg a link to it, when
 * DATA_DIR is under a private folder).
 */

/** The user and group the server's processes run as. */
export interface RunAs {
  uid: number;
  gid: number;
}

export function ensurePostgresUser(): RunAs {
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

export function reachableBinDir(nativeDir: string, runAs: RunAs, cacheRoot: string): string {
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
    throw new EmbeddedPostgresError(`the "postgres" user can run neither ${inPlace}/postgres nor the copy in ${target}.`, ADVICE);
  }
  return path.join(target, 'bin');
}

function runsAs(binary: string, runAs: RunAs): boolean {
  const r = spawnSync(binary, ['--version'], { uid: runAs.uid, gid: runAs.gid, encoding: 'utf8' });
  return r.status === 0 && /PostgreSQL/.test(r.stdout);
}

export function prepareClusterDir(dataDir: string, runAs: RunAs | undefined, relocatedRoot: string): string {
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
