import type { GateState } from './domain/gate-rules';

/**
 * Published after the transaction that changed a gate commits: the service
 * issues `pg_notify(GATE_CHANNEL, <json>)` inside the transaction and
 * PostgreSQL delivers it at commit (never for a rollback). Subscriptions and
 * other instances LISTEN on the channel.
 */
export const GATE_CHANNEL = 'promotion_gate_changed';

export interface GateChangedNotice {
  gateId: string;
  key: string;
  incidentId: string;
  changeId: string;
  fromState: GateState | null;
  toState: GateState;
  cause: string;
  reason: string;
  at: string;
}
