import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { NoticeHandlers, type NoticeListener, errorMessage } from './notice-listener';

/**
 * The Redis side of the notice bus (REDIS_URL set): one publisher and one
 * subscriber connection per process, opened on first use and closed by
 * `close()`. Channels are `<prefix><channel>`: the prefix names the database the
 * instances share, so two deployments (or two test databases) on one Redis never
 * hear each other.
 *
 * The subscriber resubscribes itself after a reconnection (not ioredis'
 * autoResubscribe), and only then tells the listeners (`onReconnect`): whatever
 * they re-read then cannot fall between the re-read and the subscription.
 */
export class RedisNoticeHub {
  private readonly logger = new Logger('RedisNotices');
  private publisherConnection: Redis | null = null;
  private subscriberConnection: Redis | null = null;
  /** Resolves true at the subscriber's first 'ready', false if it closes first (Redis not reachable at start). */
  private firstOutcome: Promise<boolean> | null = null;
  private everReady = false;
  private closed = false;
  private readonly listeners = new Map<string, Set<RedisNoticeListener<unknown>>>();
  /** Channels subscribed on the current connection (cleared when it closes). */
  private readonly subscribed = new Set<string>();

  constructor(
    private readonly url: string,
    readonly prefix: string,
  ) {}

  listen<T>(channel: string): NoticeListener<T> {
    return new RedisNoticeListener<T>(this, channel);
  }

  /** Publishes at once (the caller waits for the commit first); a failure is logged, never thrown. */
  publish(channel: string, payload: unknown): void {
    if (this.closed) return;
    this.publisherConnection ??= this.connection('publish');
    this.publisherConnection
      .publish(this.prefix + channel, JSON.stringify(payload))
      .catch((err: unknown) => this.logger.error(`notice on ${channel} not published: ${errorMessage(err)}`));
  }

  isSubscribed(channel: string): boolean {
    return this.subscriberConnection?.status === 'ready' && this.subscribed.has(channel);
  }

  async attach(listener: RedisNoticeListener<unknown>): Promise<void> {
    if (this.closed) return;
    const sub = this.subscriber();
    const set = this.listeners.get(listener.channel) ?? new Set();
    set.add(listener);
    this.listeners.set(listener.channel, set);
    if (!(await this.firstOutcome)) {
      // Redis is not there yet: subscribed when it comes, and told to re-read then.
      listener.missed = true;
      return;
    }
    if (sub.status === 'ready') await this.subscribe([listener.channel]).catch(() => (listener.missed = true));
    else listener.missed = true;
  }

  async detach(listener: RedisNoticeListener<unknown>): Promise<void> {
    const set = this.listeners.get(listener.channel);
    if (!set?.delete(listener) || set.size > 0) return;
    this.listeners.delete(listener.channel);
    this.subscribed.delete(listener.channel);
    const sub = this.subscriberConnection;
    if (sub?.status === 'ready') await sub.unsubscribe(this.prefix + listener.channel).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    const connections = [this.publisherConnection, this.subscriberConnection].filter((c): c is Redis => c !== null);
    this.publisherConnection = null;
    this.subscriberConnection = null;
    // QUIT on a connection that is not ready would wait in the offline queue for a Redis that may never come back.
    await Promise.all(
      connections.map((c) =>
        c.status === 'ready'
          ? c.quit().then(
              () => undefined,
              () => c.disconnect(),
            )
          : Promise.resolve(c.disconnect()),
      ),
    );
  }

  private subscriber(): Redis {
    if (this.subscriberConnection) return this.subscriberConnection;
    const sub = this.connection('listen', { autoResubscribe: false });
    this.subscriberConnection = sub;
    this.firstOutcome = new Promise((resolve) => {
      sub.once('ready', () => resolve(true));
      sub.once('close', () => resolve(false));
    });
    sub.on('close', () => this.subscribed.clear());
    sub.on('ready', () => void this.ready());
    sub.on('message', (channel: string, text: string) => this.dispatch(channel, text));
    return sub;
  }

  private async ready(): Promise<void> {
    const reconnected = this.everReady;
    this.everReady = true;
    const channels = [...this.listeners.keys()];
    try {
      if (channels.length > 0) await this.subscribe(channels);
    } catch (err) {
      this.logger.warn(`could not subscribe again after reconnecting: ${errorMessage(err)}`);
      return; // the connection is gone again: its next 'ready' tries again
    }
    if (reconnected) this.logger.log('Redis subscriptions re-established');
    for (const set of this.listeners.values()) {
      for (const l of set) {
        if (!reconnected && !l.missed) continue;
        l.missed = false;
        l.reconnected();
      }
    }
  }

  private async subscribe(channels: string[]): Promise<void> {
    await this.subscriberConnection!.subscribe(...channels.map((c) => this.prefix + c));
    for (const c of channels) this.subscribed.add(c);
  }

  private dispatch(prefixed: string, text: string): void {
    if (!prefixed.startsWith(this.prefix)) return;
    const set = this.listeners.get(prefixed.slice(this.prefix.length));
    if (!set) return;
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      this.logger.warn(`ignoring a malformed ${prefixed} payload`);
      return;
    }
    for (const l of set) l.deliver(payload);
  }

  private connection(role: string, extra: { autoResubscribe?: boolean } = {}): Redis {
    // Retries forever (back-off up to 10 s, as the LISTEN client does); a command waits for the connection.
    const c = new Redis(this.url, {
      connectionName: `remediation-tracker:${role}`,
      maxRetriesPerRequest: null,
      retryStrategy: (times) => Math.min(250 * 2 ** Math.min(times - 1, 6), 10_000),
      ...extra,
    });
    let warned = false;
    // Without an 'error' listener a lost connection would crash the process.
    c.on('error', (err: unknown) => {
      if (!warned) this.logger.warn(`Redis (${role}): ${errorMessage(err)}; reconnecting`);
      warned = true;
    });
    c.on('ready', () => (warned = false));
    return c;
  }
}

/** One channel heard through Redis: the same API as PgNotifications. */
export class RedisNoticeListener<T> extends NoticeHandlers<T> implements NoticeListener<T> {
  private started = false;
  /** Started while not subscribed: told to re-read once it is. */
  missed = false;

  constructor(
    private readonly hub: RedisNoticeHub,
    channel: string,
  ) {
    super(channel, new Logger(`RedisNotices(${channel})`));
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.hub.attach(this as RedisNoticeListener<unknown>);
  }

  async stop(): Promise<void> {
    this.started = false;
    await this.hub.detach(this as RedisNoticeListener<unknown>);
    this.clearHandlers();
  }

  get listening(): boolean {
    return this.started && this.hub.isSubscribed(this.channel);
  }

  /** A notice heard by the hub on this channel. */
  override deliver(payload: T): void {
    super.deliver(payload);
  }

  /** Called by the hub once the channel is subscribed again. */
  override reconnected(): void {
    super.reconnected();
  }
}
