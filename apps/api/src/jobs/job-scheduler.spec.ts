import { Logger } from '@nestjs/common';
import type PgBoss from 'pg-boss';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { JobScheduler } from './job-scheduler';

/**
 * The schedule clock's minutes: which minutes each look reads, on pg-boss's API (getSchedules, send) kept in memory
 * here, with fake timers; the e2e specs (test/jobs, test/cluster) run it on the real queue.
 */
function fakeBoss(schedules: { name: string; cron: string; timezone: string }[]) {
  const sent: string[] = [];
  const failing = new Set<string>();
  let down = false;
  const boss = {
    getSchedules: () =>
      down ? Promise.reject(new Error('connection refused')) : Promise.resolve(schedules.map((s) => ({ ...s, data: {} }))),
    send: (name: string, _data: object, options: PgBoss.SendOptions) => {
      if (failing.has(name)) return Promise.reject(new Error(`cannot send ${name}`));
      expect(options).toEqual({ singletonKey: name, singletonSeconds: 60 });
      sent.push(name);
      return Promise.resolve(`id-${sent.length}`);
    },
  };
  return { boss: boss as unknown as PgBoss, sent, failing, setDown: (d: boolean) => (down = d) };
}

function scheduler(boss: PgBoss, opts: { skewMs?: number; log?: Logger } = {}) {
  const made: string[] = [];
  const s = new JobScheduler(boss, opts.log ?? new Logger('test'), {
    sendOptions: (name) => (name.startsWith('unknown') ? null : { singletonKey: name, singletonSeconds: 60 }),
    databaseNow: () => Promise.resolve(Date.now() + (opts.skewMs ?? 0)),
    made: (name) => made.push(name),
  });
  return { s, made };
}

const SCHEDULES = [
  { name: 'at-noon', cron: '0 12 * * *', timezone: 'UTC' },
  { name: 'at-12-02', cron: '2 12 * * *', timezone: 'UTC' },
  { name: 'at-12-10', cron: '10 12 * * *', timezone: 'UTC' },
  { name: 'at-11-00', cron: '0 11 * * *', timezone: 'UTC' },
  { name: 'tokyo-21-01', cron: '1 21 * * *', timezone: 'Asia/Tokyo' },
];

describe('JobScheduler: a look each minute of the database’s clock', () => {
  afterEach(() => vi.useRealTimers());

  it('looks at the current minute at start, then at each minute; a late look also sends what fell due since the last (an hour at most)', async () => {
    vi.useFakeTimers({ now: new Date('2026-12-07T12:00:30Z') });
    const { boss, sent } = fakeBoss(SCHEDULES);
    const { s, made } = scheduler(boss);
    s.start();
    s.start(); // a second start adds no second clock
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual(['at-noon']);

    // 12:01:01: the next look (21:01 in Tokyo).
    await vi.advanceTimersByTimeAsync(31_000);
    expect(sent).toEqual(['at-noon', 'tokyo-21-01']);

    // The thread held up for twenty minutes: the next look reads 12:02 … 12:21.
    vi.setSystemTime(new Date('2026-12-07T12:21:20Z'));
    await vi.advanceTimersToNextTimerAsync();
    expect(sent).toEqual(['at-noon', 'tokyo-21-01', 'at-12-02', 'at-12-10']);
    expect(made).toEqual(sent);

    await s.stop();
    await vi.advanceTimersByTimeAsync(24 * 60 * 60_000);
    expect(sent).toHaveLength(4);
  });

  it('a look that fails (the database away) is looked at again by the next: the minute’s job is late, not lost', async () => {
    vi.useFakeTimers({ now: new Date('2026-12-07T11:59:30Z') });
    const { boss, sent, setDown } = fakeBoss(SCHEDULES);
    const log = new Logger('test');
    const error = vi.spyOn(log, 'error').mockImplementation(() => undefined);
    const { s } = scheduler(boss, { log });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    setDown(true);
    await vi.advanceTimersByTimeAsync(31_000 + 2 * 60_000); // the looks at 12:00 and 12:01 fail
    expect(sent).toEqual([]);
    expect(error).toHaveBeenCalledWith(expect.stringContaining('connection refused'));
    setDown(false);
    await vi.advanceTimersByTimeAsync(60_000); // 12:02:01 reads 12:00 … 12:02
    expect(sent).toEqual(['at-noon', 'at-12-02', 'tokyo-21-01']);
    await s.stop();
  });

  it('one schedule that cannot be sent does not keep the others back, and is tried again at the next look', async () => {
    vi.useFakeTimers({ now: new Date('2026-12-07T11:59:30Z') });
    const { boss, sent, failing } = fakeBoss(SCHEDULES);
    const log = new Logger('test');
    vi.spyOn(log, 'error').mockImplementation(() => undefined);
    const { s } = scheduler(boss, { log });
    failing.add('at-noon');
    s.start();
    await vi.advanceTimersByTimeAsync(31_000); // 12:00:01
    failing.delete('at-noon');
    await vi.advanceTimersByTimeAsync(60_000); // 12:01:01 reads 12:00 and 12:01 again
    expect(sent).toEqual(['at-noon', 'tokyo-21-01']);
    await s.stop();
  });

  it('follows the database’s clock, not this machine’s (two minutes behind here)', async () => {
    vi.useFakeTimers({ now: new Date('2026-12-07T12:00:30Z') });
    const { boss, sent } = fakeBoss(SCHEDULES);
    const log = new Logger('test');
    const warn = vi.spyOn(log, 'warn').mockImplementation(() => undefined);
    const { s } = scheduler(boss, { skewMs: 120_000, log });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual(['at-12-02']); // 12:02:30 by the database
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('120 s from the database'));
    await s.stop();
  });

  it('skips what it cannot read or does not know, and sends the rest', async () => {
    vi.useFakeTimers({ now: new Date('2026-12-07T12:00:30Z') });
    const { boss, sent } = fakeBoss([
      { name: 'broken', cron: '0 12 * * * *', timezone: 'UTC' },
      { name: 'unknown-queue', cron: '0 12 * * *', timezone: 'UTC' },
      { name: 'at-noon', cron: '0 12 * * *', timezone: 'UTC' },
    ]);
    const log = new Logger('test');
    const error = vi.spyOn(log, 'error').mockImplementation(() => undefined);
    const warn = vi.spyOn(log, 'warn').mockImplementation(() => undefined);
    const { s } = scheduler(boss, { log });
    expect(await s.sendDue([new Date('2026-12-07T12:00:00Z')])).toEqual(['at-noon']);
    expect(sent).toEqual(['at-noon']);
    expect(error).toHaveBeenCalledWith(expect.stringContaining('job schedule broken: cannot read cron'));
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('unknown-queue: no such queue'));
  });
});
