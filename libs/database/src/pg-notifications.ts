import { Logger } from '@nestjs/common';
import { Client, type ClientConfig, type Notification } from 'pg';
import type { DataSource, DataSourceOptions } from 'typeorm';
import { assertChannelName, NoticeHandlers, type NoticeListener, errorMessage } from './notice-listener';

type PostgresConnectionOptions = Extract<DataSourceOptions, { type: 'postgres' }>;

/** First reconnection delay after a lost LISTEN connection; doubles up to RECONNECT_MAX_MS. */
const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 10_000;

/**
 * A generic `LISTEN <channel>`: one dedicated `pg` client (not from the pool: a
 * pooled connection would be handed to other work) hands every JSON payload
 * announced on the channel to every subscriber. PostgreSQL delivers a
 * `pg_notify` only when the transaction that issued it commits, so subscribers
 * never see a rolled-back change. Made by NoticeBus.listen in PostgreSQL mode
 * (its Redis mode has the same API); `opts.directUrl` (DATABASE_DIRECT_URL)
 * connects past a transaction pooler, through which LISTEN does not work.
 *
 * - `start()` connects (a failure is logged and retried; the caller does not wait for the database to come back);
 * - `subscribe(handler)` returns the function that unsubscribes;
 * - after a lost connection it reconnects with back-off (250 ms doubling to 10 s)
 *   and calls every `onReconnect` handler: notifications sent meanwhile are lost;
 * - `stop()` closes the client and stops reconnecting.
 *
 * A handler that throws is logged and does not affect the others. Handlers run
 * synchronously in the client's event; do async work in the handler's own promise.
 */
export class PgNotifications<T> extends NoticeHandlers<T> implements NoticeListener<T> {
  private client: Client | null = null;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectDelay = RECONNECT_MIN_MS;
  private connecting: Promise<void> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    channel: string,
    private readonly opts: { directUrl?: string } = {},
  ) {
    assertChannelName(channel);
    super(channel, new Logger(`PgNotifications(${channel})`));
  }

  async start(): Promise<void> {
    this.closed = false;
    await this.connect(false);
  }

  async stop(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    await this.connecting?.catch(() => undefined);
    const client = this.client;
    this.client = null;
    if (client) await client.end().catch(() => undefined);
    this.clearHandlers();
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
    const client = new Client(
      listenerClientConfig(this.dataSource.options as PostgresConnectionOptions, this.channel, this.opts.directUrl),
    );
    // Without an 'error' listener a dropped connection would crash the process.
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, null));
    client.on('notification', (msg) => this.dispatch(msg));
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
    } catch (err) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      if (this.closed) return;
      this.logger.warn(`cannot LISTEN ${this.channel}: ${errorMessage(err)}; retrying in ${this.reconnectDelay} ms`);
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
      this.logger.log(`LISTEN ${this.channel} re-established`);
      this.reconnected();
    }
  }

  private lost(client: Client, err: unknown): void {
    if (this.client !== client) return;
    this.client = null;
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    if (this.closed) return;
    this.logger.warn(`LISTEN ${this.channel} connection lost${err ? `: ${errorMessage(err)}` : ''}; reconnecting`);
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
    if (msg.channel !== this.channel || !msg.payload) return;
    let payload: T;
    try {
      payload = JSON.parse(msg.payload) as T;
    } catch {
      this.logger.warn(`ignoring a malformed ${this.channel} payload`);
      return;
    }
    this.deliver(payload);
  }
}

/**
 * The connection settings of one extra (listening) client: the application's data
 * source, or `directUrl` (DATABASE_DIRECT_URL) when given, which then names the
 * server, user and database alone.
 */
export function listenerClientConfig(o: PostgresConnectionOptions, channel: string, directUrl?: string): ClientConfig {
  const common = {
    application_name: `${o.applicationName ?? 'remediation-tracker'}:listen:${channel}`.slice(0, 63),
    keepAlive: true,
  };
  if (directUrl) return { connectionString: directUrl, ...common };
  return {
    connectionString: o.url,
    host: o.host,
    port: o.port,
    user: o.username,
    password: o.password,
    database: o.database,
    ssl: o.ssl as ClientConfig['ssl'],
    ...common,
  };
}
