import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  API_KEY_NAME_MAX_LENGTH,
  assertRevocable,
  formatApiKey,
  hashApiKey,
  looksLikeApiKey,
  normalizeApiKeyName,
  normalizeRevocationReason,
  parseApiKey,
  sameApiKeyHash,
  shouldRecordUse,
} from './api-key-rules';
import { IdentityError, IdentityErrorCode } from './identity.errors';

function identityErrorOf(fn: () => unknown): IdentityError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(IdentityError);
    return err as IdentityError;
  }
  throw new Error('expected an IdentityError, but nothing was thrown');
}

const bytes = (n: number, fill: number) => Buffer.alloc(n, fill);

describe('the key format rtk_<prefix>_<secret>', () => {
  it('builds a key from 6 + 32 random bytes: hex prefix, base64url secret, and stores SHA-256 of the whole key', () => {
    const key = formatApiKey(bytes(6, 0xab), bytes(32, 0xff));
    expect(key.prefix).toBe('abababababab');
    expect(key.plaintext).toBe(`rtk_abababababab_${bytes(32, 0xff).toString('base64url')}`);
    expect(key.plaintext).toMatch(/^rtk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(key.hash).toBe(createHash('sha256').update(key.plaintext).digest('hex'));
    expect(key.hash).not.toContain(bytes(32, 0xff).toString('base64url'));
  });

  it('parses a key it built back to its prefix and hash, even when the secret holds "_" and "-"', () => {
    const secret = Buffer.from('fbff'.repeat(16), 'hex'); // base64url: "-_-_..."
    const key = formatApiKey(bytes(6, 1), secret);
    expect(key.plaintext.slice(18)).toMatch(/[-_]/);
    expect(parseApiKey(key.plaintext)).toEqual({ prefix: key.prefix, hash: key.hash });
  });

  it.each([
    ['empty', ''],
    ['marker only', 'rtk_'],
    ['upper-case prefix', `rtk_ABABABABABAB_${'A'.repeat(43)}`],
    ['short prefix', `rtk_ababab_${'A'.repeat(43)}`],
    ['short secret', `rtk_abababababab_${'A'.repeat(42)}`],
    ['long secret', `rtk_abababababab_${'A'.repeat(44)}`],
    ['standard base64 characters', `rtk_abababababab_${'A'.repeat(42)}+`],
    ['another marker', `rtx_abababababab_${'A'.repeat(43)}`],
    ['surrounding space', ` rtk_abababababab_${'A'.repeat(43)}`],
  ])('refuses a malformed key (%s): no lookup is made', (_label, text) => {
    expect(parseApiKey(text)).toBeNull();
  });

  it('refuses to build a key from too few random bytes', () => {
    expect(() => formatApiKey(bytes(5, 1), bytes(32, 1))).toThrow();
    expect(() => formatApiKey(bytes(6, 1), bytes(16, 1))).toThrow();
  });

  it('tells an API key from a JWT by its marker', () => {
    expect(looksLikeApiKey('rtk_abc')).toBe(true);
    expect(looksLikeApiKey('eyJhbGciOiJIUzI1NiJ9.e30.sig')).toBe(false);
  });

  it('compares hashes in constant time, and only well-formed SHA-256 digests', () => {
    const a = hashApiKey('a');
    expect(sameApiKeyHash(a, hashApiKey('a'))).toBe(true);
    expect(sameApiKeyHash(a, hashApiKey('b'))).toBe(false);
    expect(sameApiKeyHash(a, a.slice(0, 62))).toBe(false);
    expect(sameApiKeyHash('', '')).toBe(false);
  });
});

describe('normalizeApiKeyName', () => {
  it('trims a Japanese name and keeps it as written', () => {
    expect(normalizeApiKeyName('  販促配信システム (本番)\n')).toBe('販促配信システム (本番)');
  });

  it('counts characters, not UTF-16 units: 100 emoji are accepted, 101 kanji refused', () => {
    expect(normalizeApiKeyName('🔑'.repeat(API_KEY_NAME_MAX_LENGTH))).toHaveLength(200);
    const err = identityErrorOf(() => normalizeApiKeyName('販'.repeat(API_KEY_NAME_MAX_LENGTH + 1)));
    expect(err.code).toBe(IdentityErrorCode.INVALID_API_KEY_NAME);
    expect(err.details).toEqual({ field: 'name', min: 1, max: API_KEY_NAME_MAX_LENGTH });
  });

  it.each([
    ['empty', ''],
    ['blank', ' \t　'],
    ['a control character', '販促\u0000'],
    ['a line separator', '販促\u2028システム'],
    ['an invisible format character', '販促\u200bシステム'],
  ])('refuses %s with INVALID_API_KEY_NAME', (_label, name) => {
    expect(identityErrorOf(() => normalizeApiKeyName(name)).code).toBe(IdentityErrorCode.INVALID_API_KEY_NAME);
  });
});

describe('revocation', () => {
  it('needs a reason of 1 to 1000 characters, trimmed', () => {
    expect(normalizeRevocationReason('  契約終了 ')).toBe('契約終了');
    expect(identityErrorOf(() => normalizeRevocationReason('   ')).code).toBe(IdentityErrorCode.REASON_REQUIRED);
    expect(identityErrorOf(() => normalizeRevocationReason('理'.repeat(1001))).code).toBe(IdentityErrorCode.REASON_REQUIRED);
    expect(normalizeRevocationReason('理'.repeat(1000))).toHaveLength(1000);
  });

  it('refuses revoking a revoked key with API_KEY_ALREADY_REVOKED, naming when it was revoked', () => {
    expect(() => assertRevocable({ id: 'k', revokedAt: null })).not.toThrow();
    const err = identityErrorOf(() => assertRevocable({ id: 'k', revokedAt: new Date('2026-08-01T00:00:00.000Z') }));
    expect(err.code).toBe(IdentityErrorCode.API_KEY_ALREADY_REVOKED);
    expect(err.details).toEqual({ id: 'k', revokedAt: '2026-08-01T00:00:00.000Z' });
  });
});

describe('shouldRecordUse', () => {
  const now = new Date('2026-08-01T00:10:00.000Z');
  it('records the first use, and again only once a minute has passed', () => {
    expect(shouldRecordUse(null, now)).toBe(true);
    expect(shouldRecordUse(new Date(now.getTime() - 59_999), now)).toBe(false);
    expect(shouldRecordUse(new Date(now.getTime() - 60_000), now)).toBe(true);
  });
});
