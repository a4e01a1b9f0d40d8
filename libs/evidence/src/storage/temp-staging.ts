import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import type { StagedBlob, StageOptions, SweepOptions } from './evidence-storage';
import { crashPoint } from './crash-point';
import { UploadInspector } from './upload-inspector';

export const TEMP_SUFFIX = '.part';

/**
 * The staging every storage shares: the upload is written to a new temp file in
 * `tempDir` (0600, fsynced) while `UploadInspector` hashes it, enforces the size
 * limit and decides the type; any failure removes the temp file and rethrows.
 * `store(tempPath, sha256, sizeBytes)` moves the bytes into the store on
 * `commit()` and owns the temp file from then on; `discard()` removes it.
 */
export async function stageToTempFile(
  source: Readable,
  options: StageOptions,
  tempDir: string,
  store: (tempPath: string, sha256: string, sizeBytes: number) => Promise<{ created: boolean }>,
): Promise<StagedBlob> {
  // Listen to the source at once (before any await): an error it emits while
  // the temp file is being opened must not crash the process. The loop below
  // still sees it (a destroyed stream's error is kept in `source.errored`).
  source.on('error', () => undefined);
  // The writer's pid and host in the name: a sweep can tell the files of a process that is gone, and leaves those
  // of another host's processes (a shared evidence directory, EVIDENCE_SHARED_DIRECTORY) to their age.
  const tempPath = path.join(tempDir, `${process.pid}-${randomUUID()}~${THIS_HOST}${TEMP_SUFFIX}`);
  let file: fs.FileHandle;
  try {
    await fs.mkdir(tempDir, { recursive: true, mode: 0o700 });
    file = await fs.open(tempPath, 'wx+', 0o600);
  } catch (err) {
    source.destroy();
    throw err;
  }
  const inspector = new UploadInspector(options);
  let result: { sha256: string; sizeBytes: number; mediaType: string };
  try {
    // Async iteration pulls one chunk at a time (back-pressure), and on a
    // throw destroys the source, so a refused upload stops being read at once.
    for await (const chunk of source) {
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      inspector.take(bytes);
      await writeAll(file, bytes);
    }
    result = await inspector.finish(async (position, length) => {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await file.read(buffer, 0, length, position);
      return buffer.subarray(0, bytesRead);
    });
    await file.sync();
  } catch (err) {
    await file.close().catch(() => undefined);
    await fs.rm(tempPath, { force: true });
    throw err;
  }
  await file.close();
  crashPoint('upload-staged');

  let settled = false;
  return {
    ...result,
    discard: async () => {
      settled = true;
      await fs.rm(tempPath, { force: true });
    },
    commit: async () => {
      if (settled) throw new Error('This staged file was already committed or discarded');
      settled = true;
      const stored = await store(tempPath, result.sha256, result.sizeBytes);
      crashPoint('upload-stored');
      return stored;
    },
  };
}

async function writeAll(file: fs.FileHandle, bytes: Buffer): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await file.write(bytes, offset, bytes.length - offset);
    offset += bytesWritten;
  }
}

/**
 * Deletes the temp files in `tempDir` that no upload in progress is writing:
 * those older than `olderThanMs`, those whose writer (the pid in the name, on
 * this host) is no longer running, and at start-up (`startup`) those of this pid
 * too. Another host's files (a shared directory) go only by age. Returns how many.
 * A file of another running process (the CLI loading the demo) is left to it.
 */
export async function sweepTempDir(tempDir: string, olderThanMs: number, now = Date.now(), options: SweepOptions = {}): Promise<number> {
  let names: string[];
  try {
    names = await fs.readdir(tempDir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (!name.endsWith(TEMP_SUFFIX)) continue;
    const p = path.join(tempDir, name);
    const stat = await fs.stat(p).catch(() => null);
    if (!stat) continue;
    const writer = /^(\d+)-/.exec(name)?.[1];
    const pid = writer === undefined ? undefined : Number(writer);
    const host = /~([^~]+)\.part$/.exec(name)?.[1];
    const stale =
      now - stat.mtimeMs > olderThanMs ||
      (host !== undefined && host !== THIS_HOST
        ? false // another host's process: its pid means nothing here, only its age counts
        : pid === undefined
          ? options.startup === true
          : pid === process.pid
            ? options.startup === true
            : !isRunning(pid));
    if (stale) {
      await fs.rm(p, { force: true });
      removed++;
    }
  }
  return removed;
}

/** This host's name as it goes into a temp file's name. */
const THIS_HOST = os.hostname().replace(/[^A-Za-z0-9.-]/g, '_') || 'host';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
