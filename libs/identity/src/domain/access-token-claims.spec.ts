import { describe, expect, it } from 'vitest';
import { assertAccessTokenClaims } from './access-token-claims';
import { IdentityError } from './identity.errors';

const sub = '6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab';
const sid = '0b6d7c1e-2f3a-4b5c-9d8e-fedcba987654';

function refusal(claims: unknown): string | undefined {
  try {
    assertAccessTokenClaims(claims);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(IdentityError);
    return (err as IdentityError).code;
  }
}

describe('access token claims', () => {
  it('accepts the claims the server issues: a user id, a session id, iat and exp', () => {
    expect(assertAccessTokenClaims({ sub, sid, iat: 1_800_000_000, exp: 1_800_000_900 })).toEqual({
      sub,
      sid,
      iat: 1_800_000_000,
      exp: 1_800_000_900,
    });
  });

  it('refuses a token that would never expire: exp missing, null, text, NaN or infinite', () => {
    for (const exp of [undefined, null, '1800000900', Number.NaN, Number.POSITIVE_INFINITY, -1]) {
      expect(refusal({ sub, sid, iat: 1_800_000_000, exp }), String(exp)).toBe('INVALID_TOKEN');
    }
  });

  it('refuses a missing or malformed iat, or one after exp', () => {
    for (const iat of [undefined, '1800000000', Number.NaN, 1_800_001_000]) {
      expect(refusal({ sub, sid, iat, exp: 1_800_000_900 }), String(iat)).toBe('INVALID_TOKEN');
    }
  });

  it('refuses a sub that is not a user id', () => {
    for (const bad of [undefined, '', 42, 'admin', `${sub} `, "' or 1=1 --", { id: sub }]) {
      expect(refusal({ sub: bad, sid, iat: 1_800_000_000, exp: 1_800_000_900 }), JSON.stringify(bad)).toBe('INVALID_TOKEN');
    }
  });

  it('refuses claims that are not an object', () => {
    for (const claims of [null, undefined, 'x', 1]) expect(refusal(claims)).toBe('INVALID_TOKEN');
  });
});

describe('access token claims: the session', () => {
  it('refuses a token without a session id, or with one that is not a UUID (a token from before sessions)', () => {
    for (const bad of [undefined, '', 42, 'session', { id: sid }]) {
      expect(refusal({ sub, sid: bad, iat: 1_800_000_000, exp: 1_800_000_900 }), JSON.stringify(bad)).toBe('INVALID_TOKEN');
    }
  });
});
