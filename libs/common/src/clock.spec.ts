import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SystemClock } from './clock';

const clock = new SystemClock();
const at = (iso: string) => new Date(iso);

describe('SystemClock', () => {
  it('reads the wall clock outside a replay', () => {
    const before = Date.now();
    const now = clock.now().getTime();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('replays a past time line inside the scope, a millisecond per reading, through awaits and timers', async () => {
    const readings = await SystemClock.replay(async (time) => {
      time.advanceTo(at('2026-07-10T01:00:00.000Z'));
      const first = clock.now();
      await new Promise((r) => setImmediate(r));
      const second = clock.now();
      time.advanceTo(at('2026-08-03T01:00:00.000Z'));
      const third = await new Promise<Date>((r) => setTimeout(() => r(clock.now()), 1));
      return [first, second, third].map((d) => d.toISOString());
    });
    expect(readings).toEqual(['2026-07-10T01:00:00.000Z', '2026-07-10T01:00:00.001Z', '2026-08-03T01:00:00.000Z']);
  });

  it('leaves work outside the scope on the wall clock, even while a replay runs', async () => {
    let outside: Date | null = null;
    const elsewhere = new Promise<void>((resolve) => {
      setTimeout(() => {
        outside = clock.now();
        resolve();
      }, 5);
    });
    await SystemClock.replay(async (time) => {
      time.advanceTo(at('2026-07-10T01:00:00.000Z'));
      await elsewhere;
      expect(clock.now().toISOString().startsWith('2026-07-10')).toBe(true);
    });
    expect(Math.abs(outside!.getTime() - Date.now())).toBeLessThan(5_000);
  });

  it('never replays the future, never goes back, does not nest, and needs a time before the first reading', async () => {
    await expect(SystemClock.replay(async (time) => time.advanceTo(new Date(Date.now() + 60_000)))).rejects.toThrow(/future/);
    await expect(
      SystemClock.replay(async (time) => {
        time.advanceTo(at('2026-08-03T01:00:00.000Z'));
        time.advanceTo(at('2026-07-10T01:00:00.000Z'));
      }),
    ).rejects.toThrow(/forward/);
    await expect(SystemClock.replay(async () => SystemClock.replay(async () => undefined))).rejects.toThrow(/nest/);
    await expect(SystemClock.replay(async () => clock.now())).rejects.toThrow(/advanceTo/);
  });

  it('reads the wall clock again in a promise left behind by a finished replay', async () => {
    let later: Promise<Date> | null = null;
    await SystemClock.replay(async (time) => {
      time.advanceTo(at('2026-07-10T01:00:00.000Z'));
      later = new Promise<Date>((r) => setTimeout(() => r(clock.now()), 5));
    });
    expect(Math.abs((await later!).getTime() - Date.now())).toBeLessThan(5_000);
  });

  it('is replayed by the demo loader only: no other code of apps/ or libs/ calls SystemClock.replay', () => {
    const root = path.resolve(__dirname, '../../..');
    const callers: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          if (entry.name !== 'node_modules') walk(full);
        } else if (
          /\.tsx?$/.test(entry.name) &&
          !/\.spec\.tsx?$/.test(entry.name) &&
          /\bSystemClock\s*\.\s*replay\b|\bReplayedTime\b/.test(fs.readFileSync(full, 'utf8'))
        ) {
          callers.push(path.relative(root, full));
        }
      }
    };
    walk(path.join(root, 'apps'));
    walk(path.join(root, 'libs'));
    expect(
      callers.filter((f) => !f.startsWith(`libs${path.sep}demo${path.sep}`) && f !== path.join('libs', 'common', 'src', 'clock.ts')),
    ).toEqual([]);
    expect(callers.some((f) => f.startsWith(`libs${path.sep}demo${path.sep}`))).toBe(true);
  });
});
