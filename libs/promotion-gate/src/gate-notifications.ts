import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { PgNotifications } from '@app/database';
import { GATE_CHANNEL, type GateChangedNotice } from './gate.events';

export type GateChangedHandler = (notice: GateChangedNotice) => void;

/**
 * The gate's committed changes, as they happen: one dedicated `pg` client (not
 * from the pool: a pooled connection would be handed to other work) runs
 * `LISTEN promotion_gate_changed` and hands each notice to every subscriber.
 * PostgreSQL sends a notification only when the transaction that issued it
 * commits (see gate.events.ts), so subscribers never see a rolled-back change.
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
  // The shared reconnecting LISTEN client (@app/database), on the gate's channel.
  private readonly listener: PgNotifications<GateChangedNotice>;

  constructor(@Inject(getDataSourceToken()) dataSource: DataSource) {
    this.listener = new PgNotifications<GateChangedNotice>(dataSource, GATE_CHANNEL);
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
