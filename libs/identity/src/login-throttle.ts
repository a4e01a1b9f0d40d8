import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import ipaddr from 'ipaddr.js';
import { RateLimiterRes, type IRateLimiterOptions, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { Clock, type AppConfig } from '@app/common';
import { IdentityError, IdentityErrorCode } from './domain/identity.errors';
import { MemoryThrottleStore, ThrottleStore } from './throttle-store';

/** An admitted sign-in attempt: counted as a failure unless it is reported a success. */
export interface SignInAttempt {
  /** The password was right and the account may sign in: the pair's failures are forgotten. */
  succeeded(): Promise<void>;
}

/**
 * How long an address an account signed in from stays "known" to it (see the
 * per-account limit). Under 24.8 days: RateLimiterMemory expires keys with
 * setTimeout, which fires at once past 2^31 - 1 ms.
 */
const KNOWN_ADDRESS_SECONDS = 14 * 24 * 3600;

/**
 * Counts sign-in attempts BEFORE their password is checked, so parallel
 * attempts cannot outrun the count, and refuses fast (LOGIN_THROTTLED with
 * `retryAfterSeconds`, no user read, no hash) when a limit is reached:
 *
 * - **One account from one address (the pair)**: LOGIN_MAX_FAILURES attempts
 *   are free; after them the pair waits 1 s, then 2 s, 4 s ... up to
 *   LOGIN_WINDOW_SECONDS before each next attempt, and only one attempt gets
 *   each opening. The wait is measured on the app's Clock. A success clears the
 *   pair. Failures from other addresses never delay this pair, so nobody can
 *   lock the president out of her own address by guessing from theirs.
 * - **One address, whatever the accounts**: LOGIN_ADDRESS_MAX_FAILURES failures
 *   per LOGIN_WINDOW_SECONDS, then that address is refused for the window (it is
 *   the prober's own address that stops working).
 * - **One account, from addresses it has not signed in from within 14 days**:
 *   LOGIN_ACCOUNT_MAX_FAILURES failures per window, then new addresses are
 *   refused for the rest of the window while known ones keep working. This slows
 *   guessing spread over many addresses; the only lever it hands an attacker is
 *   delaying the account's first sign-in from a new address, never a lock-out.
 *
 * A success gives back its count on the address and account limits (only
 * failures count there). Unknown e-mails are counted exactly like known ones.
 *
 * An address counts as one client holds it: IPv4 (also IPv4-mapped IPv6) as
 * is, IPv6 by its /64 (one host is usually given a whole /64). All instances
 * sharing a store must read the same time (the pair's openings are Clock times).
 *
 * The counts live in rate-limiter-flexible limiters built by `limiter()` on
 * the ThrottleStore (throttle-store.ts), shared by every instance: the table
 * `login_throttle` in PostgreSQL by default (RateLimiterPostgres, the app's
 * pool), or Redis when REDIS_URL is set (RateLimiterRedis, keys under
 * REDIS_KEY_PREFIX). A failure through instance A counts on instance B, and a
 * restart forgets nothing. Without a store (unit specs) they are in this
 * process's memory. The pair's steps stay safe against races across instances:
 * the free attempts are one atomic consume (an upsert, or a Lua script), and
 * each opening after a delay is claimed by an atomic consume on a key naming
 * that opening, so two instances cannot both check a password for it.
 *
 * Two clocks, kept apart: the pair's openings are app Clock times (ms) stored
 * as points, compared with the Clock here; every key's expiry is the store's
 * own wall time (how long a count is remembered). A key over 128 characters
 * (a long e-mail) is stored as its SHA-256, counted the same.
 *
 * Fails closed: when the store does not answer, the attempt is refused with
 * SIGN_IN_UNAVAILABLE (SERVICE_UNAVAILABLE) before any check; an attempt the
 * store did not count is never admitted. A right password whose success the
 * store cannot record is refused the same way (the user tries again).
 */
@Injectable()
export class LoginThrottle {
  private readonly freeFailures: number;
  private readonly maxDelayMs: number;
  /** How long a pair's state is kept after it last moved on. */
  private readonly memorySeconds: number;

  /** Per pair: the free attempts (consumed before the check). */
  private readonly pairFree: RateLimiterAbstract;
  /** Per pair, once the free attempts are used: when (app Clock, ms) its next attempt may start. */
  private readonly pairOpensAt: RateLimiterAbstract;
  /** Per pair: how many delays it has gone through (the exponent of the next one). */
  private readonly pairSteps: RateLimiterAbstract;
  /** Per pair and opening: the one attempt that gets it. */
  private readonly pairOpenings: RateLimiterAbstract;
  private readonly byAddress: RateLimiterAbstract;
  private readonly byAccount: RateLimiterAbstract;
  /** Per pair: present while the account signed in from that address within KNOWN_ADDRESS_SECONDS. */
  private readonly knownAddresses: RateLimiterAbstract;

  private readonly logger = new Logger('LoginThrottle');

  constructor(
    @Inject(ConfigService) config: ConfigService<AppConfig, true>,
    @Inject(Clock) private readonly clock: Clock,
    @Optional() @Inject(ThrottleStore) private readonly store: ThrottleStore = new MemoryThrottleStore(),
  ) {
    this.freeFailures = config.get('LOGIN_MAX_FAILURES', { infer: true });
    const window = config.get('LOGIN_WINDOW_SECONDS', { infer: true });
    this.maxDelayMs = window * 1000;
    this.memorySeconds = 4 * window;
    this.pairFree = this.limiter({ keyPrefix: 'login-pair-free', points: this.freeFailures, duration: this.memorySeconds });
    this.pairOpensAt = this.limiter({ keyPrefix: 'login-pair-opens-at', points: 1, duration: this.memorySeconds });
    this.pairSteps = this.limiter({ keyPrefix: 'login-pair-steps', points: 1, duration: this.memorySeconds });
    this.pairOpenings = this.limiter({ keyPrefix: 'login-pair-opening', points: 1, duration: this.memorySeconds });
    this.byAddress = this.limiter({
      keyPrefix: 'login-address',
      points: config.get('LOGIN_ADDRESS_MAX_FAILURES', { infer: true }),
      duration: window,
      blockDuration: window,
    });
    this.byAccount = this.limiter({
      keyPrefix: 'login-account-new-addresses',
      points: config.get('LOGIN_ACCOUNT_MAX_FAILURES', { infer: true }),
      duration: window,
    });
    this.knownAddresses = this.limiter({ keyPrefix: 'login-known-address', points: 1, duration: KNOWN_ADDRESS_SECONDS });
  }

  /**
   * Counts an attempt to sign in as `email` from `address` (the client's IP),
   * before the password is checked, or refuses it with LOGIN_THROTTLED.
   */
  async admit(email: string, address: string): Promise<SignInAttempt> {
    try {
      return await this.count(storedKey(email), storedKey(addressKey(address)));
    } catch (err) {
      throw this.unlessRefusal(err);
    }
  }

  private async count(email: string, client: string): Promise<SignInAttempt> {
    const pair = storedKey(JSON.stringify([email, client]));
    const known = (await this.knownAddresses.get(pair)) !== null;

    const byAddress = await attempt(this.byAddress, client);
    if (!byAddress.admitted) throw throttled(byAddress.res.msBeforeNext);
    const giveBack: (() => Promise<unknown>)[] = [() => this.byAddress.reward(client)];
    try {
      if (!known) {
        const byAccount = await attempt(this.byAccount, email);
        if (!byAccount.admitted) throw throttled(byAccount.res.msBeforeNext);
        giveBack.push(() => this.byAccount.reward(email));
      }
      await this.admitPair(pair);
    } catch (err) {
      // Refused before any check: it does not count as a failure of the address or the account.
      await Promise.all(giveBack.map((undo) => undo()));
      throw err;
    }

    let settled = false;
    return {
      succeeded: async () => {
        if (settled) return;
        settled = true;
        await Promise.all([
          ...giveBack.map((undo) => undo()),
          this.pairFree.delete(pair),
          this.pairOpensAt.delete(pair),
          this.pairSteps.delete(pair),
          this.knownAddresses.set(pair, 1, KNOWN_ADDRESS_SECONDS),
        ]).catch((err: unknown) => {
          throw this.unlessRefusal(err);
        });
      },
    };
  }

  private async admitPair(pair: string): Promise<void> {
    const now = this.clock.now().getTime();
    let opening = await this.pairOpensAt.get(pair);
    if (!opening) {
      const free = await attempt(this.pairFree, pair);
      if (free.admitted) {
        // The last free attempt: whatever comes next for this pair waits for the first delay.
        if (free.res.consumedPoints === this.freeFailures) await this.pairOpensAt.set(pair, now + this.delayMs(0), this.memorySeconds);
        return;
      }
      opening = await this.pairOpensAt.get(pair);
      // The free attempts are all taken and still being checked: the first delay is about to be set.
      if (!opening) throw throttled(1000);
    }
    const opensAt = opening.consumedPoints;
    if (now < opensAt) throw throttled(opensAt - now);
    // The delay is over: only the first attempt to claim this opening is checked.
    const claim = await attempt(this.pairOpenings, `${pair}@${opensAt}`);
    if (!claim.admitted) throw throttled(1000);
    // Only this attempt (the opening's one claimant) moves the pair on.
    const step = ((await this.pairSteps.get(pair))?.consumedPoints ?? 0) + 1;
    await this.pairSteps.set(pair, step, this.memorySeconds);
    await this.pairOpensAt.set(pair, now + this.delayMs(step), this.memorySeconds);
  }

  /** 1 s before the first attempt after the free ones, doubling at each step, at most LOGIN_WINDOW_SECONDS. */
  private delayMs(step: number): number {
    return Math.min(1000 * 2 ** Math.min(step, 40), this.maxDelayMs);
  }

  /** The one place that picks the store (see the class comment). */
  private limiter(opts: IRateLimiterOptions): RateLimiterAbstract {
    return this.store.limiter(opts);
  }

  /** A refusal as is; anything else is the store failing: refuse the attempt (fail closed). */
  private unlessRefusal(err: unknown): IdentityError {
    if (err instanceof IdentityError) return err;
    this.logger.warn(
      `sign-in refused: the throttle's store (${this.store.kind}) failed: ${err instanceof Error ? err.message : String(err)}`,
    );
    return new IdentityError(
      IdentityErrorCode.SIGN_IN_UNAVAILABLE,
      'Sign-in is unavailable for a moment (its attempt counter is not answering); try again shortly',
      {
        retryAfterSeconds: 1,
      },
    );
  }
}

/** Keys over 128 characters (a long e-mail address) as their SHA-256, so every store can hold them. */
function storedKey(key: string): string {
  return key.length <= 128 ? key : `sha256:${createHash('sha256').update(key).digest('base64url')}`;
}

/** A consume that tells a refusal (the limit) from a failure of the store (rethrown). */
async function attempt(limiter: RateLimiterAbstract, key: string): Promise<{ admitted: boolean; res: RateLimiterRes }> {
  try {
    return { admitted: true, res: await limiter.consume(key) };
  } catch (err) {
    if (err instanceof RateLimiterRes) return { admitted: false, res: err };
    throw err;
  }
}

function throttled(msBeforeNext: number): IdentityError {
  const retryAfterSeconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new IdentityError(IdentityErrorCode.LOGIN_THROTTLED, `Too many failed sign-ins; try again in ${retryAfterSeconds} s`, {
    retryAfterSeconds,
  });
}

/** The address as limits count it: IPv4 (also when IPv4-mapped in IPv6) whole, IPv6 by its /64. */
export function addressKey(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  let ip = ipaddr.parse(address);
  if (ip instanceof ipaddr.IPv6 && ip.isIPv4MappedAddress()) ip = ip.toIPv4Address();
  if (ip instanceof ipaddr.IPv6) {
    return `${ip.parts
      .slice(0, 4)
      .map((p) => p.toString(16))
      .join(':')}::/64`;
  }
  return ip.toString();
}
