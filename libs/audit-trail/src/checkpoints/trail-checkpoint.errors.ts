import { DomainError } from '@app/common';

export const TrailErrorCode = {
  /** No stored checkpoint of that size. */
  CHECKPOINT_NOT_FOUND: 'CHECKPOINT_NOT_FOUND',
  /** No trail entry with that seq (or it is beyond the tree size asked for). */
  ENTRY_NOT_FOUND: 'ENTRY_NOT_FOUND',
  /** The text given is not a checkpoint (a C2SP signed note with origin, size and root). */
  INVALID_CHECKPOINT: 'INVALID_CHECKPOINT',
  /** A size or seq that is not a whole number in range (e.g. a consistency proof from a larger to a smaller tree). */
  INVALID_RANGE: 'INVALID_RANGE',
  /** A co-signing public key that is not 32 bytes of standard base64, or a name that cannot be a key name. */
  INVALID_PUBLIC_KEY: 'INVALID_PUBLIC_KEY',
  /** Co-signing without a registered key. */
  NO_COSIGNING_KEY: 'NO_COSIGNING_KEY',
  /** A co-signature line that is not one, names another key, or does not verify over the checkpoint's body. */
  BAD_COSIGNATURE: 'BAD_COSIGNATURE',
  /**
   * The trail as stored no longer gives the root of a checkpoint made earlier
   * (history was rewritten or cut): no new checkpoint is signed over it and no
   * proof is given against it. `verifyAuditTrail` says what happened.
   */
  TRAIL_INCONSISTENT: 'TRAIL_INCONSISTENT',
} as const;
export type TrailErrorCode = (typeof TrailErrorCode)[keyof typeof TrailErrorCode];

export class TrailError extends DomainError<TrailErrorCode> {
  readonly context = 'audit-trail';
}
