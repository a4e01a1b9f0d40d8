import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { IdentityError, IdentityErrorCode } from './domain/identity.errors';
import { normalizeEmail } from './domain/user-rules';
import { LoginThrottle } from './login-throttle';
import { PasswordCheckSlots } from './password-check-slots';
import { PasswordHasher } from './password-hasher';
import type { UserEntity } from './user.entity';
import { UsersService } from './users.service';

export interface AccessTokenClaims {
  /** The user's id. */
  sub: string;
  /** Issued-at and expiry, seconds since the epoch (set by the JWT library). */
  iat?: number;
  exp?: number;
}

export interface IssuedToken {
  accessToken: string;
  expiresAt: Date;
  user: UserEntity;
}

/** Sign-in and token checks. Reads only: a failed sign-in writes nothing to the database. */
@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly throttle: LoginThrottle,
    private readonly slots: PasswordCheckSlots,
    private readonly jwt: JwtService,
  ) {}

  /**
   * Verifies e-mail and password for a sign-in from `address` (the client's IP).
   * In this order, so that nobody can make the server do more than the limits
   * allow: a free password-check slot (else SIGN_IN_BUSY, before any other
   * work), the attempt counted (else LOGIN_THROTTLED), then the user read and
   * the password checked (an unknown e-mail costs the same hash). Only a
   * successful sign-in clears the count; a right password on a deactivated
   * account counts as a failure.
   */
  async verifyCredentials(rawEmail: string, password: string, address: string): Promise<UserEntity> {
    const email = normalizeEmail(rawEmail);
    const slot = this.slots.take();
    if (!slot) {
      throw new IdentityError(IdentityErrorCode.SIGN_IN_BUSY, 'Sign-in is busy; try again in a second', { retryAfterSeconds: 1 });
    }
    const release = await slot;
    try {
      const attempt = await this.throttle.admit(email, address);
      const user = await this.users.findByEmail(email);
      const ok = await this.hasher.verify(user?.passwordHash, password);
      if (!user || !ok) {
        throw new IdentityError(IdentityErrorCode.INVALID_CREDENTIALS, 'E-mail or password is wrong');
      }
      if (!user.active) {
        throw new IdentityError(IdentityErrorCode.ACCOUNT_DEACTIVATED, 'This account is deactivated; ask an admin');
      }
      await attempt.succeeded();
      return user;
    } finally {
      release();
    }
  }

  async issueToken(user: UserEntity): Promise<IssuedToken> {
    const claims: AccessTokenClaims = { sub: user.id };
    const accessToken = await this.jwt.signAsync(claims);
    const { exp } = this.jwt.decode<AccessTokenClaims>(accessToken);
    return { accessToken, expiresAt: new Date((exp ?? 0) * 1000), user };
  }

  /**
   * The user behind already-verified token claims, looked up on every request
   * so that a deactivated user is refused at once.
   */
  async userForClaims(claims: AccessTokenClaims): Promise<UserEntity> {
    // No catch here: a database that does not answer is not an invalid token (which would end the session);
    // it reaches the client as SERVICE_UNAVAILABLE. The sub is a checked UUID (assertAccessTokenClaims).
    const user = typeof claims.sub === 'string' ? await this.users.findById(claims.sub) : null;
    if (!user) throw new IdentityError(IdentityErrorCode.INVALID_TOKEN, 'The access token names no user');
    if (!user.active) {
      throw new IdentityError(IdentityErrorCode.ACCOUNT_DEACTIVATED, 'This account is deactivated; ask an admin');
    }
    return user;
  }
}
