/** The proofs the trail's checkpoints answer with (docs/proofs.md). */
export interface InclusionProof {
  seq: string;
  leafIndex: number;
  /** The entry's chain hash (hex): the leaf input. */
  leafInput: string;
  /** Audit path, standard base64, RFC 9162 §2.1.3. */
  hashes: string[];
}

export interface ConsistencyProof {
  fromSize: number;
  fromRootHash: string;
  toSize: number;
  toRootHash: string;
  /** RFC 9162 §2.1.4, standard base64. */
  hashes: string[];
}
