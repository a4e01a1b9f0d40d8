import { Logger } from '@nestjs/common';
import type PgBoss from 'pg-boss';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { JobScheduler } from './job-scheduler';

/**
 * The schedule clock's minutes: which minutes each look reads, on pg-boss's API (getSchedules, send) kept in memory
 * here; the e2e specs (test/jobs, test/cluster) run it on the real queue.
 */
function fakeBoss(schedules: { name: string; cron: string; timezone: string }[]) {
  const sent: { name: string; at: string; options: unknown }[] = [];
  const boss = {
    getSchedules: () => Promise.resolve(schedules.map((s) => ({ ...s, data: {}, options: { singletonKey: s.name, tz: s.timezone } }))),
    send: (name: string, _data: object, options: unknown) => {
      sent.push({ name, at: new Date().toISOString(), options });
      return Promise.resolve(`id-${sent.length}`);
    },
  };
  return { boss: boss as unknown as PgBoss, sent };
}

describe('JobScheduler: a look each minute', () => {
  afterEach(() => vi.useRealTimers());

  it('looks at the current minute at start, then at each minute; a late look also sends what fell due in the minutes it missed (5 at most)', async () => {
    vi.useFakeTimers({ now: new Date('2026-12-07T12:00:30Z') });
    const { boss, sent } = fakeBoss([
      { name: 'at-noon', cron: '0 12 * * *', timezone: 'UTC' },
      { name: 'at-12-02', cron: '2 12 * * *', timezone: 'UTC' },
      { name: 'at-12-10', cron: '10 12 * * *', timezone: 'UTC' },
      { name: 'tokyo-21-01', cron: '1 21 * * *', timezone: 'Asia/Tokyo' },
    ]);
    const made: string[] = [];
    const scheduler = new JobScheduler(boss, new Logger('test'), (name) => made.push(name));
    scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent.map((s) => s.name)).toEqual(['at-noon']);
    // The singleton options go with the job; the zone does not (it is the schedule's, not the job's).
    expect(sent[0]!.options).toEqual({ singletonKey: 'at-noon' });

    // 12:01:01: the next look (21:01 in Tokyo).
    await vi.advanceTimersByTimeAsync(31_000);
    expect(sent.map((s) => s.name)).toEqual(['at-noon', 'tokyo-21-01']);

    // The thread held up for three minutes: the next look, at 12:04, reads 12:02, 12:03 and 12:04.
    vi.setSystemTime(new Date('2026-12-07T12:04:20Z'));
    await vi.advanceTimersToNextTimerAsync();
    expect(sent.map((s) => s.name)).toEqual(['at-noon', 'tokyo-21-01', 'at-12-02']);

    // Held up for twenty minutes: only the last five are read (12:20 … 12:24), so 12:10 is not sent late.
    vi.setSystemTime(new Date('2026-12-07T12:24:20Z'));
    await vi.advanceTimersToNextTimerAsync();
    expect(sent.map((s) => s.name)).toEqual(['at-noon', 'tokyo-21-01', 'at-12-02']);
    expect(made).toEqual(['at-noon', 'tokyo-21-01', 'at-12-02']);

    await scheduler.stop();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(sent).toHaveLength(3);
  });

  it('a cron it cannot read is logged and skipped; the others are still sent', async () => {
    vi.useFakeTimers({ now: new Date('2026-12-07T12:00:30Z') });
    const { boss, sent } = fakeBoss([
      { name: 'broken', cron: '0 12 * * * *', timezone: 'UTC' },
      { name: 'at-noon', cron: '0 12 * * *', timezone: 'UTC' },
    ]);
    const log = new Logger('test');
    const error = vi.spyOn(log, 'error').mockImplementation(() => undefined);
    const scheduler = new JobScheduler(boss, log, () => undefined);
    expect(await scheduler.sendDue([new Date('2026-12-07T12:00:00Z')])).toEqual(['at-noon']);
    expect(sent.map((s) => s.name)).toEqual(['at-noon']);
    expect(error).toHaveBeenCalledWith(expect.stringContaining('job schedule broken: cannot read cron'));
  });
});
