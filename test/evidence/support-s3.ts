import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

/** The part of s3rver (an in-process S3-compatible server, npm, no binary) the tests use; it ships no types. */
interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
type S3rverClass = new (options: { address: string; port: number; directory: string; silent: boolean }) => S3rverInstance;

/** s3rver's fixed credentials. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface LocalS3 {
  endpoint: string;
  bucket: string;
  /** A client like the one the server builds (path style, no aws-chunked uploads). */
  client: S3Client;
  stop(): Promise<void>;
}

/** The settings that put the server's evidence store in `s3`'s bucket. */
export function evidenceS3Settings(s3: LocalS3): Record<string, string> {
  return {
    EVIDENCE_S3_BUCKET: s3.bucket,
    EVIDENCE_S3_ENDPOINT: s3.endpoint,
    EVIDENCE_S3_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    EVIDENCE_S3_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
  };
}

/** For afterAll: TestApp.start leaves what it was given in process.env; the next file must not find a bucket set. */
export function forgetEvidenceS3Settings(): void {
  for (const k of ['EVIDENCE_S3_BUCKET', 'EVIDENCE_S3_ENDPOINT', 'EVIDENCE_S3_ACCESS_KEY_ID', 'EVIDENCE_S3_SECRET_ACCESS_KEY'])
    delete process.env[k];
}

/** The object key of stored evidence content (content-addressed by its SHA-256). */
export const evidenceObjectKey = (sha256: string) => `evidence/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;

/** Starts s3rver on a free port over a temp directory, with `bucket` created. */
export async function startLocalS3(bucket = 'evidence-test'): Promise<LocalS3> {
  const S3rver = createRequire(__filename)('s3rver') as S3rverClass;
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 's3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    endpoint,
    bucket,
    client,
    async stop() {
      client.destroy();
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
