import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Slots, type AppConfig } from '@app/common';

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
 * refused at once (SIGN_IN_BUSY) and holds nothing.
 */
@Injectable()
export class PasswordCheckSlots extends Slots {
  constructor(@Inject(ConfigService) config: ConfigService<AppConfig, true>) {
    super(config.get('LOGIN_MAX_CONCURRENT_HASHES', { infer: true }), config.get('LOGIN_MAX_QUEUED_HASHES', { infer: true }));
  }
}
