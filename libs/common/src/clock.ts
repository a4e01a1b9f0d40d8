import { AsyncLocalStorage } from 'node:async_hooks';

/** The one source of "now", so that tests and jobs can pin time. */
export abstract class Clock {
  abstract now(): Date;
}

/**
 * A time line that one asynchronous scope runs on instead of the wall clock
 * (see `SystemClock.replay`): it only moves forward, and never past the wall
 * clock.
 */
export interface ReplayedTime {
  /** From here on in the scope, "now" reads `at`, then one millisecond later at each reading. */
  advanceTo(at: Date): void;
}

interface ReplayScope {
  /** The next reading (ms since the epoch); null until the first advanceTo. */
  next: number | null;
  /** Set when `replay` returns: a reading from a promise left behind in the scope is the wall clock's again. */
  closed: boolean;
}

const replayScope = new AsyncLocalStorage<ReplayScope>();

export class SystemClock extends Clock {
  now(): Date {
    const scope = replayScope.getStore();
    if (!scope || scope.closed) return new Date();
    if (scope.next === null) throw new Error('SystemClock.replay: call advanceTo before the first reading');
    // A millisecond per reading, as a real clock ticks: two readings in one step
    // are distinct and in order (a transition and the next one of the same item).
    return new Date(scope.next++);
  }

  /**
   * Runs `fn` with "now" replayed for every reading made in its asynchronous
   * scope (the services it calls, their listeners, the audit trail), and only
   * there: other requests and jobs running meanwhile keep the wall clock.
   *
   * For the demo loader ONLY (libs/demo), which writes the demo case's story
   * through the real services at the times the story gives, so that the
   * history tables (append-only, several of them guarded by triggers) and
   * the audit trail hold those times from the start, rather than patching them
   * afterwards. A spec (clock.spec.ts) fails if any other code calls it.
   * Time moves forward only and never past the wall clock: a replay can
   * backdate, not postdate, and keeps the trail's time order.
   *
   * Why a scope rather than a swappable Clock provider: the services are
   * singletons sharing one Clock; swapping it would move time for every
   * request and job of the process while the demo loads.
   */
  static async replay<T>(fn: (time: ReplayedTime) => Promise<T>): Promise<T> {
    if (replayScope.getStore()) throw new Error('SystemClock.replay does not nest');
    const scope: ReplayScope = { next: null, closed: false };
    const time: ReplayedTime = {
      advanceTo(at: Date): void {
        const ms = at.getTime();
        if (Number.isNaN(ms)) throw new Error('SystemClock.replay: advanceTo needs a valid date');
        if (ms > Date.now()) throw new Error(`SystemClock.replay: ${at.toISOString()} is in the future`);
        if (scope.next !== null && ms < scope.next) {
          throw new Error(
            `SystemClock.replay: time only moves forward (${at.toISOString()} is before ${new Date(scope.next).toISOString()})`,
          );
        }
        scope.next = ms;
      },
    };
    try {
      return await replayScope.run(scope, () => fn(time));
    } finally {
      scope.closed = true;
    }
  }
}
