import { describe, expect, it } from 'vitest';
import { Loader } from './loader-helpers';

/** A loader of `v:<key>` whose every batch (the keys it was asked for) is recorded; `fail` makes the next batch reject. */
function recording() {
  const batches: string[][] = [];
  const state = { fail: false };
  const loader = new Loader<string, string>(async (keys) => {
    batches.push([...keys]);
    if (state.fail) {
      state.fail = false;
      throw new Error('the database went away');
    }
    return keys.map((k) => `v:${k}`);
  });
  return { loader, batches, state };
}

describe('Loader.loadAll', () => {
  it('loads every key with the other loads of the tick in one batch, each key once', async () => {
    const { loader, batches } = recording();
    const [all, one, again] = await Promise.all([loader.loadAll(['a', 'b', 'c', 'b']), loader.load('d'), loader.loadAll(['c', 'e'])]);
    expect(all).toEqual(['v:a', 'v:b', 'v:c', 'v:b']);
    expect(one).toBe('v:d');
    expect(again).toEqual(['v:c', 'v:e']);
    expect(batches).toHaveLength(1);
    expect([...batches[0]!].sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('answers at once afterwards, for every key it loaded, and asks again for none of them', async () => {
    const { loader, batches } = recording();
    await loader.loadAll(['a', 'b', 'c']);
    expect(loader.get('c')).toBe('v:c');
    expect(loader.getMany(['a', 'b'])).toEqual(['v:a', 'v:b']);
    expect(await loader.load('b')).toBe('v:b');
    expect(await loader.loadAll(['c', 'a'])).toEqual(['v:c', 'v:a']);
    expect(batches).toEqual([['a', 'b', 'c']]);
  });

  it('still gives every key when its first key is already on its way in an earlier batch', async () => {
    const { loader, batches } = recording();
    const earlier = loader.load('a');
    await Promise.resolve(); // the earlier batch is queued, not answered
    const all = await loader.loadAll(['a', 'b', 'c']);
    expect(await earlier).toBe('v:a');
    expect(all).toEqual(['v:a', 'v:b', 'v:c']);
    expect(batches.flat().sort()).toEqual(['a', 'b', 'c']);
  });

  it('waits for keys that rode along in a batch not yet answered instead of sending them again', async () => {
    // A batch answered only when released: a page's first users are on their way when a later branch
    // (the contributors, once they are read) asks for some of the same users.
    const batches: string[][] = [];
    const releases: (() => void)[] = [];
    const loader = new Loader<string, string>((keys) => {
      batches.push([...keys]);
      return new Promise((resolve) => releases.push(() => resolve(keys.map((k) => `v:${k}`))));
    });
    const first = loader.loadAll(['a', 'b', 'c']); // 'a' queued, 'b' and 'c' riding along
    await new Promise((resolve) => setImmediate(resolve)); // the batch is sent, not answered
    expect(batches).toEqual([['a', 'b', 'c']]);
    const again = loader.loadAll(['c', 'b']);
    const one = loader.load('b');
    const many = loader.getMany(['c']);
    const mixed = loader.loadAll(['b', 'd']); // 'd' is new: only it is sent
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([['a', 'b', 'c'], ['d']]);
    for (const release of releases.splice(0)) release();
    await new Promise((resolve) => setImmediate(resolve));
    for (const release of releases.splice(0)) release();
    expect(await first).toEqual(['v:a', 'v:b', 'v:c']);
    expect(await again).toEqual(['v:c', 'v:b']);
    expect(await one).toBe('v:b');
    expect(await many).toEqual(['v:c']);
    expect(await mixed).toEqual(['v:b', 'v:d']);
    expect(batches).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it('fails with the batch it waited for, and the next call loads those keys again', async () => {
    const batches: string[][] = [];
    const settle: ((fail: boolean) => void)[] = [];
    const loader = new Loader<string, string>((keys) => {
      batches.push([...keys]);
      return new Promise((resolve, reject) =>
        settle.push((fail) => (fail ? reject(new Error('the database went away')) : resolve(keys.map((k) => `v:${k}`)))),
      );
    });
    const first = loader.loadAll(['a', 'b']);
    await new Promise((resolve) => setImmediate(resolve));
    const again = loader.loadAll(['b']);
    const one = loader.load('b');
    settle.shift()!(true);
    await expect(first).rejects.toThrow('the database went away');
    await expect(again).rejects.toThrow('the database went away');
    await expect(one).rejects.toThrow('the database went away');
    expect(batches).toEqual([['a', 'b']]);
    const later = loader.loadAll(['b']);
    await new Promise((resolve) => setImmediate(resolve));
    settle.shift()!(false);
    expect(await later).toEqual(['v:b']);
    expect(batches).toEqual([['a', 'b'], ['b']]);
  });

  it('rejects when its batch fails, and the next call loads those keys again', async () => {
    const { loader, batches, state } = recording();
    state.fail = true;
    await expect(loader.loadAll(['a', 'b'])).rejects.toThrow('the database went away');
    loader.clearAll(); // as a request would not: a fresh start on the same loader
    expect(await loader.loadAll(['b', 'c'])).toEqual(['v:b', 'v:c']);
    expect(batches).toEqual([
      ['a', 'b'],
      ['b', 'c'],
    ]);
  });

  it('forgets a cleared key', async () => {
    const { loader, batches } = recording();
    await loader.loadAll(['a', 'b']);
    loader.clear('b');
    expect(loader.get('b')).toBeInstanceOf(Promise);
    expect(await loader.loadAll(['a', 'b'])).toEqual(['v:a', 'v:b']);
    expect(batches).toEqual([['a', 'b'], ['b']]);
  });
});
