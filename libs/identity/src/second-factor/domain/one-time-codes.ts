import { createHash } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

/**
 * One-time codes from an authenticator app (RFC 6238 TOTP) and what a person types into the second-factor prompt.
 * Pure: no I/O (the HMAC is computation).
 *
 * Parameters: SHA-1, 6 digits, 30-second steps: what every authenticator app shows by default (Google
 * Authenticator ignores other values in the otpauth URI). A code is accepted for its own step and one step either
 * side (clock drift of up to 30 s), and only for a step after the last one accepted for the same secret, so a code
 * seen over someone's shoulder, or sent twice, does not work again.
 */
export const TOTP_ALGORITHM = 'SHA1';
export const TOTP_DIGITS = 6;
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_WINDOW_STEPS = 1;
/** 20 random bytes (160 bits): RFC 4226's recommended length for SHA-1. */
export const TOTP_SECRET_BYTES = 20;

/** What the person typed, recognised by its shape (white space and hyphens ignored). */
export type PresentedCode = { kind: 'TOTP'; code: string } | { kind: 'RECOVERY_CODE'; canonical: string } | { kind: 'MALFORMED' };

const RECOVERY_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
/** 16 characters of Crockford's base32: 80 random bits. */
export const RECOVERY_CODE_CHARS = 16;

/**
 * Six digits are an authenticator code ("123 456" as some apps show it is fine); otherwise a recovery code
 * (recoveryCodeFrom); anything else is malformed. Input longer than 64 characters is malformed unread.
 */
export function classifyCode(input: string): PresentedCode {
  if (typeof input !== 'string' || input.length > 64) return { kind: 'MALFORMED' };
  const squeezed = input.replace(/[\s-]/g, '');
  if (/^[0-9]{6}$/.test(squeezed)) return { kind: 'TOTP', code: squeezed };
  const canonical = canonicalRecoveryCode(squeezed);
  return canonical ? { kind: 'RECOVERY_CODE', canonical } : { kind: 'MALFORMED' };
}

/**
 * A recovery code as stored (hashed): lower case, no separators, with Crockford's readings of look-alikes
 * (O → 0, I and L → 1); null unless it is 16 characters of the alphabet.
 */
export function canonicalRecoveryCode(input: string): string | null {
  const s = input.replace(/[\s-]/g, '').toLowerCase().replace(/o/g, '0').replace(/[il]/g, '1');
  if (s.length !== RECOVERY_CODE_CHARS) return null;
  for (const ch of s) if (!RECOVERY_ALPHABET.includes(ch)) return null;
  return s;
}

/** A recovery code from 10 random bytes, as shown to the person: four groups of four, e.g. `7k2m-q9xd-4hfa-0c3z`. */
export function recoveryCodeFrom(random: Uint8Array): string {
  if (random.length !== 10) throw new Error('a recovery code needs 10 random bytes');
  let bits = 0n;
  for (const b of random) bits = (bits << 8n) | BigInt(b);
  let s = '';
  for (let i = RECOVERY_CODE_CHARS - 1; i >= 0; i--) s += RECOVERY_ALPHABET[Number((bits >> BigInt(i * 5)) & 31n)];
  return s.match(/.{4}/g)!.join('-');
}

/**
 * What the database keeps of a recovery code: SHA-256 (hex) of its canonical form. The code is 80 random bits, so
 * a fast hash is enough: nobody recovers it from the hash by guessing.
 */
export function recoveryCodeHash(canonical: string): string {
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/** The 30-second step (counter) that `at` falls in. */
export function totpStepAt(at: Date): number {
  return Math.floor(at.getTime() / 1000 / TOTP_PERIOD_SECONDS);
}

export type TotpCheck = { ok: true; step: number } | { ok: false; reason: 'WRONG' | 'REPLAYED' };

/**
 * Checks a six-digit `code` against the base32 `secret` at `now`: accepted when it is the code of the current
 * step or one step either side, and that step comes after `lastUsedStep` (the last accepted for this secret).
 * The step it matched is returned, to be stored as the new `lastUsedStep`.
 */
export function checkTotp(secret: string, code: string, now: Date, lastUsedStep: number | null): TotpCheck {
  if (!/^[0-9]{6}$/.test(code)) return { ok: false, reason: 'WRONG' };
  const delta = TOTP.validate({
    token: code,
    secret: Secret.fromBase32(secret),
    algorithm: TOTP_ALGORITHM,
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    timestamp: now.getTime(),
    window: TOTP_WINDOW_STEPS,
  });
  if (delta === null) return { ok: false, reason: 'WRONG' };
  const step = totpStepAt(now) + delta;
  if (lastUsedStep !== null && step <= lastUsedStep) return { ok: false, reason: 'REPLAYED' };
  return { ok: true, step };
}

/** The code of `secret` at `at` (for the tests and the demo; the server never needs to show one). */
export function totpCodeAt(secret: string, at: Date): string {
  return TOTP.generate({
    secret: Secret.fromBase32(secret),
    algorithm: TOTP_ALGORITHM,
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    timestamp: at.getTime(),
  });
}

/** A new secret (base32) from TOTP_SECRET_BYTES random bytes. */
export function totpSecretFrom(random: Uint8Array): string {
  if (random.length !== TOTP_SECRET_BYTES) throw new Error(`a TOTP secret needs ${TOTP_SECRET_BYTES} random bytes`);
  return new Secret({ buffer: Uint8Array.from(random).buffer }).base32;
}

/**
 * The `otpauth://totp/...` URI an authenticator app reads (as a QR code): issuer and account shown in the app,
 * the secret, and the parameters above.
 */
export function totpUri(secret: string, issuer: string, account: string): string {
  return new TOTP({
    issuer,
    label: account,
    secret: Secret.fromBase32(secret),
    algorithm: TOTP_ALGORITHM,
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
  }).toString();
}
