import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Actor, ConfigValidationError } from '@app/common';
import { fingerprintOf, SigningKeysService, type KeysDocument } from '@app/signing-keys';
import { parseKeysDocument } from '@app/proofs';
import { sha256 } from '@app/proofs/node';
import { TestApp } from '../support/test-app';

/**
 * The tracker's signing keys (docs/proofs.md, "Keys"): made on first start
 * under DATA_DIR/keys and kept, or read from the files the settings name;
 * their public halves served to anyone at the well-known address.
 */

const NO_KEY_FILES = { TRAIL_SIGNING_KEY_FILE: '', BUNDLE_SIGNING_KEY_FILE: '' };

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

/** An Ed25519 private key in PKCS#8 PEM, written to `dir/name`; returns its path and fingerprint. */
function ed25519KeyFile(dir: string, name: string): { file: string; fingerprint: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const file = path.join(dir, name);
  fs.writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  return { file, fingerprint: fingerprintOfPublic(publicKey.export({ format: 'jwk' }).x!) };
}

function fingerprintOfPublic(base64url: string): string {
  return fingerprintOf(new Uint8Array(Buffer.from(base64url, 'base64url')));
}

/** The fingerprint of the private key in a PEM file, computed here, not by the tracker. */
function fingerprintOfFile(file: string): string {
  return fingerprintOfPublic(createPublicKey(fs.readFileSync(file, 'utf8')).export({ format: 'jwk' }).x!);
}

/** Starts an app that must refuse to start, and returns why. */
async function startRefused(env: Record<string, string>, restartOf?: TestApp): Promise<Error> {
  return TestApp.start(env, { restartOf }).then(
    (app) => {
      t = app;
      throw new Error(`started with ${JSON.stringify(env)}`);
    },
    (e: unknown) => e as Error,
  );
}

async function keysDocument(app: TestApp): Promise<{ status: number; headers: Headers; body: KeysDocument }> {
  const res = await fetch(`${app.baseUrl}/.well-known/remediation-tracker/keys`);
  return { status: res.status, headers: res.headers, body: (await res.json()) as KeysDocument };
}

describe('signing keys kept by the tracker under DATA_DIR/keys', () => {
  it('are made on first start (directory 700, files 600) and the same keys are used on the next start', async () => {
    const dataDir = tempDir();
    t = await TestApp.start({ ...NO_KEY_FILES, DATA_DIR: dataDir, PROOF_ORIGIN: 'tracker.example.co.jp' });
    const keyDir = path.join(dataDir, 'keys');
    expect(fs.statSync(keyDir).mode & 0o777).toBe(0o700);
    for (const f of ['trail.pem', 'bundle.pem']) {
      expect(fs.statSync(path.join(keyDir, f)).mode & 0o777).toBe(0o600);
      expect(fs.readFileSync(path.join(keyDir, f), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    }
    const first = await keysDocument(t);
    expect(first.status).toBe(200);
    const trail = first.body.keys.find((k) => k.purpose === 'trail')!;
    const bundle = first.body.keys.find((k) => k.purpose === 'bundle')!;
    expect(trail.fingerprint).toBe(fingerprintOfFile(path.join(keyDir, 'trail.pem')));
    expect(bundle.fingerprint).toBe(fingerprintOfFile(path.join(keyDir, 'bundle.pem')));
    expect(trail.name).toBe('tracker.example.co.jp/trail');
    expect(bundle.name).toBe('tracker.example.co.jp/bundles');

    const databaseOf = t;
    await t.close();
    t = await TestApp.start({ ...NO_KEY_FILES, DATA_DIR: dataDir, PROOF_ORIGIN: 'tracker.example.co.jp' }, { restartOf: databaseOf });
    const second = await keysDocument(t);
    // The same two keys, still active, nothing retired: a restart is not a rotation.
    expect(second.body.keys).toEqual(first.body.keys);
    const activations = await t.sql(`SELECT count(*)::int AS n FROM audit_trail WHERE action = 'signing_key.activated'`);
    expect(activations[0]!.n).toBe(2);
  });

  it('two registrations at once (two processes starting on one database) leave one active key per purpose', async () => {
    const dataDir = tempDir();
    t = await TestApp.start({ ...NO_KEY_FILES, DATA_DIR: dataDir });
    await t.sql(`DELETE FROM signing_keys`);
    const service = t.app.get(SigningKeysService) as unknown as { registerAll(actor: Actor): Promise<void> };
    // What each process's start runs (ensureRegistered runs it once per process): here twice at once.
    await Promise.all([service.registerAll(Actor.system('startup')), service.registerAll(Actor.system('startup'))]);
    const rows = await t.sql<{ purpose: string; active: number }>(
      `SELECT purpose, count(*)::int AS active FROM signing_keys WHERE retired_at IS NULL GROUP BY purpose ORDER BY purpose`,
    );
    expect(rows).toEqual([
      { purpose: 'bundle', active: 1 },
      { purpose: 'trail', active: 1 },
    ]);
    expect((await t.sql(`SELECT count(*)::int AS n FROM signing_keys`))[0]!.n).toBe(2);
  });
});

describe('signing keys named by the settings', () => {
  it('uses the key files as given, and the well-known route lists them without a sign-in', async () => {
    const dir = tempDir();
    const trail = ed25519KeyFile(dir, 'trail-key.pem');
    const bundle = ed25519KeyFile(dir, 'bundle-key.pem');
    const dataDir = tempDir();
    t = await TestApp.start({ DATA_DIR: dataDir, TRAIL_SIGNING_KEY_FILE: trail.file, BUNDLE_SIGNING_KEY_FILE: bundle.file });
    expect(fs.existsSync(path.join(dataDir, 'keys'))).toBe(false);

    const { status, headers, body } = await keysDocument(t);
    expect(status).toBe(200);
    expect(headers.get('content-type')).toMatch(/^application\/json/);
    expect(headers.get('cache-control')).toMatch(/max-age=\d+/);
    expect(body.format).toBe('remediation-tracker-keys/v1');
    expect(body.keys.map((k) => [k.purpose, k.status, k.fingerprint, k.retiredAt])).toEqual([
      ['trail', 'ACTIVE', trail.fingerprint, null],
      ['bundle', 'ACTIVE', bundle.fingerprint, null],
    ]);
    for (const k of body.keys) {
      expect(k.algorithm).toBe('Ed25519');
      expect(k.keyId).toMatch(/^[0-9a-f]{8}$/);
      expect(Buffer.from(k.publicKey, 'base64')).toHaveLength(32);
      expect(k.vkey).toBe(`${k.name}+${k.keyId}+${Buffer.concat([Buffer.of(1), Buffer.from(k.publicKey, 'base64')]).toString('base64')}`);
      expect(fingerprintOfPublic(createPublicKey(k.publicKeyPem).export({ format: 'jwk' }).x!)).toBe(k.fingerprint);
      expect(new Date(k.activatedAt).toISOString()).toBe(k.activatedAt);
    }
    // The offline verifier's own parser accepts it (it recomputes every key id, fingerprint, vkey and PEM).
    expect(parseKeysDocument(sha256, JSON.stringify(body))).toEqual(body);
    // What the tracker signs verifies under the listed public key; no private key is in the registry.
    const message = new TextEncoder().encode('監査証跡のチェックポイント');
    const signed = await t.app.get(SigningKeysService).sign('trail', message);
    expect(signed.key.fingerprint).toBe(trail.fingerprint);
    expect(verify(null, message, createPublicKey(body.keys[0]!.publicKeyPem), signed.signature)).toBe(true);
    const columns = await t.sql(`SELECT column_name FROM information_schema.columns WHERE table_name = 'signing_keys'`);
    expect(columns.map((c) => c.column_name).sort()).toEqual(
      ['activated_at', 'fingerprint', 'id', 'key_id', 'name', 'public_key', 'purpose', 'retired_at'].sort(),
    );
  });

  it('refuses to start on a key that is not Ed25519, naming the setting', async () => {
    const dir = tempDir();
    const rsa = path.join(dir, 'rsa.pem');
    fs.writeFileSync(rsa, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }));
    const bundle = ed25519KeyFile(dir, 'bundle.pem');
    const err = await TestApp.start({ DATA_DIR: tempDir(), TRAIL_SIGNING_KEY_FILE: rsa, BUNDLE_SIGNING_KEY_FILE: bundle.file }).then(
      (app) => {
        t = app;
        throw new Error('started with an RSA trail key');
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigValidationError);
    expect((err as Error).message).toContain('TRAIL_SIGNING_KEY_FILE');
    expect((err as Error).message).toContain('not Ed25519');
  });

  it('refuses one key for both purposes, and a new PROOF_ORIGIN on the old keys (a new origin needs new keys)', async () => {
    const dir = tempDir();
    const one = ed25519KeyFile(dir, 'one.pem');
    const same = await startRefused({ DATA_DIR: tempDir(), TRAIL_SIGNING_KEY_FILE: one.file, BUNDLE_SIGNING_KEY_FILE: one.file });
    expect(same.message).toMatch(/BUNDLE_SIGNING_KEY_FILE: holds the same key as TRAIL_SIGNING_KEY_FILE/);

    const dataDir = tempDir();
    t = await TestApp.start({ ...NO_KEY_FILES, DATA_DIR: dataDir, PROOF_ORIGIN: 'tracker.example.co.jp' });
    const databaseOf = t;
    await t.close();
    t = undefined;
    const moved = await startRefused({ ...NO_KEY_FILES, DATA_DIR: dataDir, PROOF_ORIGIN: 'kanri.example.co.jp' }, databaseOf);
    expect(moved.message).toMatch(/PROOF_ORIGIN: the active trail key SHA256:[0-9a-f]{64} signs as tracker\.example\.co\.jp\/trail/);
    expect(moved.message).toContain('a new origin needs new keys');

    // As the message says: the old key files moved away, the next start makes new keys under the new names.
    for (const f of ['trail.pem', 'bundle.pem']) fs.renameSync(path.join(dataDir, 'keys', f), path.join(dir, `old-${f}`));
    t = await TestApp.start({ ...NO_KEY_FILES, DATA_DIR: dataDir, PROOF_ORIGIN: 'kanri.example.co.jp' }, { restartOf: databaseOf });
    const doc = (await keysDocument(t)).body;
    expect(doc.keys.map((k) => [k.name, k.status])).toEqual([
      ['kanri.example.co.jp/trail', 'ACTIVE'],
      ['tracker.example.co.jp/trail', 'RETIRED'],
      ['kanri.example.co.jp/bundles', 'ACTIVE'],
      ['tracker.example.co.jp/bundles', 'RETIRED'],
    ]);
  });

  it('refuses a production start without the key files, naming both settings', async () => {
    const err = await TestApp.start({ ...NO_KEY_FILES, DATA_DIR: tempDir(), NODE_ENV: 'production' }).then(
      (app) => {
        t = app;
        throw new Error('started in production without key files');
      },
      (e: unknown) => e,
    );
    const message = (err as Error).message;
    expect(message).toMatch(/TRAIL_SIGNING_KEY_FILE.*required in production/);
    expect(message).toMatch(/BUNDLE_SIGNING_KEY_FILE.*required in production/);
  });
});
