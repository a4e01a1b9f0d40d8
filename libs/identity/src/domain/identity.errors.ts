import { DomainError } from '@app/common';

export const IdentityErrorCode = {
  /** Wrong password or unknown e-mail: deliberately the same answer for both. */
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  /** The account exists and the password is right, but the account is deactivated. */
  ACCOUNT_DEACTIVATED: 'ACCOUNT_DEACTIVATED',
  /** Too many failed sign-ins for this account from this address, from this address, or for this account from new addresses. */
  LOGIN_THROTTLED: 'LOGIN_THROTTLED',
  /** Every password-check slot is busy (sign-in under load): refused at once, try again in a second. */
  SIGN_IN_BUSY: 'SIGN_IN_BUSY',
  /**
   * The sign-in throttle's store (PostgreSQL, or Redis with REDIS_URL) did not answer: the attempt is refused
   * before any check (an uncounted attempt could be one of unlimited guesses); try again shortly.
   */
  SIGN_IN_UNAVAILABLE: 'SIGN_IN_UNAVAILABLE',
  /** A token that is missing, malformed, forged, expired or for a user who is gone. */
  INVALID_TOKEN: 'INVALID_TOKEN',
  /** Signed in, but the roles held do not grant the operation. */
  PERMISSION_DENIED: 'PERMISSION_DENIED',
  EMAIL_TAKEN: 'EMAIL_TAKEN',
  USER_NOT_FOUND: 'USER_NOT_FOUND',
  /** An admin may not lock themself out (deactivate self, drop own ADMIN role). */
  SELF_LOCKOUT: 'SELF_LOCKOUT',
  /** The change would leave no active admin. */
  LAST_ADMIN: 'LAST_ADMIN',
  WEAK_PASSWORD: 'WEAK_PASSWORD',
  NO_ROLES: 'NO_ROLES',
  ALREADY_IN_STATE: 'ALREADY_IN_STATE',
  /** Nobody changes their own roles (an admin giving itself AUDITOR would review evidence). */
  SELF_ROLE_CHANGE: 'SELF_ROLE_CHANGE',
  /** AUDITOR (the external, independent reviewer) held with ADMIN, TASK_FORCE or EXECUTIVE. */
  INCOMPATIBLE_ROLES: 'INCOMPATIBLE_ROLES',
  /** SERVICE belongs to API keys; no user account may hold it. */
  ROLE_NOT_FOR_USERS: 'ROLE_NOT_FOR_USERS',
  /** An API key that is malformed, unknown or revoked (the answer does not say which). */
  INVALID_API_KEY: 'INVALID_API_KEY',
  API_KEY_NOT_FOUND: 'API_KEY_NOT_FOUND',
  /** Revoking a key that is already revoked. */
  API_KEY_ALREADY_REVOKED: 'API_KEY_ALREADY_REVOKED',
  /** An API key's name is blank, too long or holds control characters. */
  INVALID_API_KEY_NAME: 'INVALID_API_KEY_NAME',
  /** A revocation needs a reason. */
  REASON_REQUIRED: 'REASON_REQUIRED',
  /** The session named by the token was ended (signed out, revoked by its user or an admin, refresh token reused). */
  SESSION_REVOKED: 'SESSION_REVOKED',
  SESSION_NOT_FOUND: 'SESSION_NOT_FOUND',
  /**
   * The session must first prove a second factor (`next: VERIFY`) or enrol one (`next: ENROL`, the role requires
   * it): nothing else is allowed until then.
   */
  SECOND_FACTOR_REQUIRED: 'SECOND_FACTOR_REQUIRED',
  /** The operation signs something: it needs a second factor proved in the last STEP_UP_MAX_AGE_SECONDS. */
  STEP_UP_REQUIRED: 'STEP_UP_REQUIRED',
  /** A wrong, used or expired one-time code, recovery code or passkey assertion. */
  INVALID_SECOND_FACTOR: 'INVALID_SECOND_FACTOR',
  /** An enrolment, a challenge or a factor that does not exist (or not for this user). */
  SECOND_FACTOR_NOT_FOUND: 'SECOND_FACTOR_NOT_FOUND',
  /** A second factor of this kind is already enrolled (one authenticator app per user). */
  SECOND_FACTOR_EXISTS: 'SECOND_FACTOR_EXISTS',
  /** Removing the user's last second factor while their role requires one: enrol another first. */
  LAST_SECOND_FACTOR: 'LAST_SECOND_FACTOR',
  /** Single sign-on is not configured (no OIDC_ISSUER). */
  SSO_NOT_CONFIGURED: 'SSO_NOT_CONFIGURED',
  /** The identity provider's answer was refused (state, nonce, code, token, or no user / no mapped role). */
  SSO_REFUSED: 'SSO_REFUSED',
} as const;
export type IdentityErrorCode = (typeof IdentityErrorCode)[keyof typeof IdentityErrorCode];

export class IdentityError extends DomainError<IdentityErrorCode> {
  readonly context = 'identity';
}
