import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigValidationError, EVIDENCE_MEDIA_TYPES, validateConfig } from '@app/common';
import { CSV_JA, pdf, png, windowsExe, xlsx } from '../../../../test/evidence/support-files';
import { type LocalS3, startLocalS3 } from '../../../../test/evidence/support-s3';
import { EvidenceError } from '../domain/evidence.errors';
import { S3EvidenceStorage } from './s3-evidence-storage';
import { openVerified } from './verified-read';

const ALL = { maxBytes: 52_428_800, allowedTypes: EVIDENCE_MEDIA_TYPES };
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const keyOf = (h: string) => `evidence/${h.slice(0, 2)}/${h.slice(2, 4)}/${h}`;

/** A source that yields `chunks` chunk by chunk and counts what was pulled from it. */
function counted(chunks: Buffer[], failAfter?: number) {
  const state = { pulled: 0 };
  const stream = new Readable({
    read() {
      if (failAfter !== undefined && state.pulled === failAfter) {
        this.destroy(new Error('client went away'));
        return;
      }
      const next = chunks[state.pulled];
      if (!next) return void this.push(null);
      state.pulled++;
      this.push(next);
    },
  });
  return { stream, state };
}

async function refusal(p: Promise<unknown>): Promise<EvidenceError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EvidenceError);
  return err as EvidenceError;
}

describe('S3EvidenceStorage: content-addressed evidence files in an S3-compatible bucket (s3rver)', () => {
  let s3: LocalS3;
  let tempDir: string;
  let storage: S3EvidenceStorage;
  beforeAll(async () => {
    s3 = await startLocalS3();
  });
  afterAll(async () => s3?.stop());
  beforeEach(() => {
    tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'evidence-s3-tmp-'));
    storage = new S3EvidenceStorage({ client: s3.client, bucket: s3.bucket, tempDir, checksumSha256: true });
  });
  // The bucket outlives the tests: each one ends by emptying it.
  afterEach(async () => {
    fs.rmSync(tempDir, { recursive: true, force: true });
    for (const key of await objects()) await storage.remove(key.split('/').pop()!);
  });

  async function objects(): Promise<string[]> {
    const res = await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket }));
    return (res.Contents ?? []).map((o) => o.Key!).sort();
  }
  async function objectBytes(key: string): Promise<Buffer> {
    const res = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
    return Buffer.from(await res.Body!.transformToByteArray());
  }
  const temps = () => fs.readdirSync(tempDir);

  it('stores a file under evidence/<aa>/<bb>/<sha256> of its bytes, exactly those bytes, with its size and type', async () => {
    const bytes = xlsx();
    const staged = await storage.stage(Readable.from([bytes.subarray(0, 50), bytes.subarray(50)]), ALL);
    expect(staged).toMatchObject({
      sha256: sha(bytes),
      sizeBytes: bytes.length,
      mediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    });
    expect(temps()).toHaveLength(1); // held aside locally until committed
    expect(await objects()).toEqual([]);
    expect(await staged.commit()).toEqual({ created: true });
    const h = sha(bytes);
    expect(await objects()).toEqual([keyOf(h)]);
    expect(storage.keyOf(h)).toBe(keyOf(h));
    expect((await objectBytes(keyOf(h))).equals(bytes)).toBe(true);
    expect(temps()).toEqual([]);
    expect(await storage.exists(h)).toBe(true);
    const blob = await storage.open(h);
    expect(blob.sizeBytes).toBe(bytes.length);
    const read = Buffer.concat(await blob.stream().toArray());
    expect(read.equals(bytes)).toBe(true);
    expect(sha(read)).toBe(h);
    await blob.close();
  });

  it('also works without the SHA-256 checksum header (for servers that refuse it)', async () => {
    const plain = new S3EvidenceStorage({ client: s3.client, bucket: s3.bucket, tempDir, checksumSha256: false });
    const bytes = pdf('no checksum');
    expect(await (await plain.stage(Readable.from([bytes]), ALL)).commit()).toEqual({ created: true });
    expect((await objectBytes(keyOf(sha(bytes)))).equals(bytes)).toBe(true);
  });

  it('keeps the object already stored for the same bytes and drops the new copy', async () => {
    const bytes = Buffer.from(CSV_JA);
    expect(await (await storage.stage(Readable.from([bytes]), ALL)).commit()).toEqual({ created: true });
    const again = await storage.stage(Readable.from([bytes]), ALL);
    expect(await again.commit()).toEqual({ created: false });
    expect(await objects()).toEqual([keyOf(sha(bytes))]);
    expect(temps()).toEqual([]);
  });

  it('a discarded upload leaves nothing (no object, no temp)', async () => {
    const staged = await storage.stage(Readable.from([pdf()]), ALL);
    await staged.discard();
    expect(temps()).toEqual([]);
    expect(await objects()).toEqual([]);
    await expect(staged.commit()).rejects.toThrow(/already committed or discarded/);
  });

  it('stops reading at the size limit (FILE_TOO_LARGE with limitBytes) and leaves nothing', async () => {
    const chunk = Buffer.concat([pdf(), Buffer.alloc(64 * 1024 - pdf().length, 0x20)]);
    const { stream, state } = counted(Array.from({ length: 100 }, () => chunk));
    const err = await refusal(storage.stage(stream, { ...ALL, maxBytes: 150_000 }));
    expect(err.code).toBe('FILE_TOO_LARGE');
    expect(err.details).toEqual({ limitBytes: 150_000 });
    expect(state.pulled).toBeLessThanOrEqual(4);
    expect(stream.destroyed).toBe(true);
    expect(temps()).toEqual([]);
    expect(await objects()).toEqual([]);
  });

  it('accepts exactly the limit and refuses one byte more', async () => {
    const body = Buffer.concat([pdf(), Buffer.alloc(4096 - pdf().length, 0x20)]);
    const ok = await storage.stage(Readable.from([body]), { ...ALL, maxBytes: 4096 });
    expect(ok.sizeBytes).toBe(4096);
    await ok.discard();
    const err = await refusal(storage.stage(Readable.from([body, Buffer.from(' ')]), { ...ALL, maxBytes: 4096 }));
    expect(err.code).toBe('FILE_TOO_LARGE');
  });

  it('refuses an empty file (FILE_EMPTY)', async () => {
    expect((await refusal(storage.stage(Readable.from([]), ALL))).code).toBe('FILE_EMPTY');
    expect(temps()).toEqual([]);
  });

  it('refuses an executable at its first bytes and a type not allowed; nothing is left', async () => {
    const { stream, state } = counted([windowsExe(), ...Array.from({ length: 50 }, () => Buffer.alloc(1000))]);
    const err = await refusal(storage.stage(stream, ALL));
    expect(err.code).toBe('FILE_TYPE_NOT_ALLOWED');
    expect(err.details).toEqual({ detected: 'application/x-msdownload', allowed: [...EVIDENCE_MEDIA_TYPES] });
    expect(state.pulled).toBe(1);
    const err2 = await refusal(storage.stage(Readable.from([png()]), { ...ALL, allowedTypes: ['application/pdf'] }));
    expect(err2.details).toEqual({ detected: 'image/png', allowed: ['application/pdf'] });
    expect(temps()).toEqual([]);
    expect(await objects()).toEqual([]);
  });

  it('an upload cut off half way (the source errors) leaves nothing and reports the source error', async () => {
    const { stream } = counted([pdf(), Buffer.alloc(1000, 0x20), Buffer.alloc(1000, 0x20)], 2);
    await expect(storage.stage(stream, ALL)).rejects.toThrow('client went away');
    expect(temps()).toEqual([]);
    expect(await objects()).toEqual([]);
  });

  it('reads a stored blob back (each stream from the start), removes it, and reports a missing one as STORAGE_INTEGRITY', async () => {
    const bytes = Buffer.from(CSV_JA);
    await (await storage.stage(Readable.from([bytes]), ALL)).commit();
    const blob = await storage.open(sha(bytes));
    expect(blob.sizeBytes).toBe(bytes.length);
    expect(await text(blob.stream())).toBe(CSV_JA);
    expect(await text(blob.stream())).toBe(CSV_JA);
    await blob.close();
    await storage.remove(sha(bytes));
    expect(await objects()).toEqual([]);
    expect(await storage.exists(sha(bytes))).toBe(false);
    await storage.remove(sha(bytes)); // absent: no error
    const err = await refusal(storage.open(sha(bytes)));
    expect(err.code).toBe('STORAGE_INTEGRITY');
    expect(err.details).toEqual({ sha256: sha(bytes) });
  });

  it('never turns anything but a hex SHA-256 into a key', async () => {
    for (const bad of ['../../etc/passwd', 'A'.repeat(64), 'ab/cd', '', `${'a'.repeat(63)}/`]) {
      expect(() => storage.keyOf(bad)).toThrow(EvidenceError);
      await expect(storage.open(bad)).rejects.toBeInstanceOf(EvidenceError);
      await expect(storage.exists(bad)).rejects.toBeInstanceOf(EvidenceError);
      await expect(storage.remove(bad)).rejects.toBeInstanceOf(EvidenceError);
    }
  });

  it('sweeps local temp files left by a crash, once they are old', async () => {
    const old = path.join(tempDir, 'old.part');
    fs.writeFileSync(old, 'x');
    fs.writeFileSync(path.join(tempDir, 'new.part'), 'x');
    fs.utimesSync(old, new Date(Date.now() - 2 * 3600_000), new Date(Date.now() - 2 * 3600_000));
    expect(await storage.sweepTemp(3600_000)).toBe(1);
    expect(temps()).toEqual(['new.part']);
  });

  it('lists the stored objects under evidence/ with their LastModified, and no other key', async () => {
    const a = Buffer.from(CSV_JA);
    const b = pdf();
    await (await storage.stage(Readable.from([a]), ALL)).commit();
    await (await storage.stage(Readable.from([b]), ALL)).commit();
    const strays = ['evidence/README', `other/${sha(a)}`, `evidence/zz/yy/${sha(a)}`];
    for (const Key of strays) await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key, Body: 'x' }));
    try {
      const listed = [];
      for await (const blob of storage.listBlobs()) listed.push(blob);
      expect(listed.map((x) => x.sha256).sort()).toEqual([sha(a), sha(b)].sort());
      for (const blob of listed) expect(blob.storedAt.getTime()).toBeGreaterThan(Date.now() - 3600_000);
    } finally {
      for (const Key of strays) await s3.client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key }));
    }
  });

  describe('openVerified over S3', () => {
    async function stored(bytes: Buffer) {
      await (await storage.stage(Readable.from([bytes]), ALL)).commit();
      return sha(bytes);
    }
    /** Overwrites the object through the S3 API (what a bucket-side tamper or a bad copy does). */
    const corrupt = (h: string, bytes: Buffer) => s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: keyOf(h), Body: bytes }));

    it('serves intact bytes', async () => {
      const h = await stored(Buffer.from(CSV_JA));
      const blob = await openVerified(storage, h);
      expect(await text(blob.stream())).toBe(CSV_JA);
      await blob.close();
    });

    it('refuses before serving a byte when the object was altered, naming both hashes', async () => {
      const h = await stored(Buffer.from(CSV_JA));
      const altered = Buffer.from(CSV_JA.replace('管理者', '閲覧者'));
      await corrupt(h, altered);
      const err = await refusal(openVerified(storage, h));
      expect(err.code).toBe('STORAGE_INTEGRITY');
      expect(err.details).toEqual({ expected: h, actual: sha(altered) });
    });

    it('fails the stream (no clean end) when the object changes between the check and the sending', async () => {
      const h = await stored(Buffer.from(CSV_JA));
      const blob = await openVerified(storage, h);
      await corrupt(h, Buffer.from(CSV_JA.replace('管理者', '閲覧者')));
      const err = await refusal(text(blob.stream()));
      expect(err.code).toBe('STORAGE_INTEGRITY');
      await blob.close();
    });

    it('a missing object is STORAGE_INTEGRITY', async () => {
      const err = await refusal(openVerified(storage, sha(Buffer.from('never stored'))));
      expect(err.code).toBe('STORAGE_INTEGRITY');
    });
  });
});

describe('EVIDENCE_S3_* settings', () => {
  it('are off by default (local storage), region us-east-1, path style decided by the endpoint', () => {
    const config = validateConfig({});
    expect(config).toMatchObject({
      EVIDENCE_S3_BUCKET: undefined,
      EVIDENCE_S3_ENDPOINT: undefined,
      EVIDENCE_S3_REGION: 'us-east-1',
      EVIDENCE_S3_FORCE_PATH_STYLE: undefined,
    });
    const s3 = validateConfig({
      EVIDENCE_S3_BUCKET: 'rt-evidence',
      EVIDENCE_S3_ENDPOINT: 'http://127.0.0.1:9000',
      EVIDENCE_S3_FORCE_PATH_STYLE: 'false',
      EVIDENCE_S3_ACCESS_KEY_ID: 'k',
      EVIDENCE_S3_SECRET_ACCESS_KEY: 's',
    });
    expect(s3).toMatchObject({
      EVIDENCE_S3_BUCKET: 'rt-evidence',
      EVIDENCE_S3_ENDPOINT: 'http://127.0.0.1:9000',
      EVIDENCE_S3_FORCE_PATH_STYLE: false,
    });
  });

  it('refuse bad values naming the variable, never echoing the keys', () => {
    const problems = (env: Record<string, string>) => {
      try {
        validateConfig(env);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigValidationError);
        return (e as ConfigValidationError).problems;
      }
      return [];
    };
    expect(problems({ EVIDENCE_S3_BUCKET: 'Bad_Bucket' })[0]).toMatch(/^EVIDENCE_S3_BUCKET:/);
    expect(problems({ EVIDENCE_S3_ENDPOINT: 'ftp://x' })[0]).toMatch(/^EVIDENCE_S3_ENDPOINT:/);
    expect(problems({ EVIDENCE_S3_FORCE_PATH_STYLE: 'maybe' })[0]).toMatch(/^EVIDENCE_S3_FORCE_PATH_STYLE:/);
    const secret = problems({ EVIDENCE_S3_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI-very-secret' });
    expect(secret.map((p) => p.slice(0, p.indexOf(':')))).toEqual(['EVIDENCE_S3_ACCESS_KEY_ID']);
    const keyOnly = problems({ EVIDENCE_S3_ACCESS_KEY_ID: 'AKIA-secret-id' });
    expect(keyOnly.map((p) => p.slice(0, p.indexOf(':')))).toEqual(['EVIDENCE_S3_SECRET_ACCESS_KEY']);
    expect([...secret, ...keyOnly].join(' ')).not.toMatch(/very-secret|AKIA/);
  });
});
