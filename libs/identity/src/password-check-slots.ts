import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@app/common';

/**
 * At most LOGIN_MAX_CONCURRENT_HASHES sign-ins checking a password at once in
 * this process. argon2 runs on libuv's thread pool (4 threads by default),
 * the pool file reads, writes and DNS look-ups use too: left unbounded, a
 * crowd of wrong sign-ins fills it and downloads and health checks wait behind
 * the hashes. There is no queue: a sign-in that finds every slot taken is
 * refused at once (SIGN_IN_BUSY) and holds nothing.
 *
 * Per process on purpose, unlike the sign-in counts (LoginThrottle): it guards
 * this process's threads.
 */
@Injectable()
export class PasswordCheckSlots {
  readonly size: number;
  private inUse = 0;

  constructor(@Inject(ConfigService) config: ConfigService<AppConfig, true>) {
    this.size = config.get('LOGIN_MAX_CONCURRENT_HASHES', { infer: true });
  }

  /** A slot, or null when all are taken. The function returned gives it back (a second call does nothing). */
  tryTake(): (() => void) | null {
    if (this.inUse >= this.size) return null;
    this.inUse++;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.inUse--;
    };
  }
}
