import type { Logger } from '@nestjs/common';
import type PgBoss from 'pg-boss';
import { CronMinutes } from './cron-minutes';

const MINUTE_MS = 60_000;
/**
 * A look that comes late (the event loop held up, the database away, the machine suspended) still sends what fell
 * due this far back: at worst a day's job goes out late, never not at all, unless the whole fleet is down longer.
 */
const CATCH_UP_MINUTES = 60;
/** Each look comes this long after its minute began (by the database's clock). */
const LOOK_OFFSET_MS = 1_000;
/** A clock this far from the database's is told in the log (pg-boss's own threshold). */
const SKEW_WARNING_MS = 60_000;

/** pgboss.schedule's row: the schedule as registered (or as an operator changed its cron or zone). */
interface ScheduleRow {
  name: string;
  cron: string;
  timezone?: string | null;
  data?: object | null;
}

export interface JobSchedulerDeps {
  /**
   * The options of every job of queue `name` (one job per period: singletonKey + singletonSeconds); null for a
   * schedule that is no queue of this build (not sent).
   */
  sendOptions(name: string): PgBoss.SendOptions | null;
  /** The database's clock, ms since the epoch: the minute is the database's, as the job's period is. */
  databaseNow(): Promise<number>;
  /** Told of each job a look made (the instance wakes its worker). */
  made(name: string): void;
}

/**
 * The schedules' clock, in place of pg-boss's cron (`schedule: false`), on every instance that works the queues:
 * once a minute (of the database's clock) it reads the schedules (pgboss.schedule) and sends the job of each whose
 * cron fires in that minute, or in a minute since the last look that went through. Every such instance sends; the
 * job's period (singletonKey + singletonSeconds, job-definitions.ts, always this build's for the queue) makes it
 * one job, whoever is first. A look that fails (the database away) is looked at again by the next one.
 *
 * Why not pg-boss's cron: its look, every 30 s on one instance, steps each schedule back through time with luxon
 * (cron-parser's `prev()` in Asia/Tokyo): 70–400 ms of the thread that answers requests, a stall that the requests
 * in flight on that instance all waited through. Here a look is two small queries and a few Intl formattings.
 */
export class JobScheduler {
  private timer: NodeJS.Timeout | null = null;
  private looking: Promise<void> | null = null;
  private running = false;
  /** The last minute every due job of which was sent (database clock, ms, a multiple of a minute); null: none yet. */
  private lastMinute: number | null = null;
  /** The database's clock minus this process's, at the last look. */
  private skew = 0;
  private skewTold = false;
  private readonly crons = new Map<string, CronMinutes | null>();
  private readonly unknownTold = new Set<string>();

  constructor(
    private readonly boss: PgBoss,
    private readonly log: Logger,
    private readonly deps: JobSchedulerDeps,
  ) {}

  /** Looks at the current minute now (as pg-boss's look at start-up did), then at each minute. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.look();
  }

  /** No more looks; waits for one under way. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.looking;
  }

  /**
   * Sends the job of every schedule whose cron fires in one of `minutes`; the names of the jobs made (a schedule
   * whose period already has its job makes none). Throws if any could not be sent (after trying the others).
   */
  async sendDue(minutes: readonly Date[]): Promise<string[]> {
    const made: string[] = [];
    const failures: string[] = [];
    for (const s of (await this.boss.getSchedules()) as ScheduleRow[]) {
      const cron = this.cronOf(s);
      if (!cron || !minutes.some((m) => cron.matches(m))) continue;
      const options = this.deps.sendOptions(s.name);
      if (!options) {
        this.tellOnce(`job schedule ${s.name}: no such queue in this build; not sent`);
        continue;
      }
      try {
        if (await this.boss.send(s.name, s.data ?? {}, options)) {
          made.push(s.name);
          this.deps.made(s.name);
        }
      } catch (err) {
        failures.push(`${s.name}: ${messageOf(err)}`);
      }
    }
    if (failures.length > 0) throw new Error(`could not send ${failures.join('; ')}`);
    return made;
  }

  private look(): void {
    this.looking = this.lookNow()
      .catch((err: unknown) => this.log.error(`job schedules (looked at again next minute): ${messageOf(err)}`))
      .finally(() => {
        this.looking = null;
        if (!this.running) return;
        // The next minute of the database's clock, by this process's (the skew as last read).
        const next = (Math.floor((Date.now() + this.skew) / MINUTE_MS) + 1) * MINUTE_MS + LOOK_OFFSET_MS;
        this.timer = setTimeout(() => this.look(), Math.max(0, next - (Date.now() + this.skew)));
        this.timer.unref();
      });
  }

  private async lookNow(): Promise<void> {
    const now = await this.deps.databaseNow();
    this.skew = now - Date.now();
    if (Math.abs(this.skew) >= SKEW_WARNING_MS && !this.skewTold) {
      this.skewTold = true;
      this.log.warn(`this machine's clock is ${Math.round(this.skew / 1000)} s from the database's: the schedules follow the database's`);
    }
    const minute = Math.floor(now / MINUTE_MS) * MINUTE_MS;
    const first = Math.max(this.lastMinute === null ? minute : this.lastMinute + MINUTE_MS, minute - (CATCH_UP_MINUTES - 1) * MINUTE_MS);
    const minutes: Date[] = [];
    for (let m = first; m <= minute; m += MINUTE_MS) minutes.push(new Date(m));
    await this.sendDue(minutes);
    this.lastMinute = minute;
  }

  /** The parsed cron of a schedule (kept per cron and zone); null, once logged, if it cannot be read. */
  private cronOf(s: ScheduleRow): CronMinutes | null {
    const timeZone = s.timezone ?? 'UTC';
    const key = `${s.cron}\u0000${timeZone}`;
    if (!this.crons.has(key)) {
      try {
        this.crons.set(key, new CronMinutes(s.cron, timeZone));
      } catch (err) {
        this.log.error(`job schedule ${s.name}: cannot read cron "${s.cron}" in ${timeZone}: ${messageOf(err)}`);
        this.crons.set(key, null);
      }
    }
    return this.crons.get(key)!;
  }

  private tellOnce(line: string): void {
    if (this.unknownTold.has(line)) return;
    this.unknownTold.add(line);
    this.log.warn(line);
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
