import { createHash } from 'node:crypto';

/**
 * What the bundle's layout needs beyond @app/proofs (which has the tag files,
 * manifests, the Statement, DSSE and the Sigstore bundle): the SHA-256 of bytes
 * and the evidence files' paths in the bag.
 */

export const sha256Hex = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');

/**
 * An evidence file's name as a single path segment: slashes, backslashes and
 * control characters become `_`; an empty name, `.` or `..` becomes `file`;
 * a name longer than 200 bytes keeps its end (the extension).
 */
export function safeFileName(name: string): string {
  const cleaned = name
    .normalize('NFC')
    .replace(/[/\\\p{Cc}]/gu, '_')
    .trim();
  if (cleaned === '' || cleaned === '.' || cleaned === '..') return 'file';
  let out = cleaned;
  while (Buffer.byteLength(out) > 200) out = out.slice(1);
  return out;
}

/** `data/evidence/<sha256>/<file name>`: relative to the bag (as in the manifest). */
export function evidencePayloadPath(sha256: string, name: string): string {
  return `data/evidence/${sha256}/${safeFileName(name)}`;
}
