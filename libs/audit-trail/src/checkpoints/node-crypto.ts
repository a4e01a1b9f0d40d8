import { createPublicKey, hash, verify } from 'node:crypto';

/**
 * Synchronous SHA-256, as @app/proofs' Merkle and note functions take it.
 * crypto.hash (one shot) is about twice as fast as createHash for these 33- and
 * 65-byte inputs: a tree of n leaves takes 2n of them.
 */
export function sha256(data: Uint8Array): Uint8Array {
  return hash('sha256', data, 'buffer');
}

/** The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410); the 32 raw bytes follow. */
const SPKI_PREFIX = Buffer.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]);

/** Ed25519 verification with a raw 32-byte public key; false (never a throw) for a malformed key or signature. */
export function ed25519Verify(rawPublicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (rawPublicKey.length !== 32 || signature.length !== 64) return false;
  try {
    const key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, rawPublicKey]), format: 'der', type: 'spki' });
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}
