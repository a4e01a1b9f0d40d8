import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import { PassThrough, type Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
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

const KEY_PREFIX = 'evidence/';

export interface S3EvidenceStorageOptions {
  /**
   * The client. Build it with `requestChecksumCalculation: 'WHEN_REQUIRED'`:
   * the SDK's default streams an upload with `aws-chunked` trailers, which some
   * S3-compatible servers store verbatim (the bytes would no longer be the file).
   */
  client: S3Client;
  bucket: string;
  /** Where uploads are staged (hashed, limited, typed) before they go to the bucket. */
  tempDir: string;
  /**
   * Send `x-amz-checksum-sha256` with each upload so that the server checks the
   * bytes it received (AWS S3 does; a server that ignores it loses nothing). Default true.
   */
  checksumSha256?: boolean;
}

/**
 * Evidence files in an S3-compatible bucket:
 *
 *     s3://<bucket>/evidence/<aa>/<bb>/<sha256>     the bytes, named by their hash only
 *     <tempDir>/<uuid>.part                          uploads being received (local disk)
 *
 * An upload is written to a local temp file while the shared `UploadInspector`
 * hashes, limits and types it; only a staged upload that is committed is sent
 * to the bucket, so a refused or broken upload never reaches it. An object
 * already stored under that hash is kept (HeadObject first, and `If-None-Match: *`
 * on the PUT for servers that honour it).
 */
export class S3EvidenceStorage extends EvidenceStorage {
  readonly bucket: string;
  readonly tempDir: string;
  private readonly client: S3Client;
  private readonly checksumSha256: boolean;

  constructor(options: S3EvidenceStorageOptions) {
    super();
    this.client = options.client;
    this.bucket = options.bucket;
    this.tempDir = options.tempDir;
    this.checksumSha256 = options.checksumSha256 ?? true;
  }

  /** The object key of the blob with this hash. */
  keyOf(sha256: string): string {
    assertSha256(sha256);
    return `${KEY_PREFIX}${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
  }

  stage(source: Readable, options: StageOptions): Promise<StagedBlob> {
    return stageToTempFile(source, options, this.tempDir, async (tempPath, sha256, sizeBytes) => {
      try {
        return await this.upload(tempPath, sha256, sizeBytes);
      } finally {
        await fs.rm(tempPath, { force: true });
      }
    });
  }

  private async upload(tempPath: string, sha256: string, sizeBytes: number): Promise<{ created: boolean }> {
    const Key = this.keyOf(sha256);
    if (await this.exists(sha256)) return { created: false };
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key,
          Body: createReadStream(tempPath),
          ContentLength: sizeBytes,
          ContentType: 'application/octet-stream',
          IfNoneMatch: '*',
          ...(this.checksumSha256 ? { ChecksumSHA256: Buffer.from(sha256, 'hex').toString('base64') } : {}),
        }),
      );
    } catch (err) {
      // Another upload of the same bytes got there first: keep it.
      if (statusOf(err) === 412) return { created: false };
      throw err;
    }
    return { created: true };
  }

  async open(sha256: string): Promise<StoredBlob> {
    const Key = this.keyOf(sha256);
    const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key })).catch((err: unknown) => {
      if (isNotFound(err)) throw missing(sha256);
      throw err;
    });
    const etag = head.ETag;
    return {
      sizeBytes: head.ContentLength ?? 0,
      // Each call is a new GET of the same version (If-Match the ETag seen at open):
      // an object replaced meanwhile is not mixed in.
      stream: () => {
        const out = new PassThrough();
        this.client
          .send(new GetObjectCommand({ Bucket: this.bucket, Key, ...(etag ? { IfMatch: etag } : {}) }))
          .then((res) => {
            if (!res.Body) throw missing(sha256);
            if (etag && res.ETag && res.ETag !== etag) {
              throw new EvidenceError(EvidenceErrorCode.STORAGE_INTEGRITY, 'The stored file changed while being read', { sha256 });
            }
            const body = res.Body as Readable;
            body.on('error', (err) => out.destroy(err));
            out.on('close', () => body.destroy());
            body.pipe(out);
          })
          .catch((err: unknown) => {
            if (isNotFound(err)) out.destroy(missing(sha256));
            else if (statusOf(err) === 412)
              out.destroy(new EvidenceError(EvidenceErrorCode.STORAGE_INTEGRITY, 'The stored file changed while being read', { sha256 }));
            else out.destroy(err as Error);
          });
        return out;
      },
      close: async () => undefined, // nothing held open between reads; a stream handed out finishes on its own
    };
  }

  async exists(sha256: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.keyOf(sha256) }));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async remove(sha256: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.keyOf(sha256) }));
  }

  /** Deletes local temp files left by a crash mid-upload (see sweepTempDir). Returns how many. */
  async sweepTemp(olderThanMs: number, now = Date.now(), options: SweepOptions = {}): Promise<number> {
    return sweepTempDir(this.tempDir, olderThanMs, now, options);
  }

  /**
   * ListObjectsV2 over `evidence/`, page by page (1000 keys each); a key that is
   * not evidence/<aa>/<bb>/<sha256> is not a blob. LastModified is when the PUT completed.
   */
  async *listBlobs(): AsyncIterable<StoredBlobInfo> {
    let ContinuationToken: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: KEY_PREFIX, ContinuationToken }));
      for (const object of page.Contents ?? []) {
        const sha256 = object.Key?.slice(object.Key.lastIndexOf('/') + 1) ?? '';
        if (!/^[0-9a-f]{64}$/.test(sha256) || object.Key !== this.keyOf(sha256)) continue;
        yield { sha256, storedAt: object.LastModified ?? new Date(0) };
      }
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }
}

function missing(sha256: string): EvidenceError {
  return new EvidenceError(EvidenceErrorCode.STORAGE_INTEGRITY, 'The stored file is missing', { sha256 });
}

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

function isNotFound(err: unknown): boolean {
  const name = (err as { name?: string } | null)?.name;
  return name === 'NotFound' || name === 'NoSuchKey' || statusOf(err) === 404;
}
