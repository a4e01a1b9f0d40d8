import { DomainError } from '@app/common';

/** Codes of the evidence context (evidence, reviews, sign-offs, file storage). */
export const EvidenceErrorCode = {
  EVIDENCE_NOT_FOUND: 'EVIDENCE_NOT_FOUND',
  /** No requirement with that id. */
  REQUIREMENT_NOT_FOUND: 'REQUIREMENT_NOT_FOUND',
  /** The target does not belong to the requirement's countermeasure. */
  TARGET_NOT_FOUND: 'TARGET_NOT_FOUND',
  /** A field value the rules refuse (blank name, impossible date, bad URL, over-long text...). Details: `field`. */
  INVALID_FIELD: 'INVALID_FIELD',
  /** The caller's part does not allow this act on this item (not an owner/contributor; not an auditor). */
  NOT_PERMITTED: 'NOT_PERMITTED',
  /** Segregation of duties: nobody reviews evidence they uploaded. */
  SELF_REVIEW: 'SELF_REVIEW',
  /** Segregation of duties: an owner, contributor or uploader of a countermeasure's evidence cannot sign it off. */
  CONFLICT_OF_INTEREST: 'CONFLICT_OF_INTEREST',
  /** The evidence was superseded or withdrawn: it can no longer be reviewed, superseded or withdrawn. */
  EVIDENCE_NOT_LIVE: 'EVIDENCE_NOT_LIVE',
  /** The SHA-256 the reviewer names is not the evidence's: they did not look at these bytes. */
  HASH_MISMATCH: 'HASH_MISMATCH',
  /** A sign-off while some requirement lacks accepted evidence in its latest version. Details: `missing`. */
  SIGN_OFF_NOT_READY: 'SIGN_OFF_NOT_READY',
  /** Evidence for a countermeasure that no longer takes any (CANCELLED). */
  COUNTERMEASURE_CLOSED: 'COUNTERMEASURE_CLOSED',
  /** Signed-off work that is BLOCKED: its evidence cannot change until it is unblocked. */
  COUNTERMEASURE_BLOCKED: 'COUNTERMEASURE_BLOCKED',
  /** An upload with no bytes. */
  FILE_EMPTY: 'FILE_EMPTY',
  /** An upload over the size limit (stopped at the limit). Details: `limitBytes`. */
  FILE_TOO_LARGE: 'FILE_TOO_LARGE',
  /** The bytes are not of an allowed type (whatever the name or declared type says). Details: `detected`, `allowed`. */
  FILE_TYPE_NOT_ALLOWED: 'FILE_TYPE_NOT_ALLOWED',
  /** The request is not a well-formed upload (no file part, several files, cut off half way). */
  UPLOAD_INVALID: 'UPLOAD_INVALID',
  /** Stored bytes no longer match their recorded SHA-256: never served silently. */
  STORAGE_INTEGRITY: 'STORAGE_INTEGRITY',
} as const;
export type EvidenceErrorCode = (typeof EvidenceErrorCode)[keyof typeof EvidenceErrorCode];

export class EvidenceError extends DomainError<EvidenceErrorCode> {
  readonly context = 'evidence';
}
