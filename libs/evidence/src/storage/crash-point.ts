/**
 * A test hook: the places in an upload where a crash leaves something behind.
 * `armCrashPoint` is called only when NODE_ENV=test and TEST_CRASH_AT names one
 * (the config refuses TEST_CRASH_AT otherwise); the process then kills itself
 * with SIGKILL (no handler, no exit hook, as the OOM killer or a power cut
 * would) when an upload reaches that point:
 *
 *   upload-staged   the temp file is complete (hashed, fsynced), nothing stored yet
 *   upload-stored   the blob is in the store, its evidence row not yet written
 */
export type CrashPoint = 'upload-staged' | 'upload-stored';

let armed: CrashPoint | undefined;

export function armCrashPoint(point: CrashPoint | undefined): void {
  armed = point;
}

export function crashPoint(point: CrashPoint): void {
  if (armed === point) process.kill(process.pid, 'SIGKILL');
}
