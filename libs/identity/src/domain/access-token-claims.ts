import { IdentityError, IdentityErrorCode } from './identity.errors';
import { isUuid } from '@app/common';

/** The claims an access token must carry once its signature has been verified. */
export interface CheckedAccessTokenClaims {
  sub: string;
  /** The session (auth_sessions.id) the token belongs to. */
  sid: string;
  iat: number;
  exp: number;
}

/** Seconds since the epoch, as JWT NumericDate: a finite, non-negative number. */
function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/**
 * The shape every access token must have, checked after the signature:
 * `jsonwebtoken` (and so passport-jwt) only checks `exp` when it is present,
 * so a correctly signed token without one would never expire. Refuses a token
 * without a numeric `exp` or `iat`, with `iat` after `exp`, or whose `sub` is
 * not a user id (a UUID), or without a session id (`sid`, a UUID), all with INVALID_TOKEN (UNAUTHENTICATED).
 */
export function assertAccessTokenClaims(claims: unknown): CheckedAccessTokenClaims {
  const c = (typeof claims === 'object' && claims !== null ? claims : {}) as Record<string, unknown>;
  if (!isNumericDate(c['exp'])) {
    throw new IdentityError(IdentityErrorCode.INVALID_TOKEN, 'The access token is not valid (it has no expiry); sign in again');
  }
  if (!isNumericDate(c['iat']) || c['iat'] > c['exp']) {
    throw new IdentityError(IdentityErrorCode.INVALID_TOKEN, 'The access token is not valid; sign in again');
  }
  if (typeof c['sub'] !== 'string' || !isUuid(c['sub'])) {
    throw new IdentityError(IdentityErrorCode.INVALID_TOKEN, 'The access token is not valid; sign in again');
  }
  if (typeof c['sid'] !== 'string' || !isUuid(c['sid'])) {
    throw new IdentityError(IdentityErrorCode.INVALID_TOKEN, 'The access token is not valid (it names no session); sign in again');
  }
  return { sub: c['sub'], sid: c['sid'], iat: c['iat'], exp: c['exp'] };
}
