import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigValidationError } from '@app/common';
import { rawEd25519PublicKey } from '@app/proofs/node';
import type { SigningKeyPurpose } from './domain/key-identity';

/** The setting that names each purpose's key file (production requires both). */
export const KEY_FILE_SETTING = {
  trail: 'TRAIL_SIGNING_KEY_FILE',
  bundle: 'BUNDLE_SIGNING_KEY_FILE',
} as const satisfies Record<SigningKeyPurpose, string>;

/** One private key in memory (never logged, never stored in the database), and where it came from. */
export interface LoadedKey {
  purpose: SigningKeyPurpose;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The raw 32-byte Ed25519 public key. */
  rawPublicKey: Uint8Array;
  /** The file it was read from. */
  file: string;
  /** true: under DATA_DIR/keys, made and rotated by the tracker; false: named by a setting (the operator's). */
  managed: boolean;
  /** true when this start made it. */
  generated: boolean;
}

/** The directory of the keys the tracker makes itself (DATA_DIR/keys). */
export function managedKeyDir(dataDir: string): string {
  return path.resolve(dataDir, 'keys');
}

/** DATA_DIR/keys/trail.pem, DATA_DIR/keys/bundle.pem. */
export function managedKeyFile(dataDir: string, purpose: SigningKeyPurpose): string {
  return path.join(managedKeyDir(dataDir), `${purpose}.pem`);
}

/** Where a rotated managed key is kept: `<purpose>-<first 16 hex of its fingerprint>.retired.pem`. */
export function retiredKeyFile(dataDir: string, purpose: SigningKeyPurpose, fingerprint: string): string {
  return path.join(managedKeyDir(dataDir), `${purpose}-${fingerprint.replace(/^SHA256:/, '').slice(0, 16)}.retired.pem`);
}

/** A refusal that names the setting, printed by the server as a configuration problem. */
function refused(setting: string, problem: string): ConfigValidationError {
  return new ConfigValidationError([`${setting}: ${problem}`]);
}

/**
 * Reads an Ed25519 private key (PKCS#8 PEM) from `file`; anything else is
 * refused with a message that names `setting` and the file, never the key.
 */
export function readKeyFile(purpose: SigningKeyPurpose, file: string, setting: string, managed: boolean): LoadedKey {
  let pem: string;
  try {
    pem = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw refused(setting, `cannot read the key file ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const hint =
    'it must be an unencrypted Ed25519 private key in PKCS#8 PEM (make one with: openssl genpkey -algorithm ed25519 -out key.pem)';
  if (!/-----BEGIN PRIVATE KEY-----/.test(pem)) {
    throw refused(setting, `${file} is not a PKCS#8 PEM private key ("-----BEGIN PRIVATE KEY-----"); ${hint}`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw refused(setting, `${file} could not be read as a private key; ${hint}`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw refused(setting, `${file} holds a key of type ${privateKey.asymmetricKeyType ?? 'unknown'}, not Ed25519; ${hint}`);
  }
  const publicKey = createPublicKey(privateKey);
  return { purpose, privateKey, publicKey, rawPublicKey: rawEd25519PublicKey(publicKey), file, managed, generated: false };
}

function ensureKeyDir(dataDir: string): string {
  const dir = managedKeyDir(dataDir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

function newKeyPem(): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  return privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
}

/** A temporary file beside `file`, written whole (mode 600, flag wx), for a link or a rename into place. */
function writeTemp(file: string, pem: string): string {
  const temp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(temp, pem, { mode: 0o600, flag: 'wx' });
  return temp;
}

/**
 * The managed key of `purpose`: read when it exists, otherwise made now. The
 * new key is written whole to a temporary file (mode 600, flag wx) and then
 * linked into place, which fails if the file exists: two processes starting at
 * once never overwrite each other, and neither reads a half-written file; the
 * one that loses reads the winner's key.
 */
export function loadOrCreateManagedKey(dataDir: string, purpose: SigningKeyPurpose): LoadedKey {
  const file = managedKeyFile(dataDir, purpose);
  const where = `${file} (no ${KEY_FILE_SETTING[purpose]} set, so the tracker keeps its own key under DATA_DIR/keys)`;
  if (fs.existsSync(file)) return readKeyFile(purpose, file, where, true);
  ensureKeyDir(dataDir);
  const temp = writeTemp(file, newKeyPem());
  let generated = true;
  try {
    fs.linkSync(temp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    generated = false; // another process made it first
  } finally {
    fs.rmSync(temp, { force: true });
  }
  return { ...readKeyFile(purpose, file, where, true), generated };
}

/**
 * Rotation of a managed key on disk: the current file is kept as
 * `<purpose>-<fingerprint-hex-16>.retired.pem` (linked, never overwriting one
 * that exists), then a new key replaces `<purpose>.pem` atomically (rename).
 * Returns the new key and a function that puts the old key back (if the
 * registration that follows fails).
 */
export function rotateManagedKeyFile(
  dataDir: string,
  current: LoadedKey,
  currentFingerprint: string,
): { next: LoadedKey; retiredFile: string; undo: () => void } {
  const file = managedKeyFile(dataDir, current.purpose);
  const retiredFile = retiredKeyFile(dataDir, current.purpose, currentFingerprint);
  const oldPem = current.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  ensureKeyDir(dataDir);
  // Keep the old key first, from memory (the file on disk may have been changed by hand), never over another file.
  const keptTemp = writeTemp(retiredFile, oldPem);
  let keptNow = true;
  try {
    fs.linkSync(keptTemp, retiredFile);
  } catch (err) {
    keptNow = false;
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || fs.readFileSync(retiredFile, 'utf8') !== oldPem) throw err;
  } finally {
    fs.rmSync(keptTemp, { force: true });
  }
  const temp = writeTemp(file, newKeyPem());
  fs.renameSync(temp, file);
  const where = `${file} (the tracker's own key under DATA_DIR/keys)`;
  const next = { ...readKeyFile(current.purpose, file, where, true), generated: true };
  const undo = () => {
    fs.renameSync(writeTemp(file, oldPem), file);
    if (keptNow) fs.rmSync(retiredFile, { force: true });
  };
  return { next, retiredFile, undo };
}
