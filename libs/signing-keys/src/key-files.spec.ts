import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigValidationError } from '@app/common';
import { fingerprintOf } from './domain/key-identity';
import { loadOrCreateManagedKey, managedKeyFile, readKeyFile, retiredKeyFile, rotateManagedKeyFile } from './key-files';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-key-files-'));
  dirs.push(d);
  return d;
}

function refusalOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigValidationError);
    return (err as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('key files', () => {
  it('makes a managed key once and reads the same key afterwards (never overwrites it)', () => {
    const dataDir = tempDir();
    const first = loadOrCreateManagedKey(dataDir, 'trail');
    expect(first.generated).toBe(true);
    const pem = fs.readFileSync(managedKeyFile(dataDir, 'trail'), 'utf8');
    const again = loadOrCreateManagedKey(dataDir, 'trail');
    expect(again.generated).toBe(false);
    expect(fingerprintOf(again.rawPublicKey)).toBe(fingerprintOf(first.rawPublicKey));
    expect(fs.readFileSync(managedKeyFile(dataDir, 'trail'), 'utf8')).toBe(pem);
    // No temporary file is left beside it.
    expect(fs.readdirSync(path.join(dataDir, 'keys'))).toEqual(['trail.pem']);
  });

  it.each([
    [
      'a public key',
      () => generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' }) as string,
      /not a PKCS#8 PEM private key/,
    ],
    [
      'an encrypted key',
      () =>
        generateKeyPairSync('ed25519').privateKey.export({
          format: 'pem',
          type: 'pkcs8',
          cipher: 'aes-256-cbc',
          passphrase: 'himitsu',
        }) as string,
      /not a PKCS#8 PEM private key/,
    ],
    [
      'an EC P-256 key',
      () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
      /key of type ec, not Ed25519/,
    ],
    [
      'text that is no key',
      () => '-----BEGIN PRIVATE KEY-----\nこれは鍵ではありません\n-----END PRIVATE KEY-----\n',
      /could not be read as a private key/,
    ],
  ])('refuses %s, naming the setting and the file', (_, pem, problem) => {
    const file = path.join(tempDir(), 'key.pem');
    fs.writeFileSync(file, pem());
    const message = refusalOf(() => readKeyFile('bundle', file, 'BUNDLE_SIGNING_KEY_FILE', false));
    expect(message).toContain(`BUNDLE_SIGNING_KEY_FILE: ${file}`);
    expect(message).toMatch(problem);
  });

  it('refuses a missing file, naming the setting', () => {
    expect(refusalOf(() => readKeyFile('trail', '/nonexistent/trail.pem', 'TRAIL_SIGNING_KEY_FILE', false))).toMatch(
      /TRAIL_SIGNING_KEY_FILE: cannot read the key file \/nonexistent\/trail\.pem \(ENOENT\)/,
    );
  });

  it('rotation keeps the old key as <purpose>-<fingerprint-16>.retired.pem and puts a new one in place; undo restores the old', () => {
    const dataDir = tempDir();
    const old = loadOrCreateManagedKey(dataDir, 'bundle');
    const oldFingerprint = fingerprintOf(old.rawPublicKey);
    const oldPem = fs.readFileSync(managedKeyFile(dataDir, 'bundle'), 'utf8');
    const { next, retiredFile, undo } = rotateManagedKeyFile(dataDir, old, oldFingerprint);
    expect(retiredFile).toBe(retiredKeyFile(dataDir, 'bundle', oldFingerprint));
    expect(path.basename(retiredFile)).toBe(`bundle-${oldFingerprint.slice(7, 23)}.retired.pem`);
    expect(fs.readFileSync(retiredFile, 'utf8')).toBe(oldPem);
    expect(fs.statSync(retiredFile).mode & 0o777).toBe(0o600);
    expect(fs.statSync(managedKeyFile(dataDir, 'bundle')).mode & 0o777).toBe(0o600);
    expect(fingerprintOf(next.rawPublicKey)).not.toBe(oldFingerprint);
    expect(fingerprintOf(loadOrCreateManagedKey(dataDir, 'bundle').rawPublicKey)).toBe(fingerprintOf(next.rawPublicKey));

    undo();
    expect(fs.readFileSync(managedKeyFile(dataDir, 'bundle'), 'utf8')).toBe(oldPem);
    expect(fs.readdirSync(path.join(dataDir, 'keys'))).toEqual(['bundle.pem']);
  });
});
