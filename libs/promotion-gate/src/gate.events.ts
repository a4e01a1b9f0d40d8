import type { Actor } from '@app/common';
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

/**
 * Emitted (with `emitInOrder`) inside the transaction of an incident's
 * date-rule catch-up: CrossRowRules re-evaluates the incident's gates before
 * that transaction commits, even when no sweep moved a row (the gates store
 * their next date rules).
 */
export const GateEvents = {
  DATE_RULES_DUE: 'gate.date_rules_due',
} as const;

export interface GateDateRulesDue {
  incidentId: string;
  actor: Actor;
  /** In words, for the gate's history. */
  what: string;
}
