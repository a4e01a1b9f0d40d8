import { describe, expect, it } from 'vitest';
import { KeyedSlots, Slots } from './slots';

const settled = async <T>(p: Promise<T>): Promise<boolean> => {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
};

describe('Slots', () => {
  it('runs `size` at once, queues `queueSize` more in order, and refuses the rest at once', async () => {
    const slots = new Slots(2, 1);
    const a = slots.take()!;
    const b = slots.take()!;
    const c = slots.take()!;
    expect(slots.take()).toBeNull();
    expect(await settled(a)).toBe(true);
    expect(await settled(b)).toBe(true);
    expect(await settled(c)).toBe(false);
    expect(slots.load).toEqual({ running: 2, waiting: 1 });
    (await a)();
    expect(await settled(c)).toBe(true);
    expect(slots.load).toEqual({ running: 2, waiting: 0 });
    // A release given twice frees one slot only.
    (await b)();
    (await b)();
    expect(slots.load).toEqual({ running: 1, waiting: 0 });
    (await c)();
    expect(slots.load).toEqual({ running: 0, waiting: 0 });
  });

  it('refuses sizes that would block everything or nothing', () => {
    expect(() => new Slots(0)).toThrow(/size/);
    expect(() => new Slots(1, -1)).toThrow(/queueSize/);
  });
});

describe('KeyedSlots', () => {
  it('lets one key hold at most perKey of the shared slots, and gives them back', async () => {
    const keyed = new KeyedSlots(new Slots(3), 2);
    const a1 = await keyed.take('a')!;
    await keyed.take('a')!;
    expect(keyed.take('a')).toBeNull();
    const b1 = await keyed.take('b')!;
    // The shared bound holds for everyone.
    expect(keyed.take('c')).toBeNull();
    a1();
    expect(keyed.take('a')).not.toBeNull();
    b1();
    expect(keyed.take('c')).not.toBeNull();
  });
});
