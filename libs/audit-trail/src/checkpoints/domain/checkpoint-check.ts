/**
 * How a checkpoint compares with the trail as stored today (verifyAuditTrail,
 * `npm run cli -- verify-audit-trail --against FILE`). Codes are stable: tests,
 * the CLI and the page name them.
 */
export const CheckpointCheckCode = {
  /** Signed by a trail key, no larger than today's tree, and its root is the root of today's first `size` entries. */
  CONSISTENT: 'CONSISTENT',
  /** No valid signature by any trail key (active or retired) of this tracker: it proves nothing. */
  BAD_SIGNATURE: 'BAD_SIGNATURE',
  /** The checkpoint covers more entries than the trail holds today: entries were cut off the end. */
  TRUNCATED: 'TRUNCATED',
  /** Today's first `size` entries do not give the checkpoint's root: history was rewritten (or an entry is missing). */
  INCONSISTENT_WITH_CHECKPOINT: 'INCONSISTENT_WITH_CHECKPOINT',
  /** Nothing to compare with: no checkpoint was given and none is stored yet. */
  NO_CHECKPOINT: 'NO_CHECKPOINT',
} as const;
export type CheckpointCheckCode = (typeof CheckpointCheckCode)[keyof typeof CheckpointCheckCode];

export interface CheckpointCheck {
  /**
   * GIVEN: the text the caller passed; STORED: the newest checkpoint in the
   * database; FILE: the newest checkpoint file in CHECKPOINT_DIR, when it is
   * larger than the newest one in the database (rows were deleted).
   */
  source: CheckpointSource;
  code: CheckpointCheckCode;
  /** True for CONSISTENT and NO_CHECKPOINT. */
  ok: boolean;
  message: string;
  /** The checkpoint's size and root (null for NO_CHECKPOINT). */
  treeSize: string | null;
  rootHash: string | null;
  /** The trail key that signed it (8 hex), when one did. */
  keyId: string | null;
  /** Today's tree size (the last seq). */
  currentTreeSize: string;
}

export type CheckpointSource = 'GIVEN' | 'STORED' | 'FILE';

export interface CheckpointFacts {
  source: CheckpointSource;
  size: number;
  rootHash: string;
  /** The trail key whose signature verifies, or null. */
  signedBy: { keyId: string; status: string } | null;
  /** Today's tree size. */
  currentSize: number;
  /** Today's root of the first `size` entries; null when it cannot be computed (size too large, or an entry is missing). */
  currentRootOfSize: string | null;
  /** The first entry that is missing among the first `size` (null when none is). */
  missingSeq: string | null;
}

/** The verdict, in the order that matters: an unsigned checkpoint proves nothing; a longer one shows a cut; then the roots. */
export function compareCheckpoint(f: CheckpointFacts): CheckpointCheck {
  const base = {
    source: f.source,
    treeSize: String(f.size),
    rootHash: f.rootHash,
    keyId: f.signedBy?.keyId ?? null,
    currentTreeSize: String(f.currentSize),
  };
  const which = { GIVEN: 'the checkpoint given', STORED: 'the newest stored checkpoint', FILE: 'the newest checkpoint file' }[f.source];
  if (!f.signedBy) {
    return {
      ...base,
      code: CheckpointCheckCode.BAD_SIGNATURE,
      ok: false,
      message: `${which} (size ${f.size}) has no valid signature by a trail key of this tracker, active or retired: it proves nothing`,
    };
  }
  if (f.size > f.currentSize) {
    return {
      ...base,
      code: CheckpointCheckCode.TRUNCATED,
      ok: false,
      message: `${which} covers ${f.size} entries but the trail holds ${f.currentSize} today: entries #${f.currentSize + 1}–#${f.size} were removed`,
    };
  }
  if (f.missingSeq !== null) {
    return {
      ...base,
      code: CheckpointCheckCode.INCONSISTENT_WITH_CHECKPOINT,
      ok: false,
      message: `entry #${f.missingSeq} of the ${f.size} entries ${which} covers is missing or unreadable today`,
    };
  }
  if (f.currentRootOfSize !== f.rootHash) {
    return {
      ...base,
      code: CheckpointCheckCode.INCONSISTENT_WITH_CHECKPOINT,
      ok: false,
      message: `today's first ${f.size} entries give root ${f.currentRootOfSize}, not the root ${f.rootHash} of ${which}: history was rewritten since it was signed`,
    };
  }
  return {
    ...base,
    code: CheckpointCheckCode.CONSISTENT,
    ok: true,
    message: `${which} (size ${f.size}, signed by trail key ${f.signedBy.keyId}${f.signedBy.status === 'RETIRED' ? ', retired since' : ''}) is a prefix of today's trail (${f.currentSize} entries)`,
  };
}

export function noCheckpoint(currentSize: number): CheckpointCheck {
  return {
    source: 'STORED',
    code: CheckpointCheckCode.NO_CHECKPOINT,
    ok: true,
    message: 'no checkpoint is stored yet (in the database or as a file) and none was given: only the hash chain was checked',
    treeSize: null,
    rootHash: null,
    keyId: null,
    currentTreeSize: String(currentSize),
  };
}
