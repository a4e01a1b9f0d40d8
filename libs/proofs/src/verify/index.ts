export * from './report';
export { type BagSource } from './context';
export { verifyBundle, type VerifyOptions } from './verify-bundle';
export { readSignerProof, SIGNER_PROOF_METHODS, type SignerProofReading } from './signer-proof';
