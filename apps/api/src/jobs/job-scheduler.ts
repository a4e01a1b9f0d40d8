import type { Logger } from '@nestjs/common';
import type PgBoss from 'pg-boss';
import { CronMinutes } from './cron-minutes';

const MINUTE_MS = 60_000;
/** A look that comes late (the event loop held up, the machine suspended) still sends what fell due this far back. */
const CATCH_UP_MINUTES = 5;
/** Each look comes this long after its minute began (a clock a little behind still reads the minute). */
const LOOK_OFFSET_MS = 1_000;

/** pgboss.schedule's row: the schedule as registered (or as an operator changed it). */
interface ScheduleRow {
  name: string;
  cron: string;
  timezone?: string | null;
  data?: object | null;
  options?: (PgBoss.SendOptions & { tz?: string }) | null;
}

/**
 * The schedules' clock, in place of pg-boss's cron (`schedule: false`), on every instance that works the queues:
 * once a minute it reads the schedules (pgboss.schedule) and sends the job of each whose cron fires in that minute
 * (and in minutes a late look missed). Every such instance sends; the job's period (singletonKey + singletonSeconds,
 * job-definitions.ts) makes it one job, whoever is first.
 *
 * Why not pg-boss's cron: its look, every 30 s on one instance, steps each schedule back through time with luxon
 * (cron-parser's `prev()` in Asia/Tokyo): 100–400 ms of the thread that answers requests, a stall that the requests
 * in flight on that instance all waited through. Here a look is one small query and a few Intl formattings.
 */
export class JobScheduler {
  private timer: NodeJS.Timeout | null = null;
  private looking: Promise<unknown> | null = null;
  private stopped = false;
  /** The last minute looked at (ms since the epoch, a multiple of a minute). */
  private lastMinute = 0;
  private readonly crons = new Map<string, CronMinutes | null>();

  constructor(
    private readonly boss: PgBoss,
    private readonly log: Logger,
    /** Told of each job a look made (the instance wakes its worker). */
    private readonly made: (name: string) => void,
  ) {}

  /** Looks at the current minute now (as pg-boss's look at start-up did), then at each minute. */
  start(): void {
    this.stopped = false;
    this.lastMinute = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS - MINUTE_MS;
    this.look();
  }

  /** No more looks; waits for one under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.looking;
  }

  /**
   * Sends the job of every schedule whose cron fires in one of `minutes`; the names of the jobs made (a schedule
   * whose period already has its job makes none).
   */
  async sendDue(minutes: readonly Date[]): Promise<string[]> {
    const made: string[] = [];
    for (const s of (await this.boss.getSchedules()) as ScheduleRow[]) {
      const cron = this.cronOf(s);
      if (!cron || !minutes.some((m) => cron.matches(m))) continue;
      const { tz: _tz, ...options } = s.options ?? {};
      const id = await this.boss.send(s.name, s.data ?? {}, options);
      if (id) {
        made.push(s.name);
        this.made(s.name);
      }
    }
    return made;
  }

  private look(): void {
    const minute = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS;
    const minutes: Date[] = [];
    for (let m = Math.max(this.lastMinute + MINUTE_MS, minute - (CATCH_UP_MINUTES - 1) * MINUTE_MS); m <= minute; m += MINUTE_MS) {
      minutes.push(new Date(m));
    }
    this.lastMinute = minute;
    this.looking = this.sendDue(minutes)
      .catch((err: unknown) => this.log.error(`job schedules: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        this.looking = null;
        if (this.stopped) return;
        this.timer = setTimeout(() => this.look(), minute + MINUTE_MS + LOOK_OFFSET_MS - Date.now());
        this.timer.unref();
      });
  }

  /** The parsed cron of a schedule (kept per cron and zone); null, once logged, if it cannot be read. */
  private cronOf(s: ScheduleRow): CronMinutes | null {
    const timeZone = s.timezone ?? s.options?.tz ?? 'UTC';
    const key = `${s.cron}\u0000${timeZone}`;
    if (!this.crons.has(key)) {
      try {
        this.crons.set(key, new CronMinutes(s.cron, timeZone));
      } catch (err) {
        this.log.error(`job schedule ${s.name}: cannot read cron "${s.cron}" in ${timeZone}: ${(err as Error).message}`);
        this.crons.set(key, null);
      }
    }
    return this.crons.get(key)!;
  }
}
