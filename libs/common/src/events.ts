/** The part of EventEmitter2 this needs (libs keep @nestjs/event-emitter out of common). */
export interface ListenerSource {
  listeners(event: string): ((...args: unknown[]) => unknown)[];
}

/**
 * Runs every listener of `event` one after the other, in registration order,
 * each awaited: listeners of an in-transaction event share one connection and
 * must not interleave. EventEmitter2's `emitAsync` would start them all at
 * once. A listener's failure stops the rest and rolls the transaction back.
 *
 * The events that feed the cross-row rules (a countermeasure's status or gate
 * flag, an audit change, a gate's date-rule catch-up) have one listener,
 * CrossRowRules (@app/promotion-gate), which notes the change and runs the
 * rules once, in its written order, before the commit: nothing depends on the
 * order in which listeners were registered.
 */
export async function emitInOrder(emitter: ListenerSource, event: string, payload: unknown): Promise<void> {
  for (const listener of emitter.listeners(event)) {
    await listener(payload);
  }
}
