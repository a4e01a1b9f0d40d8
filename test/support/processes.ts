import * as fs from 'node:fs';
import * as path from 'node:path';

/** Looks at processes the way `ps` would (Linux /proc), for tests of who starts and stops the embedded PostgreSQL. */

/** Running, and not a zombie. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true;
  }
}

/** The postmaster's pid from DATA_DIR/pg/postmaster.pid, or undefined when there is none (or it holds no pid). */
export function postmasterPid(dataDir: string): number | undefined {
  let first: string;
  try {
    first = fs.readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]!;
  } catch {
    return undefined;
  }
  const pid = Number(first);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}
