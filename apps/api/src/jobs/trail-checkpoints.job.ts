import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import {
  checkpointReasonFor,
  scheduledCheckpointDue,
  TRAIL_CHANNEL,
  TrailCheckpointsService,
  type CheckpointReason,
  type TrailAppendedNotice,
} from '@app/audit-trail';
import { Actor, Clock, type AppConfig } from '@app/common';
import { NoticeBus, type NoticeListener } from '@app/database';

/**
 * When trail checkpoints are made (docs/proofs.md), in the API server:
 * - at start-up, when the trail grew since the newest checkpoint (START);
 * - on schedule: the job queue's `trail-checkpoint-tick` looks every minute, once
 *   across all instances (job-definitions.ts), and makes one when the trail grew and
 *   CHECKPOINT_INTERVAL_SECONDS have passed, by the app's Clock, since the newest
 *   checkpoint (SCHEDULE);
 * - right after a sign-off, a clearance, a gate change or a bundle export has committed
 *   (the trail's committed notices, TRAIL_CHANNEL: whichever process made the change);
 *   notices that come while one is waiting to run are covered by it;
 * - on demand: createTrailCheckpoint (resolver), not here.
 * A failure (e.g. TRAIL_INCONSISTENT: history was changed) is logged as an alert and
 * retried at the next occasion (the scheduled look also rejects, for the queue to
 * retry it); it never stops the server.
 */
@Injectable()
export class TrailCheckpointsJob implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(TrailCheckpointsJob.name);
  private readonly notifications: NoticeListener<TrailAppendedNotice>;
  private unsubscribe: (() => void)[] = [];
  /** The checkpoint runs of this process, one after the other. */
  private chain: Promise<void> = Promise.resolve();
  /** A run queued and not yet started: it will cover every commit announced before it starts. */
  private queued = false;
  /**
   * The newest trail entry the queued run is for (the notices' seq), or undefined: the whole trail as it
   * stands when the run starts (START, a caller without a seq).
   */
  private queuedCovers: number | undefined;
  private stopped = false;

  constructor(
    @Inject(NoticeBus) notices: NoticeBus,
    @Inject(TrailCheckpointsService) private readonly checkpoints: TrailCheckpointsService,
    @Inject(ConfigService) private readonly config: ConfigService<AppConfig, true>,
    @Inject(Clock) private readonly clock: Clock,
  ) {
    this.notifications = notices.listen<TrailAppendedNotice>(TRAIL_CHANNEL);
  }

  private get intervalSeconds(): number {
    return this.config.get('CHECKPOINT_INTERVAL_SECONDS', { infer: true });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.unsubscribe = [
      this.notifications.subscribe((notice) => {
        const reason = checkpointReasonFor(notice.action);
        if (reason) void this.trigger(reason, Number(notice.seq));
      }),
      // Notices sent while the connection was down are lost: catch up as the schedule would.
      this.notifications.onReconnect(() => void this.tick().catch(() => undefined)),
    ];
    await this.notifications.start();
    // Awaited: the server serves no request before the trail it starts with is signed.
    await this.trigger('START');
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    for (const u of this.unsubscribe) u();
    await this.notifications.stop();
    await this.chain;
  }

  /** The scheduled look: a checkpoint if the trail grew and the interval has passed since the newest one. Rejects when it failed (after the alert), for the queue to retry it. */
  tick(): Promise<void> {
    return this.enqueue(async () => {
      const [headSize, newest] = await Promise.all([this.checkpoints.headSize(), this.checkpoints.newest()]);
      const due = scheduledCheckpointDue({
        now: this.clock.now(),
        headSize,
        newest: newest ? { treeSize: Number(newest.treeSize), createdAt: newest.createdAt } : null,
        intervalSeconds: this.intervalSeconds,
      });
      if (due) await this.checkpoints.create(Actor.system('trail-checkpoints'), 'SCHEDULE');
    }, 'scheduled');
  }

  /**
   * A checkpoint now, for `reason`, covering trail entry `covers` (a notice's seq) or, without it, the whole
   * trail (a checkpoint that already covers it is kept: another instance's, made for the same notice). Never rejects.
   */
  trigger(reason: CheckpointReason, covers?: number): Promise<void> {
    if (this.queued) {
      // The queued run covers this one too: the newest entry of the two, or the whole trail.
      this.queuedCovers = covers === undefined || this.queuedCovers === undefined ? undefined : Math.max(this.queuedCovers, covers);
      return this.chain;
    }
    this.queued = true;
    this.queuedCovers = covers;
    return this.enqueue(async () => {
      this.queued = false;
      const coversNow = this.queuedCovers;
      // An empty trail has nothing to sign at start-up.
      if (reason === 'START' && (await this.checkpoints.headSize()) === 0) return;
      await this.checkpoints.create(Actor.system('trail-checkpoints'), reason, coversNow);
    }, reason).catch(() => undefined);
  }

  private enqueue(run: () => Promise<void>, what: string): Promise<void> {
    const result = this.chain.then(async () => {
      if (this.stopped && what !== 'START') return;
      try {
        await run();
      } catch (err) {
        const e = err as Error & { code?: string };
        this.log.error(`alert: trail checkpoint (${what}) not made: ${e.code ? `${e.code}: ` : ''}${e.message}`);
        throw err;
      }
    });
    // The runs go on after a failure; the caller learns of it from `result`.
    this.chain = result.catch(() => undefined);
    return result;
  }
}
