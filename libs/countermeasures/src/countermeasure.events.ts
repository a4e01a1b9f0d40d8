import type { Actor } from '@app/common';
import type { CountermeasureStatus, TransitionCause } from './domain/countermeasure-workflow';

/**
 * Events of the countermeasures context, emitted with `emitInOrder` (@app/common; listeners one after the other)
 * INSIDE the transaction of the change: listeners (the audit clearance, the
 * promotion gate) run in that same transaction (the CLS transaction propagates),
 * so a rule they keep commits together with the change or not at all. A listener
 * must be declared `@OnEvent(name, { async: true, promisify: true, suppressErrors: false })`
 * so that its failure rolls the change back.
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
