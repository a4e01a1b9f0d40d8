import { createPrivateKey, createPublicKey, generateKeyPairSync, hash, sign, verify, type KeyObject } from 'node:crypto';
import { ed25519PublicKeyPem } from '../keys';
import type { Platform } from '../platform';

/** The PEM of a raw Ed25519 public key: the isomorphic one of @app/proofs, also here for Node code. */
export { ed25519PublicKeyPem };

/**
 * The Node platform of @app/proofs (server and offline CLI): SHA-256 and
 * Ed25519 from node:crypto. Import it as `@app/proofs/node`; the browser
 * verifier has its own (WebCrypto + @noble/hashes).
 */

export function sha256(data: Uint8Array): Uint8Array {
  // crypto.hash: one call, no Hash object; about twice as fast as createHash on the tree's 33- and 65-byte inputs.
  return new Uint8Array(hash('sha256', data, 'buffer'));
}

/** The DER prefix of an Ed25519 PKCS#8 private key; the 32-byte seed follows. */
const PKCS8_PREFIX = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);

/** A node:crypto public key from the raw 32 bytes. */
export function ed25519PublicKeyFromRaw(raw: Uint8Array): KeyObject {
  return createPublicKey(ed25519PublicKeyPem(raw));
}

/** A node:crypto private key from the raw 32-byte seed. */
export function ed25519PrivateKeyFromSeed(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw new Error('an Ed25519 seed is 32 bytes');
  const der = new Uint8Array(PKCS8_PREFIX.length + 32);
  der.set(PKCS8_PREFIX);
  der.set(seed, PKCS8_PREFIX.length);
  return createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
}

/** The raw 32 bytes of an Ed25519 public key (from a public or private KeyObject, or PEM text). */
export function rawEd25519PublicKey(key: KeyObject | string): Uint8Array {
  const keyObject = typeof key === 'string' ? createPublicKey(key) : key.type === 'private' ? createPublicKey(key) : key;
  if (keyObject.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 key');
  const der = new Uint8Array(keyObject.export({ format: 'der', type: 'spki' }));
  return der.slice(der.length - 32);
}

/** Reads a PKCS#8 PEM Ed25519 private key. */
export function ed25519PrivateKeyFromPem(pem: string): KeyObject {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 private key');
  return key;
}

export function ed25519Sign(privateKey: KeyObject, message: Uint8Array): Uint8Array {
  return new Uint8Array(sign(null, message, privateKey));
}

export function ed25519Verify(rawPublicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verify(null, message, ed25519PublicKeyFromRaw(rawPublicKey), signature);
  } catch {
    return false;
  }
}

/** A fresh Ed25519 key pair (tests, first start). */
export function generateEd25519(): { privateKey: KeyObject; publicKey: Uint8Array; privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey,
    publicKey: rawEd25519PublicKey(publicKey),
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}

export const nodePlatform: Platform = {
  sha256,
  verifyEd25519: (publicKey, message, signature) => Promise.resolve(ed25519Verify(publicKey, message, signature)),
};
