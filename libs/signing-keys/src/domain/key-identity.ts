import { createHash } from 'node:crypto';

/** What each of the tracker's two Ed25519 keys signs: trail checkpoints, or evidence bundles. */
export type SigningKeyPurpose = 'trail' | 'bundle';
export const SIGNING_KEY_PURPOSES: readonly SigningKeyPurpose[] = ['trail', 'bundle'];

export function isSigningKeyPurpose(value: unknown): value is SigningKeyPurpose {
  return value === 'trail' || value === 'bundle';
}

/** The C2SP signed-note key name: `<PROOF_ORIGIN>/trail` and `<PROOF_ORIGIN>/bundles` (docs/proofs.md, "Keys"). */
export function keyName(origin: string, purpose: SigningKeyPurpose): string {
  return `${origin}/${purpose === 'trail' ? 'trail' : 'bundles'}`;
}

/** The signed-note signature type of Ed25519. */
const ED25519_ALG = 0x01;

/** C2SP note key id: the first 4 bytes of SHA-256(name || 0x0A || 0x01 || raw public key), as 8 hex characters. */
export function noteKeyIdHex(name: string, rawPublicKey: Uint8Array): string {
  const h = createHash('sha256');
  h.update(Buffer.from(name, 'utf8'));
  h.update(Uint8Array.of(0x0a, ED25519_ALG));
  h.update(rawPublicKey);
  return h.digest().subarray(0, 4).toString('hex');
}

/** `SHA256:` + lowercase hex of SHA-256 of the raw 32-byte public key: what an auditor pins. */
export function fingerprintOf(rawPublicKey: Uint8Array): string {
  return `SHA256:${createHash('sha256').update(rawPublicKey).digest('hex')}`;
}

/** C2SP verifier key: `<name>+<key id hex>+<base64(0x01 || raw public key)>`. */
export function verifierKey(name: string, rawPublicKey: Uint8Array): string {
  const material = Buffer.concat([Uint8Array.of(ED25519_ALG), rawPublicKey]);
  return `${name}+${noteKeyIdHex(name, rawPublicKey)}+${material.toString('base64')}`;
}
