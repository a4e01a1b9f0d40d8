import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { EvidenceError, EvidenceErrorCode } from '../domain/evidence.errors';
import type { EvidenceStorage } from './evidence-storage';

export interface VerifiedBlob {
  readonly sizeBytes: number;
  /**
   * The bytes, hashed again on the way out: if they no longer hash to the
   * expected value when the last byte has passed, the stream fails with
   * STORAGE_INTEGRITY instead of ending (so the receiver never sees a clean end).
   */
  stream(): Readable;
  close(): Promise<void>;
}

/** The two hashes of a failed check, for the alert. */
export interface IntegrityFailure {
  expected: string;
  actual: string | null;
}

/**
 * Opens a stored blob for download, having first read it whole and checked its
 * SHA-256: a mismatch (or a missing blob) throws STORAGE_INTEGRITY with
 * `details.expected` / `details.actual` before a single byte is sent.
 */
export async function openVerified(storage: EvidenceStorage, sha256: string): Promise<VerifiedBlob> {
  const blob = await storage.open(sha256);
  try {
    const hash = createHash('sha256');
    await pipeline(blob.stream(), hash);
    const actual = hash.digest('hex');
    if (actual !== sha256) throw integrityError(sha256, actual);
  } catch (err) {
    await blob.close();
    throw err;
  }
  return {
    sizeBytes: blob.sizeBytes,
    close: () => blob.close(),
    stream: () => {
      const source = blob.stream();
      const hash = createHash('sha256');
      let sent = 0;
      const check = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          hash.update(chunk);
          sent += chunk.length;
          if (sent > blob.sizeBytes) return callback(integrityError(sha256, null));
          callback(null, chunk);
        },
        flush(callback) {
          const actual = hash.digest('hex');
          callback(actual === sha256 && sent === blob.sizeBytes ? null : integrityError(sha256, actual));
        },
      });
      source.on('error', (err) => check.destroy(err));
      return source.pipe(check);
    },
  };
}

function integrityError(expected: string, actual: string | null): EvidenceError {
  return new EvidenceError(EvidenceErrorCode.STORAGE_INTEGRITY, 'The stored file does not match its recorded SHA-256; it is not served', {
    expected,
    actual,
  } satisfies IntegrityFailure);
}
