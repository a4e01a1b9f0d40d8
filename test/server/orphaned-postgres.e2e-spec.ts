import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRunning, postmasterPid } from '../support/processes';
import { childEnv, ensureBuild, killLeftoverServers, newDataDir, startServer, stopServer } from '../support/server-child';

/**
 * `npm start` after the previous server was killed with SIGKILL: its embedded
 * PostgreSQL kept running (no exit hook runs on SIGKILL). The new server must
 * not silently share it and then leave it running on Ctrl-C.
 */
/** Every running `postgres` process whose command line names this cluster. */
function postgresOn(clusterDir: string): number[] {
  const pids: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (cmdline.some((a) => a.endsWith('/postgres')) && cmdline.includes(clusterDir) && isRunning(Number(name))) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

const start = (dataDir: string) => startServer(childEnv({ LOG_LEVEL: 'info', DEMO: 'false', DATA_DIR: dataDir }));

describe('an embedded PostgreSQL left running by a killed server', () => {
  let dataDir: string;

  beforeAll(() => {
    ensureBuild();
    dataDir = newDataDir('rt-orphan-');
  }, 180_000);

  afterAll(() => {
    killLeftoverServers();
    // Whatever a failed run left: stop it, so no server outlives the test.
    const pid = postmasterPid(dataDir);
    if (pid !== undefined && isRunning(pid)) process.kill(pid, 'SIGQUIT');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('is taken over (stopped, started again under the new server, said in the log), and stopped by that server on SIGTERM', async () => {
    const first = await start(dataDir);
    const orphan = postmasterPid(dataDir)!;
    expect(isRunning(orphan)).toBe(true);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    // Nothing stopped it: this is the state the next start meets.
    expect(isRunning(orphan)).toBe(true);

    const second = await start(dataDir);
    const warning = `found PostgreSQL left running by an earlier server (pid ${orphan}); restarted it under this server`;
    expect(await second.waitForOutput(warning)).toContain(warning);
    expect(isRunning(orphan)).toBe(false);
    const owned = postmasterPid(dataDir)!;
    expect(owned).not.toBe(orphan);
    expect(isRunning(owned)).toBe(true);
    const clusterDir = fs.realpathSync(path.join(dataDir, 'pg'));
    expect(postgresOn(clusterDir)).toContain(owned);

    // It serves on the database it took over.
    const health = await fetch(`http://127.0.0.1:${second.port}/health`);
    expect(health.status).toBe(200);

    expect([0, 'SIGTERM']).toContain(await stopServer(second));
    // The README's promise: stopping the server stops its database.
    expect(postmasterPid(dataDir)).toBeUndefined();
    expect(isRunning(owned)).toBe(false);
    expect(postgresOn(clusterDir)).toEqual([]);
  }, 120_000);
});
