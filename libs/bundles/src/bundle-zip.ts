import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as yazl from 'yazl';
import { comparePaths } from '@app/proofs';

/**
 * The bundle's zip, written deterministically and streamed: every entry stored
 * (no compression), entries in sorted path order, the DOS time 1980-01-01
 * 00:00:00 and no extended-timestamp field (so neither the server's time zone
 * nor the moment changes a byte). A file entry's bytes go from their source
 * through a SHA-256 and a byte count straight into the zip on disk: at no point
 * is a file held whole in memory. The zip is written to a temp file beside the
 * target and renamed into place when complete.
 */

/**
 * The DOS time of every entry: 1980-01-01 00:00:00. yazl writes it from a Date's local
 * fields (getFullYear ... getSeconds), which move with the process's time zone; this Date
 * answers those fields with fixed values, so no time zone changes a byte. (Its instant, a
 * day later in UTC, only keeps it inside yazl's DOS range check in every zone.)
 */
class DosEpoch extends Date {
  constructor() {
    super(Date.UTC(1980, 0, 2));
  }
  override getFullYear(): number {
    return 1980;
  }
  override getMonth(): number {
    return 0;
  }
  override getDate(): number {
    return 1;
  }
  override getHours(): number {
    return 0;
  }
  override getMinutes(): number {
    return 0;
  }
  override getSeconds(): number {
    return 0;
  }
}
const entryOptions = () => ({ mtime: new DosEpoch(), compress: false, forceDosTimestamp: true, mode: 0o100644 });

export type ZipEntry =
  | { path: string; bytes: Buffer }
  | {
      path: string;
      /** The recorded size and SHA-256: the bytes must match both, or the zip fails. */
      size: number;
      sha256: string;
      open: () => Promise<Readable>;
    };

export interface ZipProgress {
  /** Bytes of file entries streamed so far. */
  bytes: number;
  /** Entries written so far. */
  files: number;
}

export class ZipContentMismatch extends Error {
  constructor(
    readonly entryPath: string,
    readonly expected: { size: number; sha256: string },
    readonly actual: { size: number; sha256: string | null },
  ) {
    super(
      `${entryPath}: the stored bytes are not the recorded ones (expected ${expected.size} bytes, SHA-256 ${expected.sha256}; ` +
        `got ${actual.size} bytes${actual.sha256 ? `, SHA-256 ${actual.sha256}` : ''})`,
    );
  }
}

/**
 * Writes the entries (sorted by path here) as a zip at `target`; resolves the
 * zip's SHA-256 and size. On any failure nothing is left at `target` nor beside it.
 */
export async function writeZip(
  target: string,
  entries: readonly ZipEntry[],
  onProgress: (p: ZipProgress) => void = () => undefined,
): Promise<{ sha256: string; size: number }> {
  const sorted = [...entries].sort((a, b) => comparePaths(a.path, b.path));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.path === sorted[i - 1]!.path) throw new Error(`two zip entries named ${sorted[i]!.path}`);
  }
  await fs.promises.mkdir(path.dirname(target), { recursive: true });
  const temp = `${target}.${process.pid}.${Date.now()}.part`;
  const zip = new yazl.ZipFile();
  const options = entryOptions();
  const progress: ZipProgress = { bytes: 0, files: 0 };
  let failed: (err: Error) => void = () => undefined;
  const failure = new Promise<never>((_, reject) => {
    failed = reject;
  });
  zip.on('error', (err: Error) => failed(err));
  for (const entry of sorted) {
    if ('bytes' in entry) {
      zip.addBuffer(entry.bytes, entry.path, options);
      continue;
    }
    zip.addReadStreamLazy(entry.path, options, (cb) => {
      entry.open().then(
        (source) => {
          const checked = verifying(entry, progress, onProgress);
          // yazl pipes without forwarding errors: a failed source or check fails the whole zip here.
          source.on('error', (err: Error) => failed(err));
          checked.on('error', (err: Error) => failed(err));
          cb(null, source.pipe(checked));
        },
        (err: Error) => failed(err),
      );
    });
  }
  zip.end();
  const hash = createHash('sha256');
  let size = 0;
  const counting = new Transform({
    transform(chunk: Buffer, _enc, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  const out = fs.createWriteStream(temp, { flags: 'wx', mode: 0o600 });
  const written = pipeline(zip.outputStream, counting, out);
  try {
    await Promise.race([written, failure]);
    const handle = await fs.promises.open(temp, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(temp, target);
  } catch (err) {
    zip.outputStream.unpipe();
    out.destroy();
    await written.catch(() => undefined);
    await fs.promises.rm(temp, { force: true });
    throw err;
  }
  return { sha256: hash.digest('hex'), size };
}

/** A pass-through that hashes and counts a file entry's bytes and fails at the end if they are not the recorded ones. */
function verifying(
  entry: { path: string; size: number; sha256: string },
  progress: ZipProgress,
  onProgress: (p: ZipProgress) => void,
): Transform {
  const hash = createHash('sha256');
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, callback) {
      seen += chunk.length;
      if (seen > entry.size) {
        callback(new ZipContentMismatch(entry.path, entry, { size: seen, sha256: null }));
        return;
      }
      hash.update(chunk);
      progress.bytes += chunk.length;
      try {
        onProgress(progress); // may refuse to go on (the worker's build lost its lease): the zip fails with its error
      } catch (err) {
        callback(err as Error);
        return;
      }
      callback(null, chunk);
    },
    flush(callback) {
      const actual = hash.digest('hex');
      if (seen !== entry.size || actual !== entry.sha256) {
        callback(new ZipContentMismatch(entry.path, entry, { size: seen, sha256: actual }));
        return;
      }
      progress.files += 1;
      try {
        onProgress(progress);
      } catch (err) {
        callback(err as Error);
        return;
      }
      callback();
    },
  });
}
