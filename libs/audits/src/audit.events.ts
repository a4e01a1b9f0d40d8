import type { Actor } from '@app/common';

/**
 * Emitted with `emitInOrder` (@app/common: listeners one after the other) INSIDE the transaction of every audits
 * change that can move the promotion gate's rules (a clearance granted or
 * withdrawn, a finding raised, resolved, reopened, risk-accepted or expired, an
 * engagement created or moved). Listeners run in the same transaction.
 */
export const AuditEvents = {
  CHANGED: 'audit.changed',
} as const;

export interface AuditChanged {
  incidentId: string;
  actor: Actor;
  /** In words, for the gate's history ("finding F-003 (HIGH) raised"). */
  what: string;
}
