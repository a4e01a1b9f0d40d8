import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { BagSource } from '@app/proofs';
import * as yauzl from 'yauzl';

/**
 * A bundle zip on disk as the verifier's BagSource, read with yauzl: the
 * central directory once, then each entry as a stream. Evidence files are
 * hashed as they stream (never whole in memory); only small files are read whole.
 */
export interface ZipFileSource extends BagSource {
  close(): void;
}

/** Small files read whole (tag files, records, trail, keys): larger ones are refused by read(). */
const MAX_READ = 256 * 1024 * 1024;

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(
      path,
      { lazyEntries: true, autoClose: false, decodeStrings: true, validateEntrySizes: true, strictFileNames: true },
      (err, zip) => (err ? reject(err) : resolve(zip)),
    ),
  );
}

function streamOf(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Readable> {
  return new Promise((resolve, reject) => zip.openReadStream(entry, (err, stream) => (err ? reject(err) : resolve(stream))));
}

export async function openZipFileSource(path: string): Promise<ZipFileSource> {
  const zip = await openZip(path);
  const entries = new Map<string, yauzl.Entry>();
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      if (entries.has(entry.fileName)) {
        reject(new Error(`the zip holds ${entry.fileName} twice`));
        return;
      }
      entries.set(entry.fileName, entry);
      zip.readEntry();
    });
    zip.once('end', () => resolve());
    zip.once('error', reject);
    zip.readEntry();
  });
  const entryOf = (p: string) => {
    const e = entries.get(p);
    if (!e) throw new Error(`no such file in the zip: ${p}`);
    return e;
  };
  return {
    paths: () => [...entries.keys()].filter((p) => !p.endsWith('/')),
    async read(p) {
      const entry = entryOf(p);
      if (entry.uncompressedSize > MAX_READ) throw new Error(`${p} is too large to read whole`);
      const chunks: Buffer[] = [];
      for await (const chunk of await streamOf(zip, entry)) chunks.push(chunk as Buffer);
      return new Uint8Array(Buffer.concat(chunks));
    },
    async digest(p) {
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of await streamOf(zip, entryOf(p))) {
        hash.update(chunk as Buffer);
        size += (chunk as Buffer).length;
      }
      return { sha256: hash.digest('hex'), size };
    },
    close: () => zip.close(),
  };
}
