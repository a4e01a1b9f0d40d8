import type { Actor } from '@app/common';
import type { CountermeasureStatus, TransitionCause } from './domain/countermeasure-workflow';

/**
 * Events of the countermeasures context, emitted with `emitInOrder` (@app/common)
 * INSIDE the transaction of the change. Their one listener is CrossRowRules
 * (@app/promotion-gate), which only notes the change; the rules it feeds (the
 * sign-off's revocation, the audit clearance, the promotion gate) run once, in
 * that written order, just before the transaction commits, so they commit
 * together with the change or not at all. Do not add a listener that acts: add
 * a step to CrossRowRules.
 */
export const CountermeasureEvents = {
  STATUS_CHANGED: 'countermeasure.status_changed',
  /** A countermeasure was created, or its "required for the gate" flag changed. */
  GATE_RELEVANCE_CHANGED: 'countermeasure.gate_relevance_changed',
} as const;

export interface CountermeasureGateRelevanceChanged {
  countermeasureId: string;
  incidentId: string;
  key: string;
  requiredForGate: boolean;
  /** In words, for the gate's history. */
  what: string;
  actor: Actor;
}

export interface CountermeasureStatusChanged {
  countermeasureId: string;
  incidentId: string;
  /** CM-004 */
  key: string;
  from: CountermeasureStatus;
  to: CountermeasureStatus;
  cause: TransitionCause;
  reason: string | null;
  actor: Actor;
  at: Date;
}
