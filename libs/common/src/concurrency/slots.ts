/**
 * A bound on how much of one kind of work runs at once, for anything a caller
 * can make the server do in bulk (password checks, uploads, report renderings):
 * `size` run, up to `queueSize` more wait their turn (first come, first served),
 * and beyond that the caller is told at once that the server is busy — it never
 * waits behind an unbounded crowd, and what is running keeps its resources.
 *
 * The queue holds promises, not threads or connections. Per process: it guards
 * this process's threads, memory and disk bandwidth.
 */
export class Slots {
  private inUse = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly size: number,
    readonly queueSize = 0,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`Slots: size must be a whole number ≥ 1 (got ${size})`);
    if (!Number.isInteger(queueSize) || queueSize < 0) throw new Error(`Slots: queueSize must be a whole number ≥ 0 (got ${queueSize})`);
  }

  /** Running now, and waiting. */
  get load(): { running: number; waiting: number } {
    return { running: this.inUse, waiting: this.waiting.length };
  }

  /**
   * A slot: at once if one is free, after those ahead in the queue if the queue
   * has room, or null when both are full. The function it gives back returns the
   * slot, to the next in the queue if any (a second call does nothing).
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
      const next = this.waiting.shift();
      if (next) next();
      else this.inUse--;
    };
  }
}

/**
 * Slots per key (a user, say) on top of a shared bound: at most `perKey` of
 * one key's work at once, so that one caller cannot take every shared slot.
 * No queue per key: a key at its bound is refused at once.
 */
export class KeyedSlots {
  private readonly held = new Map<string, number>();

  constructor(
    readonly shared: Slots,
    readonly perKey: number,
  ) {}

  /** As Slots.take, refusing (null) also when `key` already holds `perKey` slots. */
  take(key: string): Promise<() => void> | null {
    const mine = this.held.get(key) ?? 0;
    if (mine >= this.perKey) return null;
    const slot = this.shared.take();
    if (!slot) return null;
    this.held.set(key, mine + 1);
    let counted = true;
    const uncount = () => {
      if (!counted) return;
      counted = false;
      const n = (this.held.get(key) ?? 1) - 1;
      if (n <= 0) this.held.delete(key);
      else this.held.set(key, n);
    };
    return slot.then((release) => () => {
      uncount();
      release();
    });
  }
}
