import { fingerprint, noteKeyId, vkey, type KeyPurpose } from '@app/proofs';
import { sha256 } from '@app/proofs/node';

/** What each of the tracker's two Ed25519 keys signs: trail checkpoints, or evidence bundles. */
export type SigningKeyPurpose = KeyPurpose;
export const SIGNING_KEY_PURPOSES: readonly SigningKeyPurpose[] = ['trail', 'bundle'];

export function isSigningKeyPurpose(value: unknown): value is SigningKeyPurpose {
  return value === 'trail' || value === 'bundle';
}

/** The C2SP signed-note key name: `<PROOF_ORIGIN>/trail` and `<PROOF_ORIGIN>/bundles` (docs/proofs.md, "Keys"). */
export function keyName(origin: string, purpose: SigningKeyPurpose): string {
  return `${origin}/${purpose === 'trail' ? 'trail' : 'bundles'}`;
}

/** C2SP note key id: the first 4 bytes of SHA-256(name || 0x0A || 0x01 || raw public key), as 8 hex characters (@app/proofs). */
export function noteKeyIdHex(name: string, rawPublicKey: Uint8Array): string {
  return noteKeyId(sha256, name, rawPublicKey);
}

/** `SHA256:` + lowercase hex of SHA-256 of the raw 32-byte public key: what an auditor pins (@app/proofs). */
export function fingerprintOf(rawPublicKey: Uint8Array): string {
  return fingerprint(sha256, rawPublicKey);
}

/** C2SP verifier key: `<name>+<key id hex>+<base64(0x01 || raw public key)>` (@app/proofs). */
export function verifierKey(name: string, rawPublicKey: Uint8Array): string {
  return vkey(sha256, name, rawPublicKey);
}
