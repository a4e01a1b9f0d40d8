/**
 * What the checkpoints need of the tracker's signing keys (@app/signing-keys'
 * SigningKeysService has this shape). A port rather than an import:
 * signing-keys records its key changes in the audit trail, so the trail
 * cannot import it back. The apps bind it with
 * `TrailCheckpointsModule.register({ imports: [SigningKeysModule], keyring: SigningKeysService })`.
 */
export abstract class TrailKeyring {
  /** Ed25519 signature of `message` by the active trail key, with that key's note name and id. */
  abstract sign(purpose: 'trail', message: Uint8Array): Promise<{ signature: Uint8Array; key: { name: string; keyId: string } }>;

  /** Every key ever registered (active and retired), public halves only. */
  abstract keysDocument(): Promise<{ keys: readonly TrailKeyringKey[] }>;
}

export interface TrailKeyringKey {
  purpose: string;
  /** The note key name, `<PROOF_ORIGIN>/trail` for the trail key. */
  name: string;
  keyId: string;
  /** The raw 32-byte public key, standard base64. */
  publicKey: string;
  status: 'ACTIVE' | 'RETIRED';
}
