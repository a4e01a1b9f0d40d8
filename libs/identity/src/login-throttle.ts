import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ThrottlerStorageService } from '@nestjs/throttler';
import type { AppConfig } from '@app/common';
import { IdentityError, IdentityErrorCode } from './domain/identity.errors';

/**
 * Counts failed sign-ins per account and per client address with
 * @nestjs/throttler's storage. After LOGIN_MAX_FAILURES failures inside
 * LOGIN_WINDOW_SECONDS, that key is blocked for the same window, whether the
 * next password is right or not. A success clears the account's count (not the
 * address's). Kept in this process's memory: a restart forgets the counts.
 */
@Injectable()
export class LoginThrottle {
  private readonly storage = new ThrottlerStorageService();
  /** Per account: how many successful sign-ins have reset its failure count. */
  private readonly generations = new Map<string, number>();
  private readonly limit: number;
  private readonly windowMs: number;

  constructor(@Inject(ConfigService) config: ConfigService<AppConfig, true>) {
    this.limit = config.get('LOGIN_MAX_FAILURES', { infer: true });
    this.windowMs = config.get('LOGIN_WINDOW_SECONDS', { infer: true }) * 1000;
  }

  assertNotBlocked(email: string, address: string): void {
    const now = Date.now();
    for (const key of this.keys(email, address)) {
      const record = this.storage.storage.get(key);
      if (record?.isBlocked && record.blockExpiresAt > now) {
        const retryAfterSeconds = Math.ceil((record.blockExpiresAt - now) / 1000);
        throw new IdentityError(
          IdentityErrorCode.LOGIN_THROTTLED,
          `Too many failed sign-ins; try again in ${retryAfterSeconds} s`,
          { retryAfterSeconds },
        );
      }
    }
  }

  async recordFailure(email: string, address: string): Promise<void> {
    for (const key of this.keys(email, address)) {
      // The storage blocks once hits exceed its limit: limit - 1 blocks at the Nth failure.
      await this.storage.increment(key, this.windowMs, this.limit - 1, this.windowMs, 'login');
    }
  }

  /**
   * The storage has no public reset, so a success starts a new generation of
   * the account's key; the old record expires and is swept by the storage.
   */
  recordSuccess(email: string): void {
    this.generations.set(email, (this.generations.get(email) ?? 0) + 1);
  }

  private keys(email: string, address: string): string[] {
    return [`account:${email}#${this.generations.get(email) ?? 0}`, `address:${address}`];
  }
}
