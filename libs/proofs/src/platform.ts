import type { Sha256 } from './merkle';

/** What the verifier needs from its host: synchronous SHA-256 and Ed25519 verification. */
export interface Platform {
  sha256: Sha256;
  verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
}
