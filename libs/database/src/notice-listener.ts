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
