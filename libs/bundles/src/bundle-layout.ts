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
 * a lone surrogate becomes U+FFFD (what UTF-8 writes for it); a name longer
 * than 200 bytes keeps its end (the extension), cut between whole characters
 * (code points), so the zip's path and the evidence record name the same bytes.
 */
export function safeFileName(name: string): string {
  const cleaned = name
    .normalize('NFC')
    .replace(/[/\\\p{Cc}]/gu, '_')
    .replace(/\p{Cs}/gu, '\uFFFD')
    .trim();
  if (cleaned === '' || cleaned === '.' || cleaned === '..') return 'file';
  const chars = Array.from(cleaned);
  let bytes = Buffer.byteLength(cleaned);
  let start = 0;
  while (bytes > 200) bytes -= Buffer.byteLength(chars[start++]!);
  return chars.slice(start).join('');
}

/** `data/evidence/<sha256>/<file name>`: relative to the bag (as in the manifest). */
export function evidencePayloadPath(sha256: string, name: string): string {
  return `data/evidence/${sha256}/${safeFileName(name)}`;
}
