import { createHash } from 'node:crypto';
import { DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASE_TIME_ZONE, todayIn } from '@app/common';
import { EvidenceStoreReconciler } from '@app/evidence';
import { makeOwnedRequirement } from '../support/remediation-factory';
import { TestApp } from '../support/test-app';
import { CSV_JA, pdf } from './support-files';
import { upload } from './support-files-http';
import { evidenceObjectKey, evidenceS3Settings, forgetEvidenceS3Settings, type LocalS3, startLocalS3 } from './support-s3';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** The same reconciliation over a bucket: ListObjectsV2 over evidence/, LastModified against the grace period. */
describe('evidence store reconciliation with an S3 bucket', () => {
  let s3: LocalS3;
  let t: TestApp;
  let ownerToken: string;
  let requirementId: string;

  beforeAll(async () => {
    s3 = await startLocalS3('rt-reconcile-e2e');
    t = await TestApp.start(evidenceS3Settings(s3));
    const plan = await makeOwnedRequirement(t);
    ownerToken = await plan.owner.token();
    requirementId = plan.requirementId;
  });
  afterAll(async () => {
    await t?.close();
    await s3?.stop();
    forgetEvidenceS3Settings();
  });

  const keys = async () =>
    ((await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket }))).Contents ?? []).map((o) => o.Key!).sort();

  it('an object no evidence refers to is kept while young and removed once past the grace period; evidence keeps its object', async () => {
    const evidence = pdf('kept as evidence');
    const res = await upload(t, ownerToken, { requirementId, effectiveOn: todayIn(CASE_TIME_ZONE, new Date()) }, [
      { bytes: evidence, name: '証跡.pdf' },
    ]);
    expect(res.status).toBe(201);
    // What a crash between the PUT and the row leaves: an object without evidence.
    const orphan = Buffer.from(CSV_JA);
    await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: evidenceObjectKey(sha(orphan)), Body: orphan }));

    const reconciler = t.app.get(EvidenceStoreReconciler);
    const young = await reconciler.reconcile({ graceSeconds: 3600 });
    expect(young).toMatchObject({ blobsStored: 2, orphansRemoved: [], orphansKept: 1, missing: [] });
    expect(await keys()).toEqual([evidenceObjectKey(sha(evidence)), evidenceObjectKey(sha(orphan))].sort());

    const past = await reconciler.reconcile({ graceSeconds: 0 });
    expect(past.orphansRemoved.map((o) => o.sha256)).toEqual([sha(orphan)]);
    expect(past.missing).toEqual([]);
    expect(await keys()).toEqual([evidenceObjectKey(sha(evidence))]);
  });

  it('evidence whose object was deleted from the bucket is reported missing, and its row is left as recorded', async () => {
    const [row] = await t.sql<{ id: string; sha256: string }>(`SELECT id::text AS id, sha256 FROM evidence WHERE kind = 'FILE'`);
    await s3.client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: evidenceObjectKey(row!.sha256) }));
    const report = await t.app.get(EvidenceStoreReconciler).reconcile({ graceSeconds: 0 });
    expect(report.missing).toEqual([{ evidenceId: row!.id, sha256: row!.sha256 }]);
    expect(await t.sql(`SELECT id::text AS id FROM evidence WHERE id = $1`, [row!.id])).toEqual([{ id: row!.id }]);
  });
});
