import canonicalize from 'canonicalize';
import { toHex, utf8 } from './encoding';
import type { Sha256 } from './merkle';

/**
 * RFC 8785 canonical JSON, by the `canonicalize` package (the same one the
 * server hashes with; plain JavaScript, no Node built-ins, so it bundles for
 * the browser).
 */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('value cannot be canonicalized');
  return text;
}

/** Lowercase hex SHA-256 of the canonical JSON's UTF-8 bytes: sign-off and clearance digests. */
export function canonicalDigest(sha: Sha256, value: unknown): string {
  return toHex(sha(utf8(canonicalJson(value))));
}
