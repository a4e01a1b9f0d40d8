import { bytesEqual, concatBytes, fromBase64, toBase64 } from './encoding';
import type { Sha256 } from './merkle';
import { fingerprint, noteKeyId, vkey } from './note';

/** The keys document (docs/proofs.md, "Keys") and how the verifier decides which keys it trusts. */

export const KEYS_FORMAT = 'remediation-tracker-keys/v1';

export type KeyPurpose = 'trail' | 'bundle';

export interface KeysDocumentKey {
  purpose: KeyPurpose;
  name: string;
  algorithm: 'Ed25519';
  keyId: string;
  fingerprint: string;
  publicKey: string;
  vkey: string;
  publicKeyPem: string;
  status: 'ACTIVE' | 'RETIRED';
  activatedAt: string;
  retiredAt: string | null;
}

export interface KeysDocument {
  format: typeof KEYS_FORMAT;
  origin: string;
  keys: KeysDocumentKey[];
}

/** The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410); the 32 raw bytes follow. */
const SPKI_PREFIX = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]);

/** `-----BEGIN PUBLIC KEY-----` PEM of a raw Ed25519 public key (what node:crypto exports). */
export function ed25519PublicKeyPem(raw: Uint8Array): string {
  if (raw.length !== 32) throw new Error('an Ed25519 public key is 32 bytes');
  const b64 = toBase64(concatBytes(SPKI_PREFIX, raw));
  return `-----BEGIN PUBLIC KEY-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END PUBLIC KEY-----\n`;
}

/** The raw 32 bytes of an Ed25519 `PUBLIC KEY` PEM (throws for anything else). */
export function rawPublicKeyFromPem(pem: string): Uint8Array {
  const m = /-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\s]+)-----END PUBLIC KEY-----/.exec(pem);
  if (!m) throw new Error('not a PEM public key (-----BEGIN PUBLIC KEY-----)');
  const der = fromBase64(m[1].replace(/\s+/g, ''));
  if (der.length !== 44 || !bytesEqual(der.slice(0, 12), SPKI_PREFIX)) throw new Error('not an Ed25519 public key');
  return der.slice(12);
}

export interface KeyFacts {
  purpose: KeyPurpose;
  name: string;
  publicKey: Uint8Array;
  status: 'ACTIVE' | 'RETIRED';
  activatedAt: string;
  retiredAt: string | null;
}

/** One key of the keys document, every derived field computed here. */
export function keysDocumentKey(sha: Sha256, k: KeyFacts): KeysDocumentKey {
  return {
    purpose: k.purpose,
    name: k.name,
    algorithm: 'Ed25519',
    keyId: noteKeyId(sha, k.name, k.publicKey),
    fingerprint: fingerprint(sha, k.publicKey),
    publicKey: toBase64(k.publicKey),
    vkey: vkey(sha, k.name, k.publicKey),
    publicKeyPem: ed25519PublicKeyPem(k.publicKey),
    status: k.status,
    activatedAt: k.activatedAt,
    retiredAt: k.retiredAt,
  };
}

export function keysDocument(origin: string, keys: KeysDocumentKey[]): KeysDocument {
  return { format: KEYS_FORMAT, origin, keys };
}

/**
 * Parses a keys document and checks every key's derived fields (key id,
 * fingerprint, vkey, PEM) against its public key: a document that lies about
 * one of them is refused whole.
 */
export function parseKeysDocument(sha: Sha256, text: string): KeysDocument {
  const doc = JSON.parse(text) as Partial<KeysDocument>;
  if (!doc || doc.format !== KEYS_FORMAT || !Array.isArray(doc.keys)) throw new Error(`not a keys document (${KEYS_FORMAT})`);
  for (const k of doc.keys) {
    if (!k || (k.purpose !== 'trail' && k.purpose !== 'bundle') || typeof k.name !== 'string' || typeof k.publicKey !== 'string') {
      throw new Error('a key of the keys document lacks its purpose, name or public key');
    }
    const raw = fromBase64(k.publicKey);
    const expected = keysDocumentKey(sha, { ...k, publicKey: raw });
    for (const field of ['keyId', 'fingerprint', 'vkey'] as const) {
      if (k[field] !== expected[field]) throw new Error(`keys document: the ${field} of ${k.name} does not match its public key`);
    }
    if (k.publicKeyPem !== undefined && !bytesEqual(rawPublicKeyFromPem(k.publicKeyPem), raw)) {
      throw new Error(`keys document: the PEM of ${k.name} is another key`);
    }
  }
  return doc as KeysDocument;
}

export const FINGERPRINT_PATTERN = /^SHA256:[0-9a-fA-F]{64}$/;

/** How the auditor pins a key: a fingerprint, a keys document (text), or a PEM public key (text). */
export type KeyPin = { kind: 'fingerprint'; fingerprint: string } | { kind: 'keys'; text: string } | { kind: 'pem'; text: string };

/** A pin from a command-line value: a fingerprint as is, otherwise the text of the named file. */
export function keyPinFromText(text: string): KeyPin {
  const t = text.trim();
  if (FINGERPRINT_PATTERN.test(t)) return { kind: 'fingerprint', fingerprint: `SHA256:${t.slice(7).toLowerCase()}` };
  if (t.startsWith('{')) return { kind: 'keys', text };
  if (t.includes('-----BEGIN PUBLIC KEY-----')) return { kind: 'pem', text };
  throw new Error('a key is a SHA256:<hex> fingerprint, a keys document (JSON) or a PEM public key');
}

export interface TrustedKey {
  purpose: KeyPurpose;
  /** The note key name, when known (from a keys document). */
  name: string | null;
  publicKey: Uint8Array;
  fingerprint: string;
  /** How it came to be trusted, for the report. */
  via: 'fingerprint' | 'keys-file' | 'pem' | 'bundle-keys';
}

/**
 * The keys a pin trusts. A fingerprint trusts the key of the bundle's
 * keys.json with that fingerprint (none if absent); a keys document trusts all
 * of its keys; a PEM trusts its key (without a name: keys.json is not asked). A
 * fingerprint's or a PEM's purpose is `purpose`, the flag's (--key: bundle,
 * --trail-key: trail), never what the unsigned keys.json says of it.
 */
export function resolveKeyPin(sha: Sha256, pin: KeyPin, purpose: KeyPurpose, bundleKeys: KeysDocument | null): TrustedKey[] {
  const fromDoc = (k: KeysDocumentKey, via: TrustedKey['via']): TrustedKey => ({
    purpose: k.purpose,
    name: k.name,
    publicKey: fromBase64(k.publicKey),
    fingerprint: k.fingerprint,
    via,
  });
  switch (pin.kind) {
    case 'fingerprint':
      return (bundleKeys?.keys ?? [])
        .filter((k) => k.fingerprint === pin.fingerprint)
        .map((k) => ({ ...fromDoc(k, 'fingerprint'), purpose }));
    case 'keys':
      return parseKeysDocument(sha, pin.text).keys.map((k) => fromDoc(k, 'keys-file'));
    case 'pem': {
      const raw = rawPublicKeyFromPem(pin.text);
      // No name either: keys.json's could be another (a line by any name is checked by its key id).
      return [{ purpose, name: null, publicKey: raw, fingerprint: fingerprint(sha, raw), via: 'pem' }];
    }
  }
}
