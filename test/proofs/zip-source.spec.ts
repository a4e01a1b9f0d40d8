import { createHash, randomBytes } from 'node:crypto';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { ZipFile } from 'yazl';
import { openZip, ZipFormatError } from '../../apps/verifier/src/browser/zip-source';
import { withDeclaredSize } from './support/lying-zip';

/**
 * The browser verifier's zip reader (apps/verifier/src/browser/zip-source.ts),
 * run here on Node's Blob and WebCrypto (the same APIs as the browser's): the
 * entries a bundle holds, their exact bytes and SHA-256, whether the zip was
 * stored (as our bundles are) or re-packed deflated by another tool.
 */
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function yazlZip(files: Record<string, Uint8Array>, options: { zip64?: boolean } = {}): Promise<Blob> {
  const zip = new ZipFile();
  for (const [name, bytes] of Object.entries(files)) {
    zip.addBuffer(Buffer.from(bytes), name, {
      compress: false,
      mtime: new Date('1980-01-01T00:00:00Z'),
      forceZip64Format: !!options.zip64,
    });
  }
  zip.end({ forceZip64Format: !!options.zip64, comment: '' });
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream) chunks.push(c as Buffer);
  return new Blob([Buffer.concat(chunks)]);
}

const FILES: Record<string, Uint8Array> = {
  'bag/bagit.txt': new TextEncoder().encode('BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n'),
  'bag/data/evidence/ab/手順書（第2版）.pdf': randomBytes(300_000),
  'bag/data/records/empty.json': new Uint8Array(0),
};

describe('the browser verifier’s zip reader', () => {
  it('lists every entry and gives its exact bytes and SHA-256 (stored, as a bundle is)', async () => {
    const source = await openZip(await yazlZip(FILES));
    expect(source.paths().sort()).toEqual(Object.keys(FILES).sort());
    for (const [name, bytes] of Object.entries(FILES)) {
      expect(Buffer.from(await source.read(name)).equals(Buffer.from(bytes))).toBe(true);
      expect(await source.digest(name)).toEqual({ sha256: sha(bytes), size: bytes.length });
    }
  });

  it('hashes a large file in chunks to the same SHA-256 as WebCrypto', async () => {
    const source = await openZip(await yazlZip(FILES), { webCryptoMaxBytes: 1000, chunkBytes: 4096 });
    const name = 'bag/data/evidence/ab/手順書（第2版）.pdf';
    expect(await source.digest(name)).toEqual({ sha256: sha(FILES[name]), size: FILES[name].length });
  });

  it('reads a zip64 archive', async () => {
    const source = await openZip(await yazlZip(FILES, { zip64: true }));
    expect(source.paths().sort()).toEqual(Object.keys(FILES).sort());
    const name = 'bag/bagit.txt';
    expect(await source.digest(name)).toEqual({ sha256: sha(FILES[name]), size: FILES[name].length });
  });

  it('reads a bundle re-packed deflated with folder entries by another tool (the folders are not files)', async () => {
    const compressible = new TextEncoder().encode('監査証跡のエントリ。'.repeat(20_000));
    const files = { ...FILES, 'bag/data/trail/entries.jsonl': compressible };
    const zipped = zipSync({ 'bag/': {}, 'bag/data/': {}, ...files }, { level: 6 });
    for (const chunkBytes of [1 << 20, 999]) {
      const source = await openZip(new Blob([zipped]), { webCryptoMaxBytes: 10_000, chunkBytes });
      expect(source.paths().sort()).toEqual(Object.keys(files).sort());
      for (const [name, bytes] of Object.entries(files)) {
        expect(Buffer.from(await source.read(name)).equals(Buffer.from(bytes))).toBe(true);
        expect(await source.digest(name)).toEqual({ sha256: sha(bytes), size: bytes.length });
      }
    }
  });

  it('refuses what is not a zip, and an entry that is not there', async () => {
    await expect(openZip(new Blob([new TextEncoder().encode('これは zip ではありません')]))).rejects.toBeInstanceOf(ZipFormatError);
    await expect(openZip(new Blob([]))).rejects.toBeInstanceOf(ZipFormatError);
    const source = await openZip(await yazlZip(FILES));
    await expect(source.read('bag/manifest-sha256.txt')).rejects.toBeInstanceOf(ZipFormatError);
  });

  it('refuses a zip whose central directory names one entry twice', async () => {
    const zip = await yazlZip({ 'bag/a.txt': new Uint8Array([1]), 'bag/b.txt': new Uint8Array([2]) });
    const bytes = new Uint8Array(await zip.arrayBuffer());
    // Rename the second entry in both headers: the same length, so the zip stays well-formed.
    const text = Buffer.from(bytes).toString('latin1').replaceAll('bag/b.txt', 'bag/a.txt');
    await expect(openZip(new Blob([Buffer.from(text, 'latin1')]))).rejects.toThrow(/appears twice/);
  });

  describe('a zip bomb (a deflated entry that lies about its size)', () => {
    // 64 MiB of zeros deflate to ~64 KiB; the zip then claims the entry is 1000 bytes.
    const bomb = new Uint8Array(64 * 1024 * 1024);
    const name = 'bag/data/records/爆弾.json';
    const lying = (declared: number) => withDeclaredSize(zipSync({ [name]: bomb }, { level: 9 }), declared);

    /** A File that counts the bytes sliced out of it. */
    class CountingBlob extends Blob {
      sliced = 0;
      override slice(start?: number, end?: number): Blob {
        this.sliced += (end ?? this.size) - (start ?? 0);
        return super.slice(start, end);
      }
    }

    it('is refused as soon as the inflated bytes pass the declared size, by read() and by both ways of hashing', async () => {
      const zipped = lying(1000);
      const file = new CountingBlob([zipped]);
      const source = await openZip(file, { chunkBytes: 4096 });
      file.sliced = 0;
      await expect(source.read(name)).rejects.toThrow(ZipFormatError);
      await expect(source.read(name)).rejects.toThrow(/more than its declared 1000 bytes/);
      // It stopped at the start of the entry: far from reading its ~64 KiB of deflated bytes.
      expect(file.sliced).toBeLessThan(2 * 30_000);
      await expect(source.digest(name)).rejects.toThrow(/more than its declared 1000 bytes/);
      const chunked = await openZip(new Blob([zipped]), { webCryptoMaxBytes: 10 });
      await expect(chunked.digest(name)).rejects.toThrow(/more than its declared 1000 bytes/);
      const error = await source.read(name).catch((e: unknown) => e);
      expect((error as ZipFormatError).ja).toMatch(/宣言された 1000 バイトを超えて展開されます/);
    });

    it('refuses an entry that gives fewer bytes than it declares', async () => {
      const source = await openZip(new Blob([lying(bomb.length + 1)]), { maxReadBytes: 1 << 30 });
      await expect(source.read(name)).rejects.toThrow(/gives 67108864 bytes, not its declared 67108865/);
    });

    it('refuses to read whole an entry that declares more than the in-memory limit, before inflating it', async () => {
      const source = await openZip(new Blob([lying(300 * 1024 * 1024)]));
      const error = await source.read(name).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ZipFormatError);
      expect((error as ZipFormatError).message).toMatch(/declares 314572800 bytes, more than the 256 MiB/);
      expect((error as ZipFormatError).ja).toMatch(/256 MiB を超えています/);
    });
  });
});
