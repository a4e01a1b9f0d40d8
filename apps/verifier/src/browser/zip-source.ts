import { Inflate } from 'fflate';
import { sha256 } from '@noble/hashes/sha2.js';

/**
 * A bundle zip as the verifier core reads it (`BagSource`), over a dropped
 * File, without reading it whole: the central directory is read from the end
 * of the file, and each entry's bytes are sliced out of the File when the core
 * asks for them. Entries are stored (method 0, as our bundles are) or deflated
 * (method 8, as a zip re-packed by another tool may be; inflated by fflate).
 *
 * Hashing: WebCrypto's `crypto.subtle.digest` for a file up to
 * 64 MiB by default (it takes the bytes whole); a larger one is hashed in
 * chunks with @noble/hashes, so that a bundle of a gigabyte of evidence does
 * not need a gigabyte of memory per file.
 */
export interface BagSource {
  paths(): string[];
  read(path: string): Promise<Uint8Array>;
  digest(path: string): Promise<{ sha256: string; size: number }>;
}

/** The zip cannot be read; `message` is English, `ja` the same in Japanese when the reader wrote one. */
export class ZipFormatError extends Error {
  constructor(
    message: string,
    readonly ja?: string,
  ) {
    super(message);
  }
}

interface Entry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

export interface ZipReadOptions {
  /** Files up to this size are hashed by WebCrypto (whole); larger ones in chunks by @noble/hashes. */
  webCryptoMaxBytes?: number;
  /** How much of the File is read at a time. */
  chunkBytes?: number;
  /** The largest entry read() takes whole into memory (by its declared size); the CLI's limit, 256 MiB, by default. */
  maxReadBytes?: number;
}

/**
 * Deflated bytes are given to fflate this many at a time: fflate inflates all it
 * is given at once, and deflate expands at most ~1032×, so one push makes at
 * most ~66 MiB however the entry lies about its size.
 */
const INFLATE_INPUT_BYTES = 64 * 1024;
const MiB = 1024 * 1024;
const EOCD_SIG = 0x06054b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;

async function bytesOf(blob: Blob, start: number, end: number): Promise<Uint8Array> {
  return new Uint8Array(await blob.slice(start, end).arrayBuffer());
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function u64(v: DataView, at: number): number {
  const n = v.getBigUint64(at, true);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipFormatError('zip: a size beyond 2^53');
  return Number(n);
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** Reads the zip's directory; throws ZipFormatError when the file is not a zip we can read. */
export async function openZip(file: Blob, options: ZipReadOptions = {}): Promise<BagSource> {
  const webCryptoMaxBytes = options.webCryptoMaxBytes ?? 64 * 1024 * 1024;
  const chunkBytes = options.chunkBytes ?? 8 * 1024 * 1024;
  const maxReadBytes = options.maxReadBytes ?? 256 * MiB;
  const entries = await readDirectory(file);
  const byName = new Map<string, Entry>();
  for (const e of entries) {
    if (byName.has(e.name)) throw new ZipFormatError(`zip: the entry ${e.name} appears twice`);
    byName.set(e.name, e);
  }
  const entry = (path: string): Entry => {
    const e = byName.get(path);
    if (!e) throw new ZipFormatError(`zip: no entry ${path}`);
    return e;
  };
  const dataStart = async (e: Entry): Promise<number> => {
    const h = view(await bytesOf(file, e.localHeaderOffset, e.localHeaderOffset + 30));
    if (h.byteLength < 30 || h.getUint32(0, true) !== LOCAL_SIG) throw new ZipFormatError(`zip: bad local header for ${e.name}`);
    return e.localHeaderOffset + 30 + h.getUint16(26, true) + h.getUint16(28, true);
  };
  /**
   * The entry's bytes, chunk by chunk (inflated when deflated). A zip bomb (an
   * entry that inflates to more than its declared size) fails as soon as its
   * output passes that size, never held whole; an entry that gives fewer bytes
   * than declared fails at its end.
   */
  async function* chunks(e: Entry): AsyncGenerator<Uint8Array> {
    const start = await dataStart(e);
    if (e.method !== 0 && e.method !== 8) throw new ZipFormatError(`zip: ${e.name} uses compression method ${e.method}`);
    if (e.method === 0 && e.compressedSize !== e.size) {
      throw new ZipFormatError(
        `zip: ${e.name} is stored but its sizes disagree (${e.compressedSize} and ${e.size} bytes)`,
        `zip: ${e.name} は無圧縮なのにサイズが食い違っています（${e.compressedSize} バイトと ${e.size} バイト）`,
      );
    }
    let produced = 0;
    const count = (c: Uint8Array): Uint8Array => {
      produced += c.length;
      if (produced > e.size) {
        throw new ZipFormatError(
          `zip: ${e.name} inflates to more than its declared ${e.size} bytes (a zip bomb?); reading stopped`,
          `zip: ${e.name} は宣言された ${e.size} バイトを超えて展開されます（zip 爆弾の疑い）。読み込みを止めました`,
        );
      }
      return c;
    };
    const out: Uint8Array[] = [];
    const inflate = e.method === 8 ? new Inflate((c) => void out.push(count(c))) : undefined;
    for (let at = 0; at < e.compressedSize; at += chunkBytes) {
      const end = Math.min(at + chunkBytes, e.compressedSize);
      const part = await bytesOf(file, start + at, start + end);
      if (!inflate) {
        yield count(part);
        continue;
      }
      for (let p = 0; p < part.length; p += INFLATE_INPUT_BYTES) {
        const q = Math.min(p + INFLATE_INPUT_BYTES, part.length);
        inflate.push(part.subarray(p, q), end === e.compressedSize && q === part.length);
        yield* out.splice(0);
      }
    }
    if (inflate && e.compressedSize === 0) inflate.push(new Uint8Array(0), true);
    yield* out.splice(0);
    if (produced !== e.size) {
      throw new ZipFormatError(
        `zip: ${e.name} gives ${produced} bytes, not its declared ${e.size}`,
        `zip: ${e.name} の中身は ${produced} バイトで、宣言された ${e.size} バイトと違います`,
      );
    }
  }
  async function read(path: string): Promise<Uint8Array> {
    const e = entry(path);
    if (e.size > maxReadBytes) {
      throw new ZipFormatError(
        `zip: ${path} declares ${e.size} bytes, more than the ${Math.floor(maxReadBytes / MiB)} MiB this page reads whole`,
        `zip: ${path} は ${e.size} バイトと宣言されており、このページが一度に読み込める ${Math.floor(maxReadBytes / MiB)} MiB を超えています`,
      );
    }
    const parts: Uint8Array[] = [];
    for await (const c of chunks(e)) parts.push(c);
    return concat(parts);
  }
  return {
    paths: () => entries.map((e) => e.name),
    read,
    async digest(path: string) {
      const e = entry(path);
      if (e.size <= Math.min(webCryptoMaxBytes, maxReadBytes)) {
        const bytes = await read(path);
        const d = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
        return { sha256: hex(d), size: bytes.length };
      }
      const h = sha256.create();
      let size = 0;
      for await (const c of chunks(e)) {
        h.update(c);
        size += c.length;
      }
      return { sha256: hex(h.digest()), size };
    },
  };
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function readDirectory(file: Blob): Promise<Entry[]> {
  // The end-of-central-directory record: 22 bytes plus a comment of up to 64 KiB.
  const tailStart = Math.max(0, file.size - (22 + 0xffff + 20));
  const tail = await bytesOf(file, tailStart, file.size);
  const tv = view(tail);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tv.getUint32(i, true) === EOCD_SIG && i + 22 + tv.getUint16(i + 20, true) === tail.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipFormatError('not a zip file (no end of central directory)');
  let count = tv.getUint16(eocd + 10, true);
  let dirSize = tv.getUint32(eocd + 12, true);
  let dirOffset = tv.getUint32(eocd + 16, true);
  if (
    (count === 0xffff || dirOffset === 0xffffffff || dirSize === 0xffffffff) &&
    eocd >= 20 &&
    tv.getUint32(eocd - 20, true) === ZIP64_LOCATOR_SIG
  ) {
    const at = u64(tv, eocd - 20 + 8);
    const z = view(await bytesOf(file, at, at + 56));
    if (z.getUint32(0, true) !== ZIP64_EOCD_SIG) throw new ZipFormatError('zip: bad zip64 end of central directory');
    count = u64(z, 32);
    dirSize = u64(z, 40);
    dirOffset = u64(z, 48);
  }
  if (dirOffset + dirSize > file.size) throw new ZipFormatError('zip: the central directory lies outside the file');
  const dir = await bytesOf(file, dirOffset, dirOffset + dirSize);
  const dv = view(dir);
  const names = new TextDecoder('utf-8', { fatal: true });
  const entries: Entry[] = [];
  let p = 0;
  for (let n = 0; n < count; n++) {
    if (p + 46 > dir.length || dv.getUint32(p, true) !== CENTRAL_SIG) throw new ZipFormatError('zip: bad central directory');
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    const e: Entry = {
      name: names.decode(dir.subarray(p + 46, p + 46 + nameLen)),
      method: dv.getUint16(p + 10, true),
      compressedSize: dv.getUint32(p + 20, true),
      size: dv.getUint32(p + 24, true),
      localHeaderOffset: dv.getUint32(p + 42, true),
    };
    readZip64Extra(e, dir.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen));
    p += 46 + nameLen + extraLen + commentLen;
    // A folder entry (as zip tools add when re-packing) holds no file.
    if (e.name.endsWith('/') && e.size === 0) continue;
    entries.push(e);
  }
  return entries;
}

/** Sizes and offset of 0xffffffff are in the zip64 extra field (id 0x0001), in this order. */
function readZip64Extra(e: Entry, extra: Uint8Array): void {
  const v = view(extra);
  for (let at = 0; at + 4 <= extra.length;) {
    const id = v.getUint16(at, true);
    const len = v.getUint16(at + 2, true);
    if (id === 0x0001) {
      let q = at + 4;
      if (e.size === 0xffffffff) {
        e.size = u64(v, q);
        q += 8;
      }
      if (e.compressedSize === 0xffffffff) {
        e.compressedSize = u64(v, q);
        q += 8;
      }
      if (e.localHeaderOffset === 0xffffffff) e.localHeaderOffset = u64(v, q);
    }
    at += 4 + len;
  }
}
