import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { openZipFileSource } from '../../apps/verifier/src/cli/zip-file-source';
import { withDeclaredSize } from './support/lying-zip';

/**
 * The terminal verifier's zip reader (apps/verifier/src/cli/zip-file-source.ts,
 * yauzl with validateEntrySizes): an entry that inflates to more than it
 * declares (a zip bomb) is refused while it streams, never read whole.
 */
const dir = mkdtempSync(join(tmpdir(), 'zip-file-source-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the terminal verifier’s zip reader and a zip bomb', () => {
  const name = 'bag/data/records/爆弾.json';
  const bomb = new Uint8Array(64 * 1024 * 1024);

  it('refuses a deflated entry that inflates to more than its declared size, by read() and by digest()', async () => {
    const path = join(dir, 'bomb.zip');
    writeFileSync(path, withDeclaredSize(zipSync({ [name]: bomb }, { level: 9 }), 1000));
    const source = await openZipFileSource(path);
    try {
      expect(source.paths()).toEqual([name]);
      await expect(source.read(name)).rejects.toThrow(/too many bytes in the stream\. expected 1000\b/);
      await expect(source.digest(name)).rejects.toThrow(/too many bytes in the stream\. expected 1000\b/);
    } finally {
      source.close();
    }
  });

  it('reads the same entry when it tells the truth', async () => {
    const path = join(dir, 'honest.zip');
    writeFileSync(path, zipSync({ [name]: new TextEncoder().encode('{"件名":"正直"}') }, { level: 9 }));
    const source = await openZipFileSource(path);
    try {
      expect(new TextDecoder().decode(await source.read(name))).toBe('{"件名":"正直"}');
    } finally {
      source.close();
    }
  });
});
