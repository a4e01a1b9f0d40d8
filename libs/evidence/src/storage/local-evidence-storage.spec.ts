import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EVIDENCE_MEDIA_TYPES } from '@app/common';
import { CSV_JA, pdf, png, windowsExe, xlsx } from '../../../../test/evidence/support-files';
import { EvidenceError } from '../domain/evidence.errors';
import { LocalEvidenceStorage } from './local-evidence-storage';
import { openVerified } from './verified-read';

const ALL = { maxBytes: 52_428_800, allowedTypes: EVIDENCE_MEDIA_TYPES };
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A source that yields `chunks` chunk by chunk and counts what was pulled from it. */
function counted(chunks: Buffer[], failAfter?: number) {
  const state = { pulled: 0, bytes: 0 };
  const stream = new Readable({
    read() {
      if (failAfter !== undefined && state.pulled === failAfter) {
        this.destroy(new Error('client went away'));
        return;
      }
      const next = chunks[state.pulled];
      if (!next) return void this.push(null);
      state.pulled++;
      state.bytes += next.length;
      this.push(next);
    },
  });
  return { stream, state };
}

async function refusal(p: Promise<unknown>): Promise<EvidenceError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EvidenceError);
  return err as EvidenceError;
}

/** Every file under a directory, relative. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

describe('LocalEvidenceStorage: content-addressed evidence files on disk', () => {
  let root: string;
  let storage: LocalEvidenceStorage;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'evidence-store-'));
    storage = new LocalEvidenceStorage(root);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('stores a file under <aa>/<bb>/<sha256> of its bytes, with its size and the type its bytes show', async () => {
    const bytes = xlsx();
    const staged = await storage.stage(Readable.from([bytes.subarray(0, 50), bytes.subarray(50)]), ALL);
    expect(staged).toMatchObject({
      sha256: sha(bytes),
      sizeBytes: bytes.length,
      mediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    });
    expect(filesUnder(path.join(root, 'tmp'))).toHaveLength(1); // held aside until committed
    expect(await staged.commit()).toEqual({ created: true });
    const h = sha(bytes);
    expect(filesUnder(root)).toEqual([path.join(h.slice(0, 2), h.slice(2, 4), h)]);
    expect(fs.readFileSync(storage.pathOf(h)).equals(bytes)).toBe(true);
    expect(await storage.exists(h)).toBe(true);
  });

  it('keeps the blob already stored for the same bytes and drops the new copy', async () => {
    const bytes = Buffer.from(CSV_JA);
    await (await storage.stage(Readable.from([bytes]), ALL)).commit();
    const before = fs.statSync(storage.pathOf(sha(bytes)));
    const again = await storage.stage(Readable.from([bytes]), ALL);
    expect(await again.commit()).toEqual({ created: false });
    expect(fs.statSync(storage.pathOf(sha(bytes))).ino).toBe(before.ino);
    expect(filesUnder(root)).toHaveLength(1);
  });

  it('a discarded upload leaves nothing', async () => {
    const staged = await storage.stage(Readable.from([pdf()]), ALL);
    await staged.discard();
    expect(filesUnder(root)).toEqual([]);
    await expect(staged.commit()).rejects.toThrow(/already committed or discarded/);
  });

  it('stops reading at the size limit (FILE_TOO_LARGE with limitBytes) and removes the partial file', async () => {
    const chunk = Buffer.concat([pdf(), Buffer.alloc(64 * 1024 - pdf().length, 0x20)]);
    const { stream, state } = counted(Array.from({ length: 100 }, () => chunk));
    const err = await refusal(storage.stage(stream, { ...ALL, maxBytes: 150_000 }));
    expect(err.code).toBe('FILE_TOO_LARGE');
    expect(err.details).toEqual({ limitBytes: 150_000 });
    expect(state.pulled).toBeLessThanOrEqual(4); // the third chunk passes the limit; not the 100 on offer
    expect(stream.destroyed).toBe(true);
    expect(filesUnder(root)).toEqual([]);
  });

  it('accepts exactly the limit and refuses one byte more', async () => {
    const body = Buffer.concat([pdf(), Buffer.alloc(4096 - pdf().length, 0x20)]);
    const ok = await storage.stage(Readable.from([body]), { ...ALL, maxBytes: 4096 });
    expect(ok.sizeBytes).toBe(4096);
    await ok.discard();
    const err = await refusal(storage.stage(Readable.from([body, Buffer.from(' ')]), { ...ALL, maxBytes: 4096 }));
    expect(err.code).toBe('FILE_TOO_LARGE');
  });

  it('the default limit is 50 MiB: 50 MiB pass, 50 MiB + 1 byte do not', async () => {
    const mib = Buffer.alloc(1024 * 1024, 0x20);
    const fifty = () => [Buffer.concat([pdf(), mib.subarray(pdf().length)]), ...Array.from({ length: 49 }, () => mib)];
    const ok = await storage.stage(Readable.from(fifty()), ALL);
    expect(ok.sizeBytes).toBe(52_428_800);
    await ok.discard();
    const err = await refusal(storage.stage(Readable.from([...fifty(), Buffer.from(' ')]), ALL));
    expect(err.details).toEqual({ limitBytes: 52_428_800 });
    expect(filesUnder(root)).toEqual([]);
  });

  it('refuses an empty file (FILE_EMPTY)', async () => {
    const err = await refusal(storage.stage(Readable.from([]), ALL));
    expect(err.code).toBe('FILE_EMPTY');
    expect(filesUnder(root)).toEqual([]);
  });

  it('refuses an executable as soon as its first bytes are seen, whatever comes after', async () => {
    const { stream, state } = counted([windowsExe(), ...Array.from({ length: 50 }, () => Buffer.alloc(1000))]);
    const err = await refusal(storage.stage(stream, ALL));
    expect(err.code).toBe('FILE_TYPE_NOT_ALLOWED');
    expect(err.details).toEqual({ detected: 'application/x-msdownload', allowed: [...EVIDENCE_MEDIA_TYPES] });
    expect(state.pulled).toBe(1);
    expect(filesUnder(root)).toEqual([]);
  });

  it('refuses a type the configuration does not allow, naming what the bytes are', async () => {
    const err = await refusal(storage.stage(Readable.from([png()]), { ...ALL, allowedTypes: ['application/pdf'] }));
    expect(err.details).toEqual({ detected: 'image/png', allowed: ['application/pdf'] });
    const err2 = await refusal(storage.stage(Readable.from([Buffer.from(CSV_JA)]), { ...ALL, allowedTypes: ['text/plain'] }));
    expect(err2.details).toMatchObject({ detected: 'text/csv' });
    expect(filesUnder(root)).toEqual([]);
  });

  it('an upload cut off half way (the source errors) leaves nothing and reports the source error', async () => {
    const { stream } = counted([pdf(), Buffer.alloc(1000, 0x20), Buffer.alloc(1000, 0x20)], 2);
    await expect(storage.stage(stream, ALL)).rejects.toThrow('client went away');
    expect(filesUnder(root)).toEqual([]);
  });

  it('a source that fails before it is read (while the temp file opens) is reported, not left unhandled', async () => {
    const source = new Readable({ read() {} });
    source.push(pdf());
    process.nextTick(() => source.destroy(new Error('Unexpected end of form')));
    await expect(storage.stage(source, ALL)).rejects.toThrow('Unexpected end of form');
    expect(filesUnder(root)).toEqual([]);
  });

  it('reads a stored blob back, and reports a missing one as STORAGE_INTEGRITY', async () => {
    const bytes = Buffer.from(CSV_JA);
    await (await storage.stage(Readable.from([bytes]), ALL)).commit();
    const blob = await storage.open(sha(bytes));
    expect(blob.sizeBytes).toBe(bytes.length);
    expect(await text(blob.stream())).toBe(CSV_JA);
    expect(await text(blob.stream())).toBe(CSV_JA); // each stream reads from the start
    await blob.close();
    await storage.remove(sha(bytes));
    expect(await storage.exists(sha(bytes))).toBe(false);
    expect((await refusal(storage.open(sha(bytes)))).code).toBe('STORAGE_INTEGRITY');
  });

  it('never turns anything but a hex SHA-256 into a path', () => {
    for (const bad of ['../../etc/passwd', 'A'.repeat(64), 'ab/cd', '', `${'a'.repeat(63)}/`]) {
      expect(() => storage.pathOf(bad)).toThrow(EvidenceError);
    }
  });

  it('sweeps upload temp files left by a crash, once they are old', async () => {
    fs.mkdirSync(storage.tempDir, { recursive: true });
    const old = path.join(storage.tempDir, 'old.part');
    fs.writeFileSync(old, 'x');
    fs.writeFileSync(path.join(storage.tempDir, 'new.part'), 'x');
    fs.utimesSync(old, new Date(Date.now() - 2 * 3600_000), new Date(Date.now() - 2 * 3600_000));
    expect(await storage.sweepTemp(3600_000)).toBe(1);
    expect(fs.readdirSync(storage.tempDir)).toEqual(['new.part']);
  });

  it('names temp files after the writing process, and a sweep removes those whose writer is gone however young', async () => {
    const staged = await storage.stage(Readable.from([pdf()]), ALL);
    expect(fs.readdirSync(storage.tempDir)).toEqual([expect.stringMatching(new RegExp(`^${process.pid}-[0-9a-f-]{36}~[^~]+\\.part$`))]);
    await staged.discard();

    const gone = spawnSync(process.execPath, ['-e', '']).pid!; // a process that has exited
    const alive = process.ppid; // a running process that is not this one
    // An upload in progress on another host sharing the directory (EVIDENCE_SHARED_DIRECTORY): its pid means nothing here.
    const otherHost = `${gone}-d~another-host.example.part`;
    for (const name of [`${gone}-a.part`, `${alive}-b.part`, `${process.pid}-c.part`, 'unnamed.part', otherHost])
      fs.writeFileSync(path.join(storage.tempDir, name), 'x');
    // Hourly: an upload in progress (this process's, another running one's, another host's) is left alone.
    expect(await storage.sweepTemp(3600_000)).toBe(1);
    expect(fs.readdirSync(storage.tempDir).sort()).toEqual([`${alive}-b.part`, `${process.pid}-c.part`, 'unnamed.part', otherHost].sort());
    // At start-up this process has begun no upload: its pid's files (a restarted container
    // reuses pids) and unnamed ones (older versions) go too; another running process's and another host's stay.
    expect(await storage.sweepTemp(3600_000, Date.now(), { startup: true })).toBe(2);
    expect(fs.readdirSync(storage.tempDir).sort()).toEqual([`${alive}-b.part`, otherHost].sort());
    // Another host's file goes once it is older than the limit, like any other.
    const old = new Date(Date.now() - 2 * 3600_000);
    fs.utimesSync(path.join(storage.tempDir, otherHost), old, old);
    expect(await storage.sweepTemp(3600_000)).toBe(1);
    expect(fs.readdirSync(storage.tempDir)).toEqual([`${alive}-b.part`]);
  });

  it('lists the stored blobs with the time they were stored, and nothing else (temp files, strays)', async () => {
    const a = Buffer.from(CSV_JA);
    const b = pdf();
    await (await storage.stage(Readable.from([a]), ALL)).commit();
    await (await storage.stage(Readable.from([b]), ALL)).commit();
    await storage.stage(Readable.from([png()]), ALL); // staged, never committed
    fs.writeFileSync(path.join(root, 'README'), 'not a blob');
    fs.mkdirSync(path.join(root, 'zz', 'yy'), { recursive: true });
    fs.writeFileSync(path.join(root, 'zz', 'yy', sha(a)), 'misplaced');
    const then = new Date('2026-01-02T03:04:05Z');
    fs.utimesSync(storage.pathOf(sha(b)), then, then);
    const listed = [];
    for await (const blob of storage.listBlobs()) listed.push(blob);
    expect(listed.map((x) => x.sha256).sort()).toEqual([sha(a), sha(b)].sort());
    expect(listed.find((x) => x.sha256 === sha(b))!.storedAt.toISOString()).toBe(then.toISOString());
  });

  it('storing bytes already stored marks the blob as stored now (a reconciliation does not take it for an old orphan)', async () => {
    const bytes = Buffer.from(CSV_JA);
    await (await storage.stage(Readable.from([bytes]), ALL)).commit();
    const old = new Date('2026-01-02T03:04:05Z');
    fs.utimesSync(storage.pathOf(sha(bytes)), old, old);
    expect(await (await storage.stage(Readable.from([bytes]), ALL)).commit()).toEqual({ created: false });
    expect(fs.statSync(storage.pathOf(sha(bytes))).mtimeMs).toBeGreaterThan(old.getTime());
  });
});

describe('openVerified: downloads are checked against the recorded hash', () => {
  let root: string;
  let storage: LocalEvidenceStorage;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'evidence-store-'));
    storage = new LocalEvidenceStorage(root);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  async function stored(bytes: Buffer) {
    await (await storage.stage(Readable.from([bytes]), ALL)).commit();
    return sha(bytes);
  }

  function corrupt(h: string, bytes: Buffer) {
    fs.chmodSync(storage.pathOf(h), 0o600);
    fs.writeFileSync(storage.pathOf(h), bytes);
  }

  it('serves intact bytes', async () => {
    const h = await stored(Buffer.from(CSV_JA));
    const blob = await openVerified(storage, h);
    expect(await text(blob.stream())).toBe(CSV_JA);
    await blob.close();
  });

  it('refuses before serving a byte when the stored bytes were altered, naming both hashes', async () => {
    const h = await stored(Buffer.from(CSV_JA));
    const altered = Buffer.from(CSV_JA.replace('管理者', '閲覧者'));
    corrupt(h, altered);
    const err = await refusal(openVerified(storage, h));
    expect(err.code).toBe('STORAGE_INTEGRITY');
    expect(err.details).toEqual({ expected: h, actual: sha(altered) });
  });

  it('fails the stream (no clean end) when the bytes change between the check and the sending', async () => {
    const h = await stored(Buffer.from(CSV_JA));
    const blob = await openVerified(storage, h);
    corrupt(h, Buffer.from(CSV_JA.replace('管理者', '閲覧者'))); // same length, rewritten in place
    const err = await refusal(text(blob.stream()));
    expect(err.code).toBe('STORAGE_INTEGRITY');
    await blob.close();
  });
});
