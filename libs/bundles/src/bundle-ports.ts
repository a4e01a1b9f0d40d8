import type { Actor } from '@app/common';
import type { KeysDocument, TrailEntryRecord } from '@app/proofs';

/**
 * What building a bundle needs of the trail's checkpoints and of the signing
 * keys, as ports: bundle-adapters.ts binds them to @app/audit-trail and
 * @app/signing-keys (tests may bind others).
 */

/** One trail entry as the bundle writes it (every hashed field, and the hash): the verifier's own record type. */
export type BundleTrailEntry = TrailEntryRecord;

export interface BundleCheckpoint {
  size: number;
  /** Standard base64 of the Merkle root. */
  rootHash: string;
  /** The signed note: body, blank line, the tracker's signature line and every co-signature line. */
  text: string;
}

export interface BundleInclusionProof {
  seq: number;
  leafIndex: number;
  hashes: string[];
}

export interface BundleConsistencyProof {
  fromSize: number;
  fromRootHash: string;
  hashes: string[];
}

export abstract class BundleTrail {
  /** How many trail entries occurred at or before `asOf` (the seq of the last of them; 0 for none). */
  abstract sizeAt(asOf: Date): Promise<number>;
  /** The earliest stored checkpoint of at least `minSize` entries; one is made (reason BUNDLE) when none is. */
  abstract coveringCheckpoint(minSize: number, actor: Actor): Promise<BundleCheckpoint>;
  /** The entries about these entities with seq ≤ upToSeq, by seq. */
  abstract entriesFor(entityIds: readonly string[], upToSeq: number): Promise<BundleTrailEntry[]>;
  abstract inclusionProofs(seqs: readonly number[], treeSize: number): Promise<BundleInclusionProof[]>;
  /** From every stored checkpoint smaller than treeSize to treeSize. */
  abstract consistencyProofsTo(treeSize: number): Promise<BundleConsistencyProof[]>;
}

export abstract class BundleSigner {
  /** Signs with the active bundle key (Ed25519: the same bytes give the same signature). */
  abstract sign(bytes: Buffer): Promise<{ signature: Buffer; fingerprint: string }>;
  /** The keys document (docs/proofs.md, "Keys document") at this moment. */
  abstract keysDocument(): Promise<KeysDocument>;
}
