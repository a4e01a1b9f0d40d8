import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Ownership of the embedded server running on a DATA_DIR: which postmaster
 * runs on a cluster (its postmaster.pid), which process started it
 * (`DATA_DIR/pg-owner`), whether that process still lives, and the stopping of
 * a server left running by one that is gone. Used by EmbeddedPostgresServer
 * (embedded-postgres.ts) to share a server its owner still runs and to take
 * over an orphan.
 */

/** The postmaster pid and port of a live server on `clusterDir`, read from its postmaster.pid. */
export function runningServer(clusterDir: string): { pid: number; port: number } | undefined {
  const lines = readPostmasterPid(clusterDir);
  if (!lines) return undefined;
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port)) return undefined;
  if (!isRunning(pid)) return undefined; // stale file of a server that is gone; postgres itself clears it
  return { pid, port };
}

function readPostmasterPid(clusterDir: string): string[] | undefined {
  try {
    return fs.readFileSync(path.join(clusterDir, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return undefined;
  }
}

/**
 * Which process started the server running on a DATA_DIR: written to
 * `DATA_DIR/pg-owner` when a process starts the server, removed when it stops
 * it. A server whose owner is gone (killed with SIGKILL: no exit hook ran) is
 * an orphan that nobody would stop; a server whose owner lives (the API server
 * while the CLI runs) is shared.
 */
interface ServerOwner {
  /** The Node process that started the server. */
  pid: number;
  /** Its start time (Linux: clock ticks after boot, /proc/<pid>/stat), so that a reused pid is not taken for it. */
  startTime: string | null;
  postmasterPid: number;
}

function readOwner(file: string): ServerOwner | undefined {
  try {
    const owner = JSON.parse(fs.readFileSync(file, 'utf8')) as ServerOwner;
    return Number.isInteger(owner.pid) && Number.isInteger(owner.postmasterPid) ? owner : undefined;
  } catch {
    return undefined;
  }
}

function writeOwner(file: string, postmasterPid: number): void {
  const owner: ServerOwner = { pid: process.pid, startTime: processStartTime(process.pid), postmasterPid };
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, JSON.stringify(owner) + '\n', { mode: 0o600 });
  fs.renameSync(temp, file);
}

/** The postmasters this process started (its own pid in an owner file is only "alive" for these). */
const startedHere = new Set<number>();

/** Records this process as the owner of the postmaster it just started (`DATA_DIR/pg-owner`). */
export function recordOwner(file: string, postmasterPid: number): void {
  startedHere.add(postmasterPid);
  writeOwner(file, postmasterPid);
}

/** Removes the owner file on stopping the postmaster it names (a file naming another one is left alone). */
export function releaseOwner(file: string, postmasterPid: number | undefined): void {
  if (readOwner(file)?.postmasterPid === postmasterPid) fs.rmSync(file, { force: true });
}

/** Is the owner that `file` records for the postmaster `postmasterPid` still running? (see recordedOwnerIsAlive) */
export function ownerIsAlive(file: string, postmasterPid: number): boolean {
  return recordedOwnerIsAlive(readOwner(file), postmasterPid);
}

/**
 * Is the owner recorded for the postmaster `postmasterPid` still running? Not
 * when no owner is recorded (a server started by an older version, or by hand),
 * when the record names another postmaster, when the pid is this process's own
 * but this process did not start that postmaster (a container restarted under
 * the same pid), or when the pid now belongs to a process started at another time.
 */
function recordedOwnerIsAlive(owner: ServerOwner | undefined, postmasterPid: number): boolean {
  if (!owner || owner.postmasterPid !== postmasterPid) return false;
  if (owner.pid === process.pid) return startedHere.has(postmasterPid);
  if (!isRunning(owner.pid)) return false;
  const startTime = processStartTime(owner.pid);
  return owner.startTime === null || startTime === null || startTime === owner.startTime;
}

/** Linux: field 22 of /proc/<pid>/stat (start time after boot); null where there is no /proc. */
function processStartTime(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** Alive and not a zombie (an orphan reparented to an init that does not reap stays one). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true; // no /proc: kill(0) is all we know
  }
}

/**
 * Stops a server this process did not start: fast shutdown (SIGINT: sessions
 * ended, committed data kept), then immediate shutdown (SIGQUIT) if it has not
 * stopped in 15 s. True when the postmaster is gone or its postmaster.pid is;
 * false if it has not stopped within 60 s.
 */
export async function stopOrphan(pid: number, clusterDir: string): Promise<boolean> {
  const stopped = () => !isRunning(pid) || Number(readPostmasterPid(clusterDir)?.[0]) !== pid;
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig);
    } catch {
      // gone already
    }
  };
  signal('SIGINT');
  const started = Date.now();
  let escalated = false;
  while (!stopped()) {
    if (!escalated && Date.now() - started > 15_000) {
      signal('SIGQUIT');
      escalated = true;
    }
    if (Date.now() - started > 60_000) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}
