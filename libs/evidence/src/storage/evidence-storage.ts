import type { Readable } from 'node:stream';
import { EvidenceError, EvidenceErrorCode } from '../domain/evidence.errors';

export interface StageOptions {
  /** The upload is stopped as soon as it passes this many bytes (FILE_TOO_LARGE). */
  maxBytes: number;
  /** Media types accepted (decided from the bytes); anything else is FILE_TYPE_NOT_ALLOWED. */
  allowedTypes: readonly string[];
}

/**
 * Bytes received, hashed, typed and held aside, not yet evidence. Exactly one
 * of `commit` and `discard` must follow.
 */
export interface StagedBlob {
  /** Lowercase hex SHA-256 of the bytes: their storage key. */
  readonly sha256: string;
  readonly sizeBytes: number;
  /** The type the bytes showed (one of the allowed types). */
  readonly mediaType: string;
  /**
   * Moves the bytes into the store under their hash. Resolves `created: false`
   * when a blob with that hash was already stored (it is kept, the copy dropped).
   */
  commit(): Promise<{ created: boolean }>;
  /** Drops the staged bytes. Safe to call more than once. */
  discard(): Promise<void>;
}

/** A stored blob opened for reading. */
export interface StoredBlob {
  readonly sizeBytes: number;
  /** A fresh stream of the bytes from the start (each call reads again). */
  stream(): Readable;
  /** Releases the blob (a stream already handed out may finish). */
  close(): Promise<void>;
}

/**
 * Content-addressed storage for evidence files: a blob is named by nothing but
 * its SHA-256, never by the uploaded name. The Nest injection token too.
 *
 * `stage` streams an upload in: it hashes while writing, stops at the size
 * limit, decides the type from the bytes and refuses a type not allowed; on
 * any failure (or when the source errors, e.g. the client went away) nothing
 * is left behind.
 */
export abstract class EvidenceStorage {
  abstract stage(source: Readable, options: StageOptions): Promise<StagedBlob>;
  /** Throws STORAGE_INTEGRITY when no blob has that hash (the bytes of a recorded evidence are gone). */
  abstract open(sha256: string): Promise<StoredBlob>;
  abstract exists(sha256: string): Promise<boolean>;
  /** Removes a blob (only for bytes no evidence refers to). No error if it is absent. */
  abstract remove(sha256: string): Promise<void>;
  /** Every stored blob and when it was stored (last written), for reconciliation with the evidence rows. */
  abstract listBlobs(): AsyncIterable<StoredBlobInfo>;
  /** Deletes upload temp files no upload in progress is writing (see sweepTempDir). Returns how many. */
  abstract sweepTemp(olderThanMs: number, now?: number, options?: SweepOptions): Promise<number>;
}

export interface SweepOptions {
  /**
   * At start-up, before this process has begun any upload: also every file of
   * this process's pid (a restarted container often gets its predecessor's)
   * and every file without a pid in its name (older versions).
   */
  startup?: boolean;
}

export interface StoredBlobInfo {
  readonly sha256: string;
  /** When the blob was stored (file mtime; S3 LastModified). */
  readonly storedAt: Date;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Refuses anything but a lowercase hex SHA-256 before it comes near a path or a key. */
export function assertSha256(sha256: string): void {
  if (!SHA256_HEX.test(sha256)) {
    throw new EvidenceError(EvidenceErrorCode.STORAGE_INTEGRITY, 'A stored file key must be a lowercase hex SHA-256', {
      key: String(sha256).slice(0, 80),
    });
  }
}
