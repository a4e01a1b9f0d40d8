import type { Logger } from '@nestjs/common';

/**
 * One channel of committed notices, as heard by this process (PgNotifications
 * on PostgreSQL, RedisNoticeListener on Redis; made by NoticeBus.listen):
 * - `start()` begins listening (a failure is logged and retried; the caller does not wait for the server to come back);
 * - `subscribe(handler)` returns the function that unsubscribes;
 * - after a lost connection it listens again and calls every `onReconnect` handler:
 *   notices sent meanwhile are lost, so a consumer that must not miss one re-reads then;
 * - `stop()` stops listening;
 * - `listening` is true while notices can arrive.
 * Handlers run synchronously; a handler that throws is logged and does not affect the others.
 */
export interface NoticeListener<T> {
  readonly channel: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  subscribe(handler: (payload: T) => void): () => void;
  onReconnect(handler: () => void): () => void;
  readonly listening: boolean;
}

/** A LISTEN channel name: plain, lower case, at most 63 characters. */
export function assertChannelName(channel: string): void {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`not a plain channel name: ${channel}`);
}

/**
 * The handler bookkeeping both kinds of NoticeListener share: each channel's notice and
 * reconnection handlers, called in the order they subscribed (a copy of the set, so a
 * handler may unsubscribe while they run); a handler that throws is logged and the others
 * still run.
 */
export abstract class NoticeHandlers<T> {
  private readonly handlers = new Set<(payload: T) => void>();
  private readonly reconnectHandlers = new Set<() => void>();

  protected constructor(
    readonly channel: string,
    protected readonly logger: Logger,
  ) {}

  subscribe(handler: (payload: T) => void): () => void {
    this.handlers.add(handler);
    return () => {
      this.handlers.delete(handler);
    };
  }

  onReconnect(handler: () => void): () => void {
    this.reconnectHandlers.add(handler);
    return () => {
      this.reconnectHandlers.delete(handler);
    };
  }

  /** Hands one notice to every handler. */
  protected deliver(payload: T): void {
    for (const h of [...this.handlers]) {
      try {
        h(payload);
      } catch (err) {
        this.logger.error(`${this.channel} handler failed: ${errorMessage(err)}`);
      }
    }
  }

  /** Calls every reconnection handler. */
  protected reconnected(): void {
    for (const h of [...this.reconnectHandlers]) {
      try {
        h();
      } catch (err) {
        this.logger.error(`reconnect handler failed: ${errorMessage(err)}`);
      }
    }
  }

  /** Forgets every handler (on stop). */
  protected clearHandlers(): void {
    this.handlers.clear();
    this.reconnectHandlers.clear();
  }
}

/** An error's message for a log line (the listeners' and the bus's). */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
