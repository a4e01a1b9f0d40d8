import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { Client, type ClientConfig, type Notification } from 'pg';
import type { DataSource, DataSourceOptions } from 'typeorm';
import { GATE_CHANNEL, type GateChangedNotice } from './gate.events';

type PostgresConnectionOptions = Extract<DataSourceOptions, { type: 'postgres' }>;

export type GateChangedHandler = (notice: GateChangedNotice) => void;

/** First reconnection delay after a lost LISTEN connection; doubles up to RECONNECT_MAX_MS. */
const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 10_000;

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
  private readonly logger = new Logger(GateNotifications.name);
  private readonly handlers = new Set<GateChangedHandler>();
  private readonly reconnectHandlers = new Set<() => void>();
  private client: Client | null = null;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectDelay = RECONNECT_MIN_MS;
  private connecting: Promise<void> | null = null;

  constructor(@Inject(getDataSourceToken()) private readonly dataSource: DataSource) {}

  async onModuleInit(): Promise<void> {
    this.closed = false;
    await this.connect(false);
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    await this.connecting?.catch(() => undefined);
    const client = this.client;
    this.client = null;
    if (client) await client.end().catch(() => undefined);
    this.handlers.clear();
    this.reconnectHandlers.clear();
  }

  /** Calls `handler` with every committed gate change from now on; returns the unsubscribe function. */
  subscribe(handler: GateChangedHandler): () => void {
    this.handlers.add(handler);
    return () => {
      this.handlers.delete(handler);
    };
  }

  /** Calls `handler` after the LISTEN connection was re-established (notifications may have been missed). */
  onReconnect(handler: () => void): () => void {
    this.reconnectHandlers.add(handler);
    return () => {
      this.reconnectHandlers.delete(handler);
    };
  }

  /** True while the LISTEN connection is up. */
  get listening(): boolean {
    return this.client !== null;
  }

  private connect(isReconnect: boolean): Promise<void> {
    if (!this.connecting) {
      this.connecting = this.open(isReconnect).finally(() => {
        this.connecting = null;
      });
    }
    return this.connecting;
  }

  private async open(isReconnect: boolean): Promise<void> {
    if (this.closed) return;
    const client = new Client(clientConfig(this.dataSource.options as PostgresConnectionOptions));
    // Without an 'error' listener a dropped connection would crash the process.
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, null));
    client.on('notification', (msg) => this.dispatch(msg));
    try {
      await client.connect();
      await client.query(`LISTEN ${GATE_CHANNEL}`);
    } catch (err) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      if (this.closed) return;
      this.logger.warn(`cannot LISTEN ${GATE_CHANNEL}: ${message(err)}; retrying in ${this.reconnectDelay} ms`);
      this.scheduleReconnect();
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.reconnectDelay = RECONNECT_MIN_MS;
    if (isReconnect) {
      this.logger.log(`LISTEN ${GATE_CHANNEL} re-established`);
      for (const h of [...this.reconnectHandlers]) {
        try {
          h();
        } catch (err) {
          this.logger.error(`reconnect handler failed: ${message(err)}`);
        }
      }
    }
  }

  private lost(client: Client, err: unknown): void {
    if (this.client !== client) return; // an old client, or one that never came up (handled in open)
    this.client = null;
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    if (this.closed) return;
    this.logger.warn(`LISTEN ${GATE_CHANNEL} connection lost${err ? `: ${message(err)}` : ''}; reconnecting`);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, RECONNECT_MAX_MS);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.connect(true);
    }, delay);
    this.reconnectTimer.unref();
  }

  private dispatch(msg: Notification): void {
    if (msg.channel !== GATE_CHANNEL || !msg.payload) return;
    let notice: GateChangedNotice;
    try {
      notice = JSON.parse(msg.payload) as GateChangedNotice;
    } catch {
      this.logger.warn(`ignoring a malformed ${GATE_CHANNEL} payload`);
      return;
    }
    for (const h of [...this.handlers]) {
      try {
        h(notice);
      } catch (err) {
        this.logger.error(`gate notification handler failed: ${message(err)}`);
      }
    }
  }
}

/** The connection settings of the application's data source, for one extra client. */
function clientConfig(o: PostgresConnectionOptions): ClientConfig {
  return {
    connectionString: o.url,
    host: o.host,
    port: o.port,
    user: o.username,
    password: o.password,
    database: o.database,
    ssl: o.ssl as ClientConfig['ssl'],
    application_name: `${o.applicationName ?? 'remediation-tracker'}:gate-listener`,
    keepAlive: true,
  };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
