import { DomainError } from '@app/common';

export const IdentityErrorCode = {
  /** Wrong password or unknown e-mail: deliberately the same answer for both. */
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  /** The account exists and the password is right, but the account is deactivated. */
  ACCOUNT_DEACTIVATED: 'ACCOUNT_DEACTIVATED',
  /** Too many failed sign-ins for this account or client address. */
  LOGIN_THROTTLED: 'LOGIN_THROTTLED',
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
} as const;
export type IdentityErrorCode = (typeof IdentityErrorCode)[keyof typeof IdentityErrorCode];

export class IdentityError extends DomainError<IdentityErrorCode> {
  readonly context = 'identity';
}
