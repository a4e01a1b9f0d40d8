import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { manifestTxt } from '@app/proofs';
import { readZip } from '../../../test/bundles/bundle-zip-reader';
import { safeFileName } from './bundle-layout';
import { writeZip, ZipContentMismatch, type ZipEntry } from './bundle-zip';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-bundle-zip-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const evidence = Buffer.from('証跡ファイルの中身 — アクセスログ 2026-11-30\n'.repeat(5000));

function entries(bytes = evidence): ZipEntry[] {
  return [
    { path: 'bag/manifest-sha256.txt', bytes: Buffer.from(`${sha(evidence)}  data/evidence/x/log.txt\n`) },
    { path: 'VERIFY.txt', bytes: Buffer.from('確かめ方\n') },
    // A stream in small chunks, as the store gives it.
    { path: 'bag/data/evidence/x/ログ.txt', size: evidence.length, sha256: sha(evidence), open: async () => Readable.from(chunks(bytes)) },
    { path: 'bag/bagit.txt', bytes: Buffer.from('BagIt-Version: 1.0\n') },
  ];
}

function* chunks(b: Buffer): Generator<Buffer> {
  for (let i = 0; i < b.length; i += 4096) yield b.subarray(i, i + 4096);
}

async function zipIn(tz: string, name: string, e = entries()): Promise<Buffer> {
  const before = process.env.TZ;
  process.env.TZ = tz;
  try {
    const target = path.join(dir, name);
    const out = await writeZip(target, e);
    const bytes = fs.readFileSync(target);
    expect(out).toEqual({ sha256: sha(bytes), size: bytes.length });
    return bytes;
  } finally {
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;
  }
}

describe('the bundle zip', () => {
  it('is the same bytes whatever the time zone and the moment: sorted, stored, DOS time 1980-01-01 00:00, no time extra field', async () => {
    const tokyo = await zipIn('Asia/Tokyo', 'a.zip');
    const newYork = await zipIn('America/New_York', 'b.zip');
    expect(newYork.equals(tokyo)).toBe(true);
    const read = await readZip(tokyo);
    expect(read.map((e) => e.path)).toEqual(['VERIFY.txt', 'bag/bagit.txt', 'bag/data/evidence/x/ログ.txt', 'bag/manifest-sha256.txt']);
    for (const e of read) {
      expect(e.compressionMethod).toBe(0);
      expect([e.lastModDate, e.lastModTime]).toEqual([(0 << 9) | (1 << 5) | 1, 0]);
      expect(e.extraFieldLength).toBe(0);
    }
    expect(read[2]!.bytes.equals(evidence)).toBe(true);
  });

  it('fails when a streamed file is not its recorded bytes (changed or cut short), and leaves nothing behind', async () => {
    const changed = Buffer.from(evidence);
    changed[100] ^= 1;
    for (const [name, bytes] of [
      ['changed.zip', changed],
      ['short.zip', evidence.subarray(0, evidence.length - 1)],
      ['long.zip', Buffer.concat([evidence, Buffer.from('x')])],
    ] as const) {
      const target = path.join(dir, name);
      const err = await writeZip(target, entries(bytes)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ZipContentMismatch);
      expect((err as ZipContentMismatch).entryPath).toBe('bag/data/evidence/x/ログ.txt');
      expect(fs.readdirSync(dir).filter((f) => f.startsWith(name))).toEqual([]);
    }
  });

  it('orders entries as the manifests do (UTF-16 code units: 🔐 before ～, unlike code-point order)', async () => {
    const names = ['bag/data/evidence/x/～メモ.txt', 'bag/data/evidence/x/🔐鍵.txt', 'bag/data/evidence/x/Ａ.txt'];
    const target = path.join(dir, 'order.zip');
    await writeZip(
      target,
      names.map((p) => ({ path: p, bytes: Buffer.from(p) })),
    );
    const manifest = manifestTxt(names.map((p) => ({ path: p, sha256: sha(Buffer.from(p)) })));
    const read = await readZip(fs.readFileSync(target));
    expect(read.map((e) => `${sha(e.bytes)}  ${e.path}\n`).join('')).toBe(manifest);
    expect(read.map((e) => e.path)).toEqual([names[1], names[2], names[0]]);
  });

  it('refuses two entries with one path', async () => {
    const e = entries();
    await expect(writeZip(path.join(dir, 'twice.zip'), [...e, e[0]!])).rejects.toThrow(/two zip entries named bag\/manifest-sha256.txt/);
  });
});

describe('an evidence file name in the bag', () => {
  it('is one path segment: separators and control characters become _, nothing empty or dot-only, at most 200 bytes keeping the extension', () => {
    expect(safeFileName('アクセスログ_2026-11.pdf')).toBe('アクセスログ_2026-11.pdf');
    expect(safeFileName('../../etc/passwd')).toBe('.._.._etc_passwd');
    expect(safeFileName('a\\b\u0007c.txt')).toBe('a_b_c.txt');
    expect(safeFileName('..')).toBe('file');
    expect(safeFileName('  ')).toBe('file');
    const long = `${'長'.repeat(100)}.xlsx`;
    const safe = safeFileName(long);
    expect(Buffer.byteLength(safe)).toBeLessThanOrEqual(200);
    expect(safe.endsWith('長.xlsx')).toBe(true);
  });

  it('cuts a long name by whole characters: an emoji is never split (the zip path and the record name the same bytes)', () => {
    const tail = '退職者アカウント棚卸し.xlsx';
    // Every byte offset of the cut against the 10-byte run 🔐監査 (one of them once split the 🔐).
    for (let pad = 0; pad < 10; pad++) {
      const name = `${'🔐監査'.repeat(22)}${'_'.repeat(pad)}${tail}`;
      expect(Buffer.byteLength(name)).toBeGreaterThanOrEqual(250);
      const safe = safeFileName(name);
      expect(safe).not.toMatch(/\p{Cs}/u);
      expect(Buffer.from(safe, 'utf8').toString('utf8')).toBe(safe);
      expect(Buffer.byteLength(safe)).toBeLessThanOrEqual(200);
      expect(Buffer.byteLength(safe)).toBeGreaterThan(195);
      expect(safe.endsWith(tail)).toBe(true);
      expect(name.endsWith(safe)).toBe(true);
    }
  });

  it('turns a lone surrogate of the given name into U+FFFD, as UTF-8 would write it', () => {
    expect(safeFileName('証跡\ud83d.txt')).toBe('証跡\ufffd.txt');
  });
});
