import * as yauzl from 'yauzl';

export interface ZipEntryRead {
  path: string;
  bytes: Buffer;
  /** Stored (0) or deflated (8). */
  compressionMethod: number;
  /** The DOS date and time fields as written. */
  lastModDate: number;
  lastModTime: number;
  extraFieldLength: number;
}

/** Every entry of a zip, in the order they are stored, with their bytes (for tests: small zips only). */
export function readZip(bytes: Buffer): Promise<ZipEntryRead[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true, strictFileNames: true, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('no zip'));
      const out: ZipEntryRead[] = [];
      zip.on('error', reject);
      zip.on('end', () => resolve(out));
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e ?? new Error('no stream'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', reject);
          stream.on('end', () => {
            out.push({
              path: entry.fileName,
              bytes: Buffer.concat(chunks),
              compressionMethod: entry.compressionMethod,
              lastModDate: entry.lastModFileDate,
              lastModTime: entry.lastModFileTime,
              extraFieldLength: entry.extraFieldLength,
            });
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}
