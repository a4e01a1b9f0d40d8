import type { Actor } from '@app/common';
import type { CountermeasureStatus, TransitionCause } from './domain/countermeasure-workflow';

/**
 * Events of the countermeasures context, emitted with `EventEmitter2.emitAsync`
 * INSIDE the transaction of the change: listeners (the audit clearance, the
 * promotion gate) run in that same transaction (the CLS transaction propagates),
 * so a rule they keep commits together with the change or not at all. A listener
 * must be declared `@OnEvent(name, { async: true, promisify: true, suppressErrors: false })`
 * so that its failure rolls the change back.
 */
export const CountermeasureEvents = {
  STATUS_CHANGED: 'countermeasure.status_changed',
} as const;

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
