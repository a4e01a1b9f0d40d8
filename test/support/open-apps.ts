/**
 * The TestApps of this process that are still open, so that the per-file
 * clean-up (per-file.ts) can close what a failed file left behind without
 * importing the app itself (unit-spec files never load it).
 */
const open = new Set<{ close(): Promise<void> }>();

export function appOpened(app: { close(): Promise<void> }): void {
  open.add(app);
}

export function appClosed(app: { close(): Promise<void> }): void {
  open.delete(app);
}

export async function closeLeftoverApps(): Promise<void> {
  for (const app of [...open]) {
    try {
      await app.close();
    } catch {
      // It may have half-started; its database goes with the run's clean-up.
    }
  }
}
