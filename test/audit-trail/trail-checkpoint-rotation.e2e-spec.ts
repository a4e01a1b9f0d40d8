import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApp } from '../support/test-app';

const CREATE = `mutation { createTrailCheckpoint { treeSize keyId text } }`;
const ROTATE = `mutation { rotateSigningKey(purpose: TRAIL) { keyId status } }`;
const VERIFY = `query($against: String) { verifyAuditTrail(against: $against) { intact checkpoint { code ok keyId } } }`;

/** A checkpoint signed before the trail key was rotated still verifies, by the retired key. */
describe('trail checkpoints across a rotation of the trail key', () => {
  let t: TestApp;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-trail-rotation-'));
    t = await TestApp.start({ DATA_DIR: dataDir, TRAIL_SIGNING_KEY_FILE: '', BUNDLE_SIGNING_KEY_FILE: '' });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('the old checkpoint verifies by the retired key, the new one by the new key, and the new extends the old', async () => {
    const auditorToken = await (await t.createUser(['AUDITOR'])).token();
    const adminToken = await (await t.createUser(['ADMIN'])).token();
    const before = (await t.gql<{ createTrailCheckpoint: { treeSize: string; keyId: string; text: string } }>(CREATE, {}, auditorToken))
      .data!.createTrailCheckpoint;
    const rotated = await t.gql<{ rotateSigningKey: { keyId: string } }>(ROTATE, {}, adminToken);
    expect(rotated.errors).toBeUndefined();
    expect(rotated.data!.rotateSigningKey.keyId).not.toBe(before.keyId);
    await t.createUser(['TASK_FORCE'], { displayName: '鍵更新 太郎' });
    const after = (await t.gql<{ createTrailCheckpoint: { treeSize: string; keyId: string; text: string } }>(CREATE, {}, auditorToken))
      .data!.createTrailCheckpoint;
    expect(after.keyId).toBe(rotated.data!.rotateSigningKey.keyId);
    expect(Number(after.treeSize)).toBeGreaterThan(Number(before.treeSize));

    const old = await t.gql<{ verifyAuditTrail: { intact: boolean; checkpoint: { code: string; ok: boolean; keyId: string } } }>(
      VERIFY,
      { against: before.text },
      auditorToken,
    );
    expect(old.data!.verifyAuditTrail).toEqual({ intact: true, checkpoint: { code: 'CONSISTENT', ok: true, keyId: before.keyId } });
    const now = await t.gql<{ verifyAuditTrail: { checkpoint: { code: string; keyId: string } } }>(
      VERIFY,
      { against: after.text },
      auditorToken,
    );
    expect(now.data!.verifyAuditTrail.checkpoint).toMatchObject({ code: 'CONSISTENT', keyId: after.keyId });
  });
});
