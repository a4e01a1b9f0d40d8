import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { EvidenceError, EvidenceErrorCode } from '../domain/evidence.errors';
import {
  assertSha256,
  EvidenceStorage,
  type StagedBlob,
  type StageOptions,
  type StoredBlob,
  type StoredBlobInfo,
  type SweepOptions,
} from './evidence-storage';
import { stageToTempFile, sweepTempDir } from './temp-staging';

const TEMP_DIR = 'tmp';

/**
 * Evidence files in a local directory (by default `DATA_DIR/evidence`):
 *
 *     <root>/<aa>/<bb>/<sha256>     the bytes, named by their hash only (aa, bb: its first 4 hex digits)
 *     <root>/tmp/<uuid>.part        uploads in progress, in the same file system
 *
 * An upload is written to a temp file while it is hashed, fsynced, and renamed
 * into place (atomic); if that hash is already stored the existing blob is kept
 * and the temp dropped. A reader therefore sees a whole blob or none. Blobs
 * are written read-only (0400 under a 0700 tree).
 */
export class LocalEvidenceStorage extends EvidenceStorage {
  constructor(readonly root: string) {
    super();
  }

  /** Where the blob with this hash lives (or would). */
  pathOf(sha256: string): string {
    assertSha256(sha256);
    return path.join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  get tempDir(): string {
    return path.join(this.root, TEMP_DIR);
  }

  stage(source: Readable, options: StageOptions): Promise<StagedBlob> {
    return stageToTempFile(source, options, this.tempDir, async (tempPath, sha256) => {
      const target = this.pathOf(sha256);
      try {
        await fs.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
        if (await exists(target)) {
          await fs.rm(tempPath, { force: true });
          // Stored again just now: a reconciliation must not take it for an old orphan
          // before this upload's evidence row is written.
          const now = new Date();
          await fs.utimes(target, now, now).catch(() => undefined);
          return { created: false };
        }
        await fs.chmod(tempPath, 0o400);
        await fs.rename(tempPath, target);
        await syncDirectory(path.dirname(target));
        return { created: true };
      } catch (err) {
        await fs.rm(tempPath, { force: true });
        throw err;
      }
    });
  }

  async open(sha256: string): Promise<StoredBlob> {
    const file = await fs.open(this.pathOf(sha256), 'r').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') {
        throw new EvidenceError(EvidenceErrorCode.STORAGE_INTEGRITY, 'The stored file is missing', { sha256 });
      }
      throw err;
    });
    const { size } = await file.stat();
    let closed = false;
    return {
      sizeBytes: size,
      // One open descriptor for every read: a blob swapped on disk meanwhile is not mixed in.
      stream: () => file.createReadStream({ start: 0, autoClose: false, emitClose: true }),
      close: async () => {
        if (closed) return;
        closed = true;
        await file.close();
      },
    };
  }

  async exists(sha256: string): Promise<boolean> {
    return exists(this.pathOf(sha256));
  }

  async remove(sha256: string): Promise<void> {
    await fs.rm(this.pathOf(sha256), { force: true });
  }

  /** Deletes temp files left by a crash mid-upload (see sweepTempDir). Returns how many. */
  async sweepTemp(olderThanMs: number, now = Date.now(), options: SweepOptions = {}): Promise<number> {
    return sweepTempDir(this.tempDir, olderThanMs, now, options);
  }

  /** Walks <root>/<aa>/<bb>/<sha256>; anything else (tmp/, stray files) is not a blob. */
  async *listBlobs(): AsyncIterable<StoredBlobInfo> {
    for (const aa of await subdirs(this.root)) {
      if (!/^[0-9a-f]{2}$/.test(aa)) continue;
      for (const bb of await subdirs(path.join(this.root, aa))) {
        if (!/^[0-9a-f]{2}$/.test(bb)) continue;
        const dir = path.join(this.root, aa, bb);
        const names = await fs.readdir(dir).catch(() => [] as string[]);
        for (const name of names) {
          if (!/^[0-9a-f]{64}$/.test(name) || name.slice(0, 2) !== aa || name.slice(2, 4) !== bb) continue;
          const stat = await fs.stat(path.join(dir, name)).catch(() => null);
          if (stat?.isFile()) yield { sha256: name, storedAt: stat.mtime };
        }
      }
    }
  }
}

async function subdirs(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

/** Makes a rename durable (the directory entry itself reaches the disk). */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
