import type { CheckpointReason } from '../trail-checkpoint.entities';

/**
 * The trail actions after whose commit a checkpoint is made at once
 * (docs/proofs.md): sign-offs, clearances, gate changes and bundle exports,
 * the moments an auditor may later have to prove. Every other action waits
 * for the scheduled checkpoint.
 */
const TRIGGERS: Readonly<Record<string, CheckpointReason>> = {
  'countermeasure.signed_off': 'SIGN_OFF',
  'countermeasure.sign_off_revoked': 'SIGN_OFF',
  'audit.cleared': 'CLEARANCE',
  'audit.clearance_withdrawn': 'CLEARANCE',
  'gate.state_changed': 'GATE',
  'gate.authorized': 'GATE',
  'gate.held': 'GATE',
  'gate.hold_released': 'GATE',
  'evidence_bundle.exported': 'BUNDLE',
};

/** The reason a committed entry with this action calls for a checkpoint now, or null. */
export function checkpointReasonFor(action: string): CheckpointReason | null {
  return Object.hasOwn(TRIGGERS, action) ? TRIGGERS[action]! : null;
}

/**
 * Whether the scheduled job makes a checkpoint now: only when the trail grew
 * past the newest checkpoint, and at most once per interval (counting any
 * checkpoint, whatever made it).
 */
export function scheduledCheckpointDue(input: {
  now: Date;
  headSize: number;
  newest: { treeSize: number; createdAt: Date } | null;
  intervalSeconds: number;
}): boolean {
  if (!input.newest) return input.headSize > 0;
  if (input.headSize <= input.newest.treeSize) return false;
  return input.now.getTime() - input.newest.createdAt.getTime() >= input.intervalSeconds * 1000;
}
