import { createHash, randomBytes } from 'node:crypto';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { ZipFile } from 'yazl';
import { openZip, ZipFormatError } from '../../apps/verifier/src/browser/zip-source';

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
});
