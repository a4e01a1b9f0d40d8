import { createHash, timingSafeEqual } from 'node:crypto';
import { IdentityError, IdentityErrorCode } from './identity.errors';

/**
 * API keys of the promotion systems (service accounts). Pure rules, no I/O.
 *
 * Format of a key, as the caller sends it (`Authorization: Bearer <key>`):
 *
 *     rtk_<prefix>_<secret>
 *
 *   - `rtk_`    fixed marker, so that a key is recognisable (secret scanners, logs);
 *   - prefix    12 lower-case hex characters (6 random bytes): public, stored in clear,
 *               shown in the admin list to tell keys apart; it finds the row;
 *   - secret    43 base64url characters (32 random bytes, 256 bits): never stored.
 *
 * The database keeps SHA-256 (hex) of the whole key string. The secret is
 * high-entropy random, so a fast hash is enough (no password hashing needed):
 * nobody can guess a 256-bit value from its hash. Hashes are compared in
 * constant time.
 */
export const API_KEY_MARKER = 'rtk';
export const API_KEY_PREFIX_BYTES = 6;
export const API_KEY_SECRET_BYTES = 32;
export const API_KEY_PATTERN = /^rtk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;
export const API_KEY_NAME_MAX_LENGTH = 100;
export const API_KEY_REASON_MAX_LENGTH = 1000;

export interface ParsedApiKey {
  prefix: string;
  /** SHA-256 (hex) of the whole key string: what the database holds. */
  hash: string;
}

/** Builds a key from random bytes (the caller supplies them: crypto.randomBytes in the service). */
export function formatApiKey(prefixBytes: Buffer, secretBytes: Buffer): { plaintext: string; prefix: string; hash: string } {
  if (prefixBytes.length !== API_KEY_PREFIX_BYTES || secretBytes.length !== API_KEY_SECRET_BYTES) {
    throw new Error(`an API key needs ${API_KEY_PREFIX_BYTES} + ${API_KEY_SECRET_BYTES} random bytes`);
  }
  const prefix = prefixBytes.toString('hex');
  const plaintext = `${API_KEY_MARKER}_${prefix}_${secretBytes.toString('base64url')}`;
  return { plaintext, prefix, hash: hashApiKey(plaintext) };
}

/** Whether a bearer credential looks like one of our API keys (and not a JWT). */
export function looksLikeApiKey(credential: string): boolean {
  return credential.startsWith(`${API_KEY_MARKER}_`);
}

/** The prefix and the hash of a presented key; null when it is not in the key format. */
export function parseApiKey(plaintext: string): ParsedApiKey | null {
  const m = API_KEY_PATTERN.exec(plaintext);
  if (!m) return null;
  return { prefix: m[1]!, hash: hashApiKey(plaintext) };
}

export function hashApiKey(plaintext: string): string {
  return createHash('sha256').update(plaintext, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex SHA-256 digests. */
export function sameApiKeyHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === 32 && y.length === 32 && timingSafeEqual(x, y);
}

/** Characters that make a name unreadable or misleading in a list: control and format characters. */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

/**
 * The name says which system holds the key, e.g. 販促配信システム (本番). Trimmed;
 * 1 to 100 characters (counted as characters, not UTF-16 units); no control characters.
 */
export function normalizeApiKeyName(name: string): string {
  const trimmed = name.trim();
  const length = [...trimmed].length;
  if (length === 0 || length > API_KEY_NAME_MAX_LENGTH || UNPRINTABLE.test(trimmed)) {
    throw new IdentityError(
      IdentityErrorCode.INVALID_API_KEY_NAME,
      `An API key's name must have 1 to ${API_KEY_NAME_MAX_LENGTH} characters, without control characters`,
      { field: 'name', min: 1, max: API_KEY_NAME_MAX_LENGTH },
    );
  }
  return trimmed;
}

/** Why a key is revoked: required, trimmed, at most 1000 characters. */
export function normalizeRevocationReason(reason: string): string {
  const trimmed = reason.trim();
  const length = [...trimmed].length;
  if (length === 0 || length > API_KEY_REASON_MAX_LENGTH) {
    throw new IdentityError(
      IdentityErrorCode.REASON_REQUIRED,
      `Say why the key is revoked (1 to ${API_KEY_REASON_MAX_LENGTH} characters)`,
      { field: 'reason', min: 1, max: API_KEY_REASON_MAX_LENGTH },
    );
  }
  return trimmed;
}

export interface ApiKeyState {
  id: string;
  revokedAt: Date | null;
}

/** A revoked key stays revoked; revoking it again is a CONFLICT (nothing is written). */
export function assertRevocable(key: ApiKeyState): void {
  if (key.revokedAt) {
    throw new IdentityError(IdentityErrorCode.API_KEY_ALREADY_REVOKED, 'This API key is already revoked', {
      id: key.id,
      revokedAt: key.revokedAt.toISOString(),
    });
  }
}

/** How often `lastUsedAt` is written at most: one write per key per minute, not one per request. */
export const LAST_USED_RESOLUTION_MS = 60_000;

export function shouldRecordUse(lastUsedAt: Date | null, now: Date): boolean {
  return !lastUsedAt || now.getTime() - lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS;
}
