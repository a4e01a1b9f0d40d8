/** The part of EventEmitter2 this needs (libs keep @nestjs/event-emitter out of common). */
export interface ListenerSource {
  listeners(event: string): ((...args: unknown[]) => unknown)[];
}

/**
 * Runs every listener of `event` one after the other, in registration order,
 * each awaited: listeners of an in-transaction event share one connection and
 * must not interleave (two re-evaluations of one gate, two appends to the
 * trail). EventEmitter2's `emitAsync` would start them all at once. A
 * listener's failure stops the rest and rolls the transaction back.
 */
export async function emitInOrder(emitter: ListenerSource, event: string, payload: unknown): Promise<void> {
  for (const listener of emitter.listeners(event)) {
    await listener(payload);
  }
}
