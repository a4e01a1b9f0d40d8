import { fromUtf8 } from './encoding';

/**
 * The BagIt (RFC 8493) layout of the evidence bundle (docs/proofs.md, "The
 * evidence bundle"): paths and tag files, as pure functions.
 */

export const BAG = 'bag';
export const BAGIT_PATH = `${BAG}/bagit.txt`;
export const BAG_INFO_PATH = `${BAG}/bag-info.txt`;
export const MANIFEST_PATH = `${BAG}/manifest-sha256.txt`;
export const TAG_MANIFEST_PATH = `${BAG}/tagmanifest-sha256.txt`;
export const SIGSTORE_BUNDLE_PATH = 'bundle.sigstore.json';
export const KEYS_PATH = 'keys.json';
export const VERIFY_TXT_PATH = 'VERIFY.txt';
/** The files of the bag's data/ directory (relative to the bag) that the verifier reads. */
export const RECORDS_DIR = 'data/records';
export const TRAIL_ENTRIES_PATH = 'data/trail/entries.jsonl';
export const CHECKPOINT_PATH = 'data/trail/checkpoint.txt';
export const PROOFS_PATH = 'data/trail/proofs.json';
/** The tag files listed in tagmanifest-sha256.txt, relative to the bag. */
export const TAG_FILES = ['bag-info.txt', 'bagit.txt', 'manifest-sha256.txt'] as const;

/** Every path allowed in the zip outside bag/data/. */
export const LAYOUT_FILES = [BAGIT_PATH, BAG_INFO_PATH, MANIFEST_PATH, TAG_MANIFEST_PATH, SIGSTORE_BUNDLE_PATH, KEYS_PATH, VERIFY_TXT_PATH];

/** `bagit.txt` (RFC 8493 §2.1.1). */
export function bagitTxt(): string {
  return 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n';
}

/** `<octets>.<streams>` (RFC 8493 §2.2.2). */
export function payloadOxum(files: readonly { size: number }[]): string {
  return `${files.reduce((n, f) => n + f.size, 0)}.${files.length}`;
}

export interface BagInfo {
  sourceOrganization: string;
  scope: string;
  scopeId: string;
  incidentId: string;
  /** YYYY-MM-DD, Asia/Tokyo. */
  baggingDate: string;
  asOf: string;
  generator: string;
  checkpointSize: number;
  payloadOxum: string;
}

/** `bag-info.txt`: labels in the contract's order; values on one line (line breaks become spaces). */
export function bagInfoTxt(i: BagInfo): string {
  const one = (v: string) => v.replace(/[\r\n]+/g, ' ');
  const lines: [string, string][] = [
    ['Source-Organization', i.sourceOrganization],
    ['External-Identifier', `${i.scope}:${i.scopeId}`],
    ['Bag-Group-Identifier', i.incidentId],
    ['Bagging-Date', i.baggingDate],
    ['X-Scope', i.scope],
    ['X-Scope-Id', i.scopeId],
    ['X-As-Of', i.asOf],
    ['X-Generator', i.generator],
    ['X-Trail-Checkpoint-Size', String(i.checkpointSize)],
    ['Payload-Oxum', i.payloadOxum],
  ];
  return lines.map(([k, v]) => `${k}: ${one(v)}\n`).join('');
}

/** The labels and values of a bag-info.txt (continuation lines joined with a space). */
export function parseBagInfo(text: string): [string, string][] {
  const out: [string, string][] = [];
  for (const line of text.split(/\r\n|\n|\r/)) {
    if (line === '') continue;
    if (/^[ \t]/.test(line) && out.length > 0) {
      out[out.length - 1][1] += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`bag-info.txt: not a "Label: value" line: ${line}`);
    out.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return out;
}

/** A manifest path as RFC 8493 §2.1.3 writes it: CR, LF and % percent-encoded. */
export function manifestPath(path: string): string {
  return path.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Sorting of bag paths: code-unit order (JavaScript's `<`), as the manifests and the zip use. */
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface ManifestEntry {
  /** Relative to the bag, e.g. `data/records/incident.json`. */
  path: string;
  /** Lowercase hex SHA-256. */
  sha256: string;
}

/** `<hex>  <path>\n` per file, sorted by path. */
export function manifestTxt(entries: readonly ManifestEntry[]): string {
  return [...entries]
    .sort((a, b) => comparePaths(a.path, b.path))
    .map((e) => `${e.sha256}  ${manifestPath(e.path)}\n`)
    .join('');
}

/**
 * Parses a SHA-256 manifest strictly: lines `<64 lowercase hex><spaces><path>\n`,
 * paths relative (no `..`, no leading `/`), percent-decoded, each once.
 */
export function parseManifest(text: string): ManifestEntry[] {
  if (text !== '' && !text.endsWith('\n')) throw new Error('a manifest ends with a newline');
  const out: ManifestEntry[] = [];
  const seen = new Set<string>();
  for (const line of text.split('\n').slice(0, -1)) {
    const m = /^([0-9a-f]{64})[ \t]+(\S.*)$/.exec(line);
    if (!m) throw new Error(`not a manifest line: ${JSON.stringify(line)}`);
    const path = m[2].replace(/%(25|0D|0A)/gi, (_, code: string) => String.fromCharCode(parseInt(code, 16)));
    if (path.startsWith('/') || path.split('/').some((s) => s === '..' || s === '.' || s === '')) {
      throw new Error(`not a relative path in the manifest: ${JSON.stringify(path)}`);
    }
    if (seen.has(path)) throw new Error(`listed twice in the manifest: ${path}`);
    seen.add(path);
    out.push({ path, sha256: m[1] });
  }
  return out;
}

/** UTF-8 text of a tag file or record (throws on invalid UTF-8 or a BOM). */
export function textOf(bytes: Uint8Array): string {
  const text = fromUtf8(bytes);
  if (text.startsWith('\ufeff')) throw new Error('a byte order mark is not allowed');
  return text;
}
