import { Injectable } from '@nestjs/common';
import { IdentityError, IdentityErrorCode } from './domain/identity.errors';
import { normalizeEmail } from './domain/user-rules';
import { LoginThrottle } from './login-throttle';
import { PasswordCheckSlots } from './password-check-slots';
import { PasswordHasher } from './password-hasher';
import { SessionsService } from './sessions/sessions.service';
import type { UserEntity } from './user.entity';
import { UsersService } from './users.service';

/**
 * Password sign-in checks. A failed sign-in writes only its trail entry (SessionsService.recordFailure); sessions
 * and tokens are SessionsService's.
 */
@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly throttle: LoginThrottle,
    private readonly slots: PasswordCheckSlots,
    private readonly sessions: SessionsService,
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
        await this.sessions.recordFailure({
          action: 'auth.sign-in-failed',
          userId: user?.id,
          email,
          reason: 'INVALID_CREDENTIALS',
          address,
        });
        throw new IdentityError(IdentityErrorCode.INVALID_CREDENTIALS, 'E-mail or password is wrong');
      }
      if (!user.active) {
        await this.sessions.recordFailure({ action: 'auth.sign-in-failed', userId: user.id, reason: 'ACCOUNT_DEACTIVATED', address });
        throw new IdentityError(IdentityErrorCode.ACCOUNT_DEACTIVATED, 'This account is deactivated; ask an admin');
      }
      await attempt.succeeded();
      return user;
    } finally {
      release();
    }
  }
}
