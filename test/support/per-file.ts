import { afterAll, vi } from 'vitest';
import { closeLeftoverApps } from './open-apps';

/**
 * Runs before every test file (vitest.config.mts `setupFiles`). The test files
 * of one worker share one process and its loaded modules (`isolate: false`:
 * the app's modules are imported once per worker, not once per file), so what
 * a file changes in the process is undone when it ends, before the next file
 * of that worker starts:
 *  - an app a failed file left open is closed (its timers, pools, port);
 *  - every `vi.spyOn` is restored (a clock stubbed on SystemClock.prototype
 *    must not reach the next file);
 *  - process.env is put back as it was (TestApp.start writes its settings
 *    there, and some files set more).
 */
const envAtStart = { ...process.env };

afterAll(async () => {
  await closeLeftoverApps();
  vi.restoreAllMocks();
  for (const key of Object.keys(process.env)) if (!(key in envAtStart)) delete process.env[key];
  Object.assign(process.env, envAtStart);
});
