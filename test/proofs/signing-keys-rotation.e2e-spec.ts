import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigValidationError } from '@app/common';
import { SigningKeysService, type KeysDocument } from '@app/signing-keys';
import { errorCode, TestApp } from '../support/test-app';

/**
 * Rotation (docs/proofs.md, "Keys"): a new key signs from now on; the old one
 * is listed as retired, with its dates, and still verifies what it signed.
 */

const NO_KEY_FILES = { TRAIL_SIGNING_KEY_FILE: '', BUNDLE_SIGNING_KEY_FILE: '' };

const ROTATE = `mutation($purpose: SigningKeyPurpose!) {
  rotateSigningKey(purpose: $purpose) { purpose fingerprint keyId status activatedAt retiredAt }
}`;
const KEYS = `{ signingKeys { format origin keys { purpose name fingerprint keyId status activatedAt retiredAt } } }`;

let t: TestApp | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await t?.close();
  t = undefined;
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-keys-'));
  dirs.push(d);
  return d;
}

function ed25519KeyFile(dir: string, name: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  return file;
}

async function wellKnown(app: TestApp): Promise<KeysDocument> {
  return (await (await fetch(`${app.baseUrl}/.well-known/remediation-tracker/keys`)).json()) as KeysDocument;
}

const MESSAGE = new TextEncoder().encode('対策 CM-001 の承認記録');

function verifies(pem: string, signature: Uint8Array): boolean {
  return verify(null, MESSAGE, createPublicKey(pem), signature);
}

describe('rotateSigningKey on the keys the tracker keeps', () => {
  it('an admin rotates: the new key signs, the old is RETIRED with its dates, kept on disk, and old signatures still verify', async () => {
    const dataDir = tempDir();
    t = await TestApp.start({ ...NO_KEY_FILES, DATA_DIR: dataDir });
    const service = t.app.get(SigningKeysService);
    const before = await service.sign('trail', MESSAGE);
    const oldFingerprint = before.key.fingerprint;
    const admin = await t.createUser(['ADMIN'], { email: 'kanri@example.test' });

    const res = await t.gql<{ rotateSigningKey: { fingerprint: string; status: string; activatedAt: string } }>(
      ROTATE,
      { purpose: 'TRAIL' },
      await admin.token(),
    );
    expect(res.errors).toBeUndefined();
    const rotated = res.data!.rotateSigningKey;
    expect(rotated.status).toBe('ACTIVE');
    expect(rotated.fingerprint).not.toBe(oldFingerprint);

    // On disk: the new key in trail.pem, the old one kept beside it (mode 600).
    const keyDir = path.join(dataDir, 'keys');
    const kept = path.join(keyDir, `trail-${oldFingerprint.slice('SHA256:'.length, 'SHA256:'.length + 16)}.retired.pem`);
    expect(fs.statSync(kept).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(keyDir).sort()).toEqual(['bundle.pem', path.basename(kept), 'trail.pem'].sort());

    const doc = await wellKnown(t);
    const trailKeys = doc.keys.filter((k) => k.purpose === 'trail');
    expect(trailKeys.map((k) => [k.status, k.fingerprint])).toEqual([
      ['ACTIVE', rotated.fingerprint],
      ['RETIRED', oldFingerprint],
    ]);
    const retired = trailKeys[1]!;
    expect(retired.retiredAt).toBe(trailKeys[0]!.activatedAt);
    expect(new Date(retired.activatedAt).getTime()).toBeLessThanOrEqual(new Date(retired.retiredAt!).getTime());
    // The bundle key was not touched.
    expect(doc.keys.filter((k) => k.purpose === 'bundle').map((k) => k.status)).toEqual(['ACTIVE']);

    // What was signed before verifies under the retired key from the document; what is signed now, under the new one.
    expect(verifies(retired.publicKeyPem, before.signature)).toBe(true);
    const after = await service.sign('trail', MESSAGE);
    expect(after.key.fingerprint).toBe(rotated.fingerprint);
    expect(verifies(trailKeys[0]!.publicKeyPem, after.signature)).toBe(true);
    expect(verifies(retired.publicKeyPem, after.signature)).toBe(false);

    // The same list through GraphQL, and the change on the trail, by the admin.
    const listed = await t.gql<{ signingKeys: { keys: { status: string; fingerprint: string; retiredAt: string | null }[] } }>(
      KEYS,
      {},
      await admin.token(),
    );
    expect(listed.data!.signingKeys.keys.filter((k) => k.status === 'RETIRED').map((k) => k.fingerprint)).toEqual([oldFingerprint]);
    const entries = await t.sql<{
      actor_label: string;
      before: { fingerprint: string; retiredAt: string };
      after: { fingerprint: string };
    }>(`SELECT actor_label, before, after FROM audit_trail WHERE action = 'signing_key.activated' ORDER BY seq DESC LIMIT 1`);
    expect(entries[0]!.actor_label).toBe('kanri@example.test');
    expect(entries[0]!.before.fingerprint).toBe(oldFingerprint);
    expect(entries[0]!.before.retiredAt).toBe(retired.retiredAt);
    expect(entries[0]!.after.fingerprint).toBe(rotated.fingerprint);

    // A restart keeps the rotated key: nothing new is activated.
    const databaseOf = t;
    await t.close();
    t = await TestApp.start({ ...NO_KEY_FILES, DATA_DIR: dataDir }, { restartOf: databaseOf });
    expect((await wellKnown(t)).keys).toEqual(doc.keys);
  });

  it('is refused to executives, auditors and task-force members (FORBIDDEN) and without a sign-in (UNAUTHENTICATED); nothing changes', async () => {
    const dataDir = tempDir();
    t = await TestApp.start({ ...NO_KEY_FILES, DATA_DIR: dataDir });
    const before = await wellKnown(t);
    for (const role of ['EXECUTIVE', 'AUDITOR', 'TASK_FORCE'] as const) {
      const user = await t.createUser([role]);
      expect(errorCode(await t.gql(ROTATE, { purpose: 'BUNDLE' }, await user.token()))).toBe('FORBIDDEN');
    }
    expect(errorCode(await t.gql(ROTATE, { purpose: 'BUNDLE' }))).toBe('UNAUTHENTICATED');
    expect((await wellKnown(t)).keys).toEqual(before.keys);
    expect(fs.readdirSync(path.join(dataDir, 'keys')).sort()).toEqual(['bundle.pem', 'trail.pem']);
  });

  it('signingKeys: any signed-in user reads it; without a sign-in it is UNAUTHENTICATED (the well-known address is the public one)', async () => {
    t = await TestApp.start({ ...NO_KEY_FILES, DATA_DIR: tempDir(), PROOF_ORIGIN: 'tracker.example.co.jp' });
    const member = await t.createUser(['TASK_FORCE']);
    const res = await t.gql<{ signingKeys: { format: string; origin: string; keys: { purpose: string; name: string }[] } }>(
      KEYS,
      {},
      await member.token(),
    );
    expect(res.data!.signingKeys.format).toBe('remediation-tracker-keys/v1');
    expect(res.data!.signingKeys.keys.map((k) => [k.purpose, k.name])).toEqual([
      ['TRAIL', 'tracker.example.co.jp/trail'],
      ['BUNDLE', 'tracker.example.co.jp/bundles'],
    ]);
    expect(errorCode(await t.gql(KEYS))).toBe('UNAUTHENTICATED');
  });
});

describe('keys named by the settings', () => {
  it('rotateSigningKey is CONFLICT, saying how: a new key file and a restart, after which the old key is RETIRED and still verifies', async () => {
    const dir = tempDir();
    const trailFile = ed25519KeyFile(dir, 'trail-2026.pem');
    const bundleFile = ed25519KeyFile(dir, 'bundle-2026.pem');
    t = await TestApp.start({ DATA_DIR: tempDir(), TRAIL_SIGNING_KEY_FILE: trailFile, BUNDLE_SIGNING_KEY_FILE: bundleFile });
    const admin = await t.createUser(['ADMIN']);
    const refused = await t.gql(ROTATE, { purpose: 'TRAIL' }, await admin.token());
    expect(errorCode(refused)).toBe('CONFLICT');
    expect(refused.errors![0]!.message).toMatch(/TRAIL_SIGNING_KEY_FILE.*new.*restart/);
    const signedBefore = await t.app.get(SigningKeysService).sign('trail', MESSAGE);

    // The operator's rotation: a new file, the setting pointed at it, a restart.
    const newTrailFile = ed25519KeyFile(dir, 'trail-2027.pem');
    const databaseOf = t;
    await t.close();
    t = await TestApp.start(
      { DATA_DIR: tempDir(), TRAIL_SIGNING_KEY_FILE: newTrailFile, BUNDLE_SIGNING_KEY_FILE: bundleFile },
      { restartOf: databaseOf },
    );
    const trailKeys = (await wellKnown(t)).keys.filter((k) => k.purpose === 'trail');
    expect(trailKeys.map((k) => k.status)).toEqual(['ACTIVE', 'RETIRED']);
    expect(trailKeys[1]!.fingerprint).toBe(signedBefore.key.fingerprint);
    expect(trailKeys[1]!.retiredAt).toBe(trailKeys[0]!.activatedAt);
    expect(verifies(trailKeys[1]!.publicKeyPem, signedBefore.signature)).toBe(true);
    const activations = await t.sql<{ actor_label: string }>(
      `SELECT actor_label FROM audit_trail WHERE action = 'signing_key.activated' ORDER BY seq`,
    );
    expect(activations.map((a) => a.actor_label)).toEqual(['system:startup', 'system:startup', 'system:startup']);

    // The retired key never comes back: pointing the setting at the old file again stops the start.
    const againOf = t;
    await t.close();
    t = undefined;
    const err = await TestApp.start(
      { DATA_DIR: tempDir(), TRAIL_SIGNING_KEY_FILE: trailFile, BUNDLE_SIGNING_KEY_FILE: bundleFile },
      { restartOf: againOf },
    ).then(
      (app) => {
        t = app;
        throw new Error('started with a retired key');
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigValidationError);
    expect((err as Error).message).toMatch(
      /TRAIL_SIGNING_KEY_FILE: the trail signing key SHA256:[0-9a-f]{64} was retired on .*never signs again/,
    );
  });
});
