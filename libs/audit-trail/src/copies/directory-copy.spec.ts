import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { copyToDirectory, newestCheckpointFile } from './directory-copy';

const NOTE = 'tracker.example.co.jp/trail\n7\nq6Nh0gGGYx0bYw8mAhxIbTZnfg4DGhmyOGHcmM0AsKw=\n\n— tracker.example.co.jp/trail AAAA\n';
const checkpoint = { treeSize: '7', origin: 'tracker.example.co.jp/trail', text: NOTE, createdAt: new Date() };
const NAME = 'tracker.example.co.jp_trail-000000000007.txt';

describe('the checkpoint file copy', () => {
  const dirs: string[] = [];
  const newDir = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-copy-'));
    dirs.push(d);
    return path.join(d, 'checkpoints', 'nested');
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('writes the note, read-only, under its name (making the directory), and leaves no temporary file', async () => {
    const dir = newDir();
    expect(await copyToDirectory(dir, checkpoint)).toEqual({ ok: true });
    expect(fs.readdirSync(dir)).toEqual([NAME]);
    expect(fs.readFileSync(path.join(dir, NAME), 'utf8')).toBe(NOTE);
    expect(fs.statSync(path.join(dir, NAME)).mode & 0o777).toBe(0o444);
  });

  it('counts the same bytes already there as done, and never touches them', async () => {
    const dir = newDir();
    await copyToDirectory(dir, checkpoint);
    const before = fs.statSync(path.join(dir, NAME));
    expect(await copyToDirectory(dir, checkpoint)).toEqual({ ok: true });
    expect(fs.statSync(path.join(dir, NAME)).ino).toBe(before.ino);
    expect(fs.readdirSync(dir)).toEqual([NAME]);
  });

  it('raises the alarm, at once and for good, when other bytes are there, and leaves them as they are', async () => {
    const dir = newDir();
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, NAME), '書き換えられた\n');
    const result = await copyToDirectory(dir, checkpoint);
    expect(result).toMatchObject({ ok: false, final: true });
    expect((result as { error: string }).error).toContain(
      'a different checkpoint of this size exists: the trail forked or the file was changed',
    );
    expect(fs.readFileSync(path.join(dir, NAME), 'utf8')).toBe('書き換えられた\n');
    expect(fs.readdirSync(dir)).toEqual([NAME]);
  });

  it('reports a directory it cannot write to as a failed try (retried), not an alarm', async () => {
    const dir = newDir();
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    fs.writeFileSync(dir, 'a file where the directory should be');
    const result = await copyToDirectory(dir, checkpoint);
    expect(result).toMatchObject({ ok: false });
    expect((result as { final?: boolean }).final).toBeUndefined();
    expect((result as { error: string }).error).toContain(`could not write ${path.join(dir, NAME)}`);
  });

  it('finds the largest checkpoint file of the origin (not another origin’s, not a temporary file), or none', async () => {
    const dir = newDir();
    expect(await newestCheckpointFile(dir, checkpoint.origin)).toBeNull();
    await copyToDirectory(dir, checkpoint);
    await copyToDirectory(dir, { ...checkpoint, treeSize: '12', text: `${NOTE}12` });
    await copyToDirectory(dir, { ...checkpoint, treeSize: '9' });
    await copyToDirectory(dir, { ...checkpoint, origin: 'other.example.co.jp/trail', treeSize: '99' });
    fs.writeFileSync(path.join(dir, '.tmp-tracker.example.co.jp_trail-000000000050.txt-1'), 'half');
    expect(await newestCheckpointFile(dir, checkpoint.origin)).toEqual({
      name: 'tracker.example.co.jp_trail-000000000012.txt',
      treeSize: 12,
      text: `${NOTE}12`,
    });
  });
});
