import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApp } from '../support/test-app';

const CREATE = `mutation { createTrailCheckpoint { treeSize keyId } }`;
const KEYS = `{ signingKeys { keys { purpose keyId status } } }`;

interface Key {
  purpose: string;
  keyId: string;
  status: string;
}

/**
 * Several instances, a key rotated the operator's way (a new key file, then a restart, one instance at a time): the
 * first instance restarted registers the new key and retires the old one. The instances not yet restarted still
 * hold the old key; a retired key never signs again, so they refuse to sign (CONFLICT, KEY_RETIRED) until restarted.
 */
describe('an instance whose signing key another instance retired', () => {
  let first: TestApp;
  let second: TestApp | undefined;
  // One JWT secret for both instances, as a deployment shares it.
  const shared = { JWT_SECRET: randomBytes(32).toString('hex') };

  beforeAll(async () => {
    first = await TestApp.start(shared);
  }, 120_000);
  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  it('signs nothing with the retired key: its checkpoint is refused, the new key signs on the other instance', async () => {
    const auditor = await first.createUser(['AUDITOR'], { displayName: '外部監査 一郎' });
    const before = await first.gql<{ createTrailCheckpoint: { treeSize: string; keyId: string } }>(CREATE, {}, await auditor.token());
    expect(before.errors).toBeUndefined();
    const oldKeyId = before.data!.createTrailCheckpoint.keyId;

    // Another instance on the same database starts with keys of its own (its own DATA_DIR/keys): it retires these.
    second = await TestApp.start(shared, { sameDatabaseAs: first });
    const token = await auditor.token();
    const listed = await second.gql<{ signingKeys: { keys: Key[] } }>(KEYS, {}, token);
    expect(listed.errors).toBeUndefined();
    const keys = listed.data!.signingKeys.keys;
    expect(keys.find((k) => k.keyId === oldKeyId)).toMatchObject({ purpose: 'TRAIL', status: 'RETIRED' });

    await first.createUser(['TASK_FORCE'], { displayName: '鍵更新 花子' });
    const refused = await first.gql(CREATE, {}, token);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'KEY_RETIRED' });
    expect(refused.errors?.[0]?.message).toContain('restart this instance with the new key file');

    const signed = await second.gql<{ createTrailCheckpoint: { treeSize: string; keyId: string } }>(CREATE, {}, token);
    expect(signed.errors).toBeUndefined();
    expect(signed.data!.createTrailCheckpoint.keyId).not.toBe(oldKeyId);
    expect(Number(signed.data!.createTrailCheckpoint.treeSize)).toBeGreaterThan(Number(before.data!.createTrailCheckpoint.treeSize));
    // Nothing after the retirement carries the old key.
    const [{ n }] = await first.sql<{ n: string }>(`SELECT count(*) AS n FROM trail_checkpoints WHERE key_id = $1 AND tree_size > $2`, [
      oldKeyId,
      before.data!.createTrailCheckpoint.treeSize,
    ]);
    expect(Number(n)).toBe(0);
  });
});
