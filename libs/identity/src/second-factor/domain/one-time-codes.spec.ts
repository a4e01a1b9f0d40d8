import { describe, expect, it } from 'vitest';
import {
  canonicalRecoveryCode,
  checkTotp,
  classifyCode,
  recoveryCodeFrom,
  recoveryCodeHash,
  totpCodeAt,
  totpSecretFrom,
  totpStepAt,
  totpUri,
} from './one-time-codes';

// RFC 6238 appendix B: the SHA-1 seed "12345678901234567890" (ASCII), base32.
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const at = (seconds: number) => new Date(seconds * 1000);

describe('TOTP codes (RFC 6238, SHA-1, 6 digits, 30 s)', () => {
  it('computes the RFC 6238 test vectors (last six digits of the eight-digit values)', () => {
    expect(totpCodeAt(RFC_SECRET, at(59))).toBe('287082');
    expect(totpCodeAt(RFC_SECRET, at(1111111109))).toBe('081804');
    expect(totpCodeAt(RFC_SECRET, at(1234567890))).toBe('005924');
    expect(totpCodeAt(RFC_SECRET, at(2000000000))).toBe('279037');
  });

  it('accepts the current code and returns its step', () => {
    const now = at(1234567890);
    expect(checkTotp(RFC_SECRET, totpCodeAt(RFC_SECRET, now), now, null)).toEqual({ ok: true, step: totpStepAt(now) });
  });

  it('accepts the previous and the next step (clock drift), and returns the step the code belongs to', () => {
    const now = at(1234567890);
    const step = totpStepAt(now);
    expect(checkTotp(RFC_SECRET, totpCodeAt(RFC_SECRET, at((step - 1) * 30)), now, null)).toEqual({ ok: true, step: step - 1 });
    expect(checkTotp(RFC_SECRET, totpCodeAt(RFC_SECRET, at((step + 1) * 30)), now, null)).toEqual({ ok: true, step: step + 1 });
  });

  it('refuses a code two steps away', () => {
    const now = at(1234567890);
    const step = totpStepAt(now);
    expect(checkTotp(RFC_SECRET, totpCodeAt(RFC_SECRET, at((step - 2) * 30)), now, null)).toEqual({ ok: false, reason: 'WRONG' });
    expect(checkTotp(RFC_SECRET, totpCodeAt(RFC_SECRET, at((step + 2) * 30)), now, null)).toEqual({ ok: false, reason: 'WRONG' });
  });

  it('refuses a replay: the same step again, or an earlier step once a later one was accepted', () => {
    const now = at(1234567890);
    const step = totpStepAt(now);
    const code = totpCodeAt(RFC_SECRET, now);
    expect(checkTotp(RFC_SECRET, code, now, step)).toEqual({ ok: false, reason: 'REPLAYED' });
    const previous = totpCodeAt(RFC_SECRET, at((step - 1) * 30));
    expect(checkTotp(RFC_SECRET, previous, now, step)).toEqual({ ok: false, reason: 'REPLAYED' });
    expect(checkTotp(RFC_SECRET, code, now, step - 1)).toEqual({ ok: true, step });
  });

  it('refuses anything that is not six ASCII digits, without throwing', () => {
    const now = at(1234567890);
    for (const code of ['', '12345', '1234567', '１２３４５６', 'abcdef', '12 345']) {
      expect(checkTotp(RFC_SECRET, code, now, null)).toEqual({ ok: false, reason: 'WRONG' });
    }
  });

  it('makes a 160-bit secret and an otpauth URI an app reads (issuer, account, parameters)', () => {
    const secret = totpSecretFrom(new Uint8Array(20).fill(1));
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(() => totpSecretFrom(new Uint8Array(10))).toThrow();
    const uri = new URL(totpUri(secret, '再発防止策トラッカー', 'sato@example.jp'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(uri.searchParams.get('issuer')).toBe('再発防止策トラッカー');
    expect(uri.searchParams.get('algorithm')).toBe('SHA1');
    expect(uri.searchParams.get('digits')).toBe('6');
    expect(uri.searchParams.get('period')).toBe('30');
    expect(decodeURIComponent(uri.pathname)).toContain('sato@example.jp');
  });
});

describe('what a person types (classifyCode)', () => {
  it('reads six digits, with spaces or a hyphen as apps show them, as an authenticator code', () => {
    expect(classifyCode('123456')).toEqual({ kind: 'TOTP', code: '123456' });
    expect(classifyCode(' 123 456 ')).toEqual({ kind: 'TOTP', code: '123456' });
    expect(classifyCode('123-456')).toEqual({ kind: 'TOTP', code: '123456' });
  });

  it('reads a recovery code in any case, with or without hyphens, O as 0 and I/L as 1', () => {
    const canonical = '7k2mq9xd4hfa0c3z';
    expect(classifyCode('7k2m-q9xd-4hfa-0c3z')).toEqual({ kind: 'RECOVERY_CODE', canonical });
    expect(classifyCode('7K2M Q9XD 4HFA OC3Z')).toEqual({ kind: 'RECOVERY_CODE', canonical });
    expect(canonicalRecoveryCode('ILil-0000-0000-0000')).toBe('1111000000000000');
  });

  it('calls everything else malformed: wrong length, letters outside the alphabet, full-width digits, very long input', () => {
    for (const input of ['', '12345', '1234567', '7k2m-q9xd-4hfa-0c3', '7k2m-q9xd-4hfa-0c3u', '１２３４５６', 'x'.repeat(65)]) {
      expect(classifyCode(input)).toEqual({ kind: 'MALFORMED' });
    }
  });
});

describe('recovery codes', () => {
  it('are 16 characters of the alphabet in four groups, 80 bits from 10 random bytes', () => {
    expect(recoveryCodeFrom(new Uint8Array(10))).toBe('0000-0000-0000-0000');
    expect(recoveryCodeFrom(new Uint8Array(10).fill(255))).toBe('zzzz-zzzz-zzzz-zzzz');
    const bytes = Uint8Array.from([0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x01, 0x23]);
    const code = recoveryCodeFrom(bytes);
    expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}$/);
    expect(() => recoveryCodeFrom(new Uint8Array(9))).toThrow();
  });

  it('different bytes give different codes, and each code reads back as itself', () => {
    const a = recoveryCodeFrom(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    const b = recoveryCodeFrom(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 11]));
    expect(a).not.toBe(b);
    expect(classifyCode(a)).toEqual({ kind: 'RECOVERY_CODE', canonical: a.replace(/-/g, '') });
  });

  it('are kept as the SHA-256 (hex) of the canonical form', () => {
    expect(recoveryCodeHash('0000000000000000')).toBe('fcdb4b423f4e5283afa249d762ef6aef150e91fccd810d43e5e719d14512dec7');
    expect(recoveryCodeHash('0000000000000000')).toMatch(/^[0-9a-f]{64}$/);
  });
});
