import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { Client, type ClientConfig, type Notification } from 'pg';
import type { DataSource, DataSourceOptions } from 'typeorm';
import { NOTIFICATION_CHANNEL, type NotificationAddedNotice } from './notification.events';

type PostgresConnectionOptions = Extract<DataSourceOptions, { type: 'postgres' }>;
export type NotificationAddedHandler = (notice: NotificationAddedNotice) => void;

const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 10_000;

/**
 * Committed new notifications, as they happen: one dedicated `pg` client (not
 * from the pool) runs `LISTEN notification_added` and hands each notice to every
 * subscriber — the same design as the gate's `GateNotifications` (reconnects with
 * back-off; a handler that throws is logged and does not affect the others).
 * It connects lazily, on the first `subscribe`, so that an app that never
 * subscribes (the CLI) opens no extra connection.
 */
@Injectable()
export class NotificationFeed implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(NotificationFeed.name);
  private readonly handlers = new Set<NotificationAddedHandler>();
  private client: Client | null = null;
  private closed = false;
  private started = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectDelay = RECONNECT_MIN_MS;
  private connecting: Promise<void> | null = null;

  constructor(@Inject(getDataSourceToken()) private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    this.closed = false;
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
  }

  /** Calls `handler` with every committed new inbox notification from now on; returns the unsubscribe function. */
  subscribe(handler: NotificationAddedHandler): () => void {
    this.handlers.add(handler);
    if (!this.started) {
      this.started = true;
      void this.connect();
    }
    return () => {
      this.handlers.delete(handler);
    };
  }

  /** Resolves once the LISTEN connection is up (or the feed is closed). */
  async ready(): Promise<void> {
    if (!this.started) {
      this.started = true;
      void this.connect();
    }
    while (!this.client && !this.closed) {
      await (this.connecting ?? new Promise((r) => setTimeout(r, 25)));
    }
  }

  get listening(): boolean {
    return this.client !== null;
  }

  private connect(): Promise<void> {
    if (!this.connecting) {
      this.connecting = this.open().finally(() => {
        this.connecting = null;
      });
    }
    return this.connecting;
  }

  private async open(): Promise<void> {
    if (this.closed) return;
    const client = new Client(clientConfig(this.dataSource.options as PostgresConnectionOptions));
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, null));
    client.on('notification', (msg) => this.dispatch(msg));
    try {
      await client.connect();
      await client.query(`LISTEN ${NOTIFICATION_CHANNEL}`);
    } catch (err) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      if (this.closed) return;
      this.logger.warn(`cannot LISTEN ${NOTIFICATION_CHANNEL}: ${message(err)}; retrying in ${this.reconnectDelay} ms`);
      this.scheduleReconnect();
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.reconnectDelay = RECONNECT_MIN_MS;
  }

  private lost(client: Client, err: unknown): void {
    if (this.client !== client) return;
    this.client = null;
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    if (this.closed) return;
    this.logger.warn(`LISTEN ${NOTIFICATION_CHANNEL} connection lost${err ? `: ${message(err)}` : ''}; reconnecting`);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, RECONNECT_MAX_MS);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.connect();
    }, delay);
    this.reconnectTimer.unref();
  }

  private dispatch(msg: Notification): void {
    if (msg.channel !== NOTIFICATION_CHANNEL || !msg.payload) return;
    let notice: NotificationAddedNotice;
    try {
      notice = JSON.parse(msg.payload) as NotificationAddedNotice;
    } catch {
      this.logger.warn(`ignoring a malformed ${NOTIFICATION_CHANNEL} payload`);
      return;
    }
    for (const h of [...this.handlers]) {
      try {
        h(notice);
      } catch (err) {
        this.logger.error(`notification handler failed: ${message(err)}`);
      }
    }
  }
}

function clientConfig(o: PostgresConnectionOptions): ClientConfig {
  return {
    connectionString: o.url,
    host: o.host,
    port: o.port,
    user: o.username,
    password: o.password,
    database: o.database,
    ssl: o.ssl as ClientConfig['ssl'],
    application_name: `${o.applicationName ?? 'remediation-tracker'}:notification-listener`,
    keepAlive: true,
  };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
