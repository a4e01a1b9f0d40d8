import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASE_TIME_ZONE, todayIn } from '@app/common';
import { EvidenceStorage, S3EvidenceStorage } from '@app/evidence';
import { makeOwnedRequirement } from '../support/remediation-factory';
import { TestApp } from '../support/test-app';
import { CSV_JA, pdf, windowsExe } from './support-files';
import { filesUnder, upload } from './support-files-http';
import { evidenceObjectKey, evidenceS3Settings, forgetEvidenceS3Settings, type LocalS3, startLocalS3 } from './support-s3';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('evidence files in an S3-compatible bucket (EVIDENCE_S3_BUCKET set), over HTTP', () => {
  let s3: LocalS3;
  let t: TestApp;
  let ownerToken: string;
  let requirementId: string;
  let today: string;

  beforeAll(async () => {
    s3 = await startLocalS3('rt-evidence-e2e');
    t = await TestApp.start(evidenceS3Settings(s3));
    const plan = await makeOwnedRequirement(t);
    ownerToken = await plan.owner.token();
    requirementId = plan.requirementId;
    today = todayIn(CASE_TIME_ZONE, new Date());
  });
  afterAll(async () => {
    await t?.close();
    await s3?.stop();
    forgetEvidenceS3Settings();
  });

  const objectKeys = async () =>
    ((await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket }))).Contents ?? []).map((o) => o.Key!).sort();

  it('the app uses the bucket', () => {
    expect(t.app.get(EvidenceStorage)).toBeInstanceOf(S3EvidenceStorage);
  });

  it.each([
    ['a PDF', () => pdf('S3 monitoring 2026-10'), 'report.pdf', 'application/pdf', 'application/pdf'],
    ['a Japanese CSV', () => Buffer.from(CSV_JA), '権限一覧.csv', 'text/csv', 'text/csv; charset=utf-8'],
  ])('%s is uploaded into the bucket under its hash and downloaded back identical', async (_, make, name, mediaType, contentType) => {
    const bytes = make();
    const h = sha(bytes);
    const res = await upload(t, ownerToken, { requirementId, effectiveOn: today }, [{ bytes, name, type: 'application/octet-stream' }]);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kind: 'FILE', name, mediaType, sha256: h, sizeBytes: bytes.length });

    expect(await objectKeys()).toContain(evidenceObjectKey(h));
    const object = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: evidenceObjectKey(h) }));
    expect(Buffer.from(await object.Body!.transformToByteArray()).equals(bytes)).toBe(true);
    // Staged locally, then sent: nothing stays in DATA_DIR/evidence/tmp, and no local blob is written.
    const evidenceDir = path.join(process.env.DATA_DIR!, 'evidence');
    expect(filesUnder(evidenceDir)).toEqual([]);

    const down = await fetch(`${t.baseUrl}/evidence/${res.body.id}/content`, { headers: { authorization: `Bearer ${ownerToken}` } });
    expect(down.status).toBe(200);
    expect(down.headers.get('content-type')).toBe(contentType);
    expect(down.headers.get('content-length')).toBe(String(bytes.length));
    expect(down.headers.get('repr-digest')).toBe(`sha-256=:${createHash('sha256').update(bytes).digest('base64')}:`);
    expect(Buffer.from(await down.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('a refused upload leaves nothing in the bucket', async () => {
    const before = await objectKeys();
    const res = await upload(t, ownerToken, { requirementId, effectiveOn: today }, [{ bytes: windowsExe(), name: 'x.pdf' }]);
    expect(res.status).toBe(400);
    expect(await objectKeys()).toEqual(before);
  });
});
