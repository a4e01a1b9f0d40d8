import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { NoticeBus, type NoticeListener } from '@app/database';
import { GATE_CHANNEL, type GateChangedNotice } from './gate.events';

export type GateChangedHandler = (notice: GateChangedNotice) => void;

/**
 * The gate's committed changes, as they happen, from every instance: the
 * NoticeBus's listener on `promotion_gate_changed` (a dedicated `LISTEN` client,
 * or Redis when REDIS_URL is set) hands each notice to every subscriber. A notice
 * goes out only when the transaction that announced it commits (see
 * gate.events.ts), so subscribers never see a rolled-back change.
 *
 * - `onModuleInit` connects (a failure is logged and retried; start-up does not wait for the database to come back);
 * - `subscribe(handler)` returns the function that unsubscribes;
 * - after a lost connection it reconnects with back-off (250 ms doubling to 10 s)
 *   and then calls every handler registered with `onReconnect`, because
 *   notifications sent while it was away are lost: a consumer that must not miss
 *   a change (the webhook dispatcher) re-reads the tables then (it also polls);
 * - `onModuleDestroy` closes the client and stops reconnecting.
 *
 * A handler that throws is logged and does not affect the others. Handlers run
 * synchronously in the client's event; do async work in the handler's own promise
 * (and catch it).
 */
@Injectable()
export class GateNotifications implements OnModuleInit, OnModuleDestroy {
  // The shared reconnecting listener (@app/database NoticeBus: LISTEN, or Redis), on the gate's channel.
  private readonly listener: NoticeListener<GateChangedNotice>;

  constructor(@Inject(NoticeBus) notices: NoticeBus) {
    this.listener = notices.listen<GateChangedNotice>(GATE_CHANNEL);
  }

  onModuleInit(): Promise<void> {
    return this.listener.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.listener.stop();
  }

  subscribe(handler: GateChangedHandler): () => void {
    return this.listener.subscribe(handler);
  }

  onReconnect(handler: () => void): () => void {
    return this.listener.onReconnect(handler);
  }

  get listening(): boolean {
    return this.listener.listening;
  }
}
