import { Logger } from '@nestjs/common';
import type { Notification } from 'pg';
import type { DataSource } from 'typeorm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { NoticeListener } from './notice-listener';
import { PgNotifications } from './pg-notifications';
import { type RedisNoticeHub, RedisNoticeListener } from './redis-notices';

/** Both kinds of listener, each with a way to hand it a notice and to tell it the connection came back (no server needed). */
const kinds: {
  name: string;
  make: () => { l: NoticeListener<{ n: number }>; notice: (p: { n: number }) => void; reconnect: () => void };
}[] = [
  {
    name: 'PgNotifications',
    make: () => {
      const l = new PgNotifications<{ n: number }>({ options: {} } as DataSource, 'some_channel');
      const inner = l as unknown as { dispatch(m: Notification): void; reconnected(): void };
      return {
        l,
        notice: (p) => inner.dispatch({ channel: 'some_channel', payload: JSON.stringify(p), processId: 1 }),
        reconnect: () => inner.reconnected(),
      };
    },
  },
  {
    name: 'RedisNoticeListener',
    make: () => {
      const hub = { detach: () => Promise.resolve(), isSubscribed: () => false } as unknown as RedisNoticeHub;
      const l = new RedisNoticeListener<{ n: number }>(hub, 'some_channel');
      return { l, notice: (p) => l.deliver(p), reconnect: () => l.reconnected() };
    },
  },
];

describe.each(kinds)('$name: the handlers of one channel', ({ make }) => {
  afterEach(() => vi.restoreAllMocks());

  it('calls every handler in order; one that throws is logged and the others still run', () => {
    const error = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const { l, notice, reconnect } = make();
    const calls: string[] = [];
    l.subscribe((p) => calls.push(`a${p.n}`));
    l.subscribe(() => {
      throw new Error('boom');
    });
    l.subscribe((p) => calls.push(`c${p.n}`));
    l.onReconnect(() => {
      throw new Error('bang');
    });
    l.onReconnect(() => calls.push('r'));
    notice({ n: 1 });
    reconnect();
    expect(calls).toEqual(['a1', 'c1', 'r']);
    expect(error.mock.calls.map((c) => c[0])).toEqual(['some_channel handler failed: boom', 'reconnect handler failed: bang']);
  });

  it('unsubscribes, even while the handlers run, and forgets them all on stop', async () => {
    const { l, notice, reconnect } = make();
    const calls: string[] = [];
    const offA = l.subscribe(() => {
      calls.push('a');
      offB();
    });
    const offB = l.subscribe(() => calls.push('b'));
    const offR = l.onReconnect(() => calls.push('r'));
    notice({ n: 1 });
    notice({ n: 2 });
    offA();
    offR();
    notice({ n: 3 });
    reconnect();
    expect(calls).toEqual(['a', 'b', 'a']);
    l.subscribe(() => calls.push('late'));
    l.onReconnect(() => calls.push('late r'));
    await l.stop();
    notice({ n: 4 });
    reconnect();
    expect(calls).toEqual(['a', 'b', 'a']);
  });
});
