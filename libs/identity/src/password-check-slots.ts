import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@app/common';

/**
 * At most LOGIN_MAX_CONCURRENT_HASHES sign-ins checking a password at once in
 * this process. argon2 runs on libuv's thread pool (4 threads by default),
 * the pool file reads, writes and DNS look-ups use too: left unbounded, a
 * crowd of wrong sign-ins fills it and downloads and health checks wait behind
 * the hashes.
 *
 * A short queue (LOGIN_MAX_QUEUED_HASHES) lets a few people who sign in at the
 * same moment wait their turn (a hash takes tens of milliseconds) instead of
 * being told to retry; a sign-in that finds the slots and the queue full is
 * refused at once (SIGN_IN_BUSY) and holds nothing. The queue holds promises,
 * not threads: waiting costs the pool nothing.
 *
 * Per process on purpose, unlike the sign-in counts (LoginThrottle): it guards
 * this process's threads.
 */
@Injectable()
export class PasswordCheckSlots {
  readonly size: number;
  readonly queueSize: number;
  private inUse = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(@Inject(ConfigService) config: ConfigService<AppConfig, true>) {
    this.size = config.get('LOGIN_MAX_CONCURRENT_HASHES', { infer: true });
    this.queueSize = config.get('LOGIN_MAX_QUEUED_HASHES', { infer: true });
  }

  /**
   * A slot: at once if one is free, after the sign-ins ahead in the queue if
   * the queue has room (first come, first served), or null when both are full.
   * The function it gives back returns the slot (a second call does nothing).
   */
  take(): Promise<() => void> | null {
    if (this.inUse < this.size) {
      this.inUse++;
      return Promise.resolve(this.releaser());
    }
    if (this.waiting.length >= this.queueSize) return null;
    return new Promise((resolve) => this.waiting.push(() => resolve(this.releaser())));
  }

  private releaser(): () => void {
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      // The slot passes straight to the next in the queue, if any.
      const next = this.waiting.shift();
      if (next) next();
      else this.inUse--;
    };
  }
}
