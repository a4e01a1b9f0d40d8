import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { OnEvent } from '@nestjs/event-emitter';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DataSource } from 'typeorm';
import { Clock, type AppConfig } from '@app/common';
import { formatNote } from '@app/proofs';
import { NoticeBus, type NoticeListener } from '@app/database';
import { TRAIL_CHECKPOINT_CREATED } from '../checkpoints/trail-checkpoints.service';
import { CHECKPOINT_COPIES_CHANNEL } from './checkpoint-copies.service';
import type { CheckpointCopyTarget } from './checkpoint-copy.entity';
import { checkpointDirectory, copyToDirectory } from './directory-copy';
import {
  afterCopyAttempt,
  copyErrorText,
  copyTargetsFor,
  type CheckpointForCopy,
  type CopyAttemptResult,
  type CopyOutcome,
  type CopyRetryPolicy,
} from './domain/checkpoint-copy-rules';
import { checkpointS3Client, copyToS3 } from './s3-copy';
import { CheckpointWebhookPost, copyToWebhook } from './webhook-copy';

/** Wake-up period when nothing is announced (due retries, copies planned by the CLI or another instance). */
export const COPY_POLL_INTERVAL_MS = 1000;
/** A claimed copy is out of other workers' reach this long; if this process dies meanwhile, another one retries it. */
export const COPY_CLAIM_LEASE_MS = 60_000;
/** At start, a copy due later than this is made due at once (one due sooner may be another instance's claim). */
const RESUME_AFTER_MS = 2 * COPY_CLAIM_LEASE_MS;
/** Marks the worker's own statements (the tests' statement counter leaves background work out by it). */
export const BACKGROUND_SQL = '/* checkpoint-copy-worker */';
/** Copies claimed per pass. */
export const COPY_BATCH = 20;
/** How often a checkpoint stored without its copies planned (not through CheckpointCopies.planFor) is looked for. */
export const UNPLANNED_SWEEP_MS = 60_000;

interface Claimed {
  id: string;
  target: CheckpointCopyTarget;
  attempts: number;
  checkpoint: CheckpointForCopy;
}

/** What one run did (for the caller of runDue: tests, an admin command). */
export interface CopyRunSummary {
  done: number;
  retrying: number;
  failed: number;
}

/**
 * Delivers the checkpoint copies planned in trail_checkpoint_copies
 * (CheckpointCopies.planFor, in the checkpoint's transaction).
 *
 * - Runs in the API server only (provided by apps/api, not by the lib's module:
 *   the CLI plans copies and the server delivers them).
 * - Wakes every second, at once when copies are announced on commit (LISTEN
 *   trail_checkpoint_copies_due, from any process, the CLI too) or a checkpoint
 *   of this process is (TRAIL_CHECKPOINT_CREATED), and after a retry's delay.
 * - Claims due PENDING copies with `FOR UPDATE SKIP LOCKED`, counting the try
 *   and leasing the row for a minute in the same statement: two instances never
 *   copy the same one at once, and no transaction stays open during a copy.
 * - Every target is idempotent (an identical file or object already there is the
 *   copy done; the webhook's receivers de-duplicate on X-Checkpoint-Delivery), so a
 *   copy repeated after a crash is harmless.
 * - A failed try is kept (`last_error`) and retried after base · 2^(n-1) ms
 *   (CHECKPOINT_COPY_RETRY_BASE_MS, at most 5 minutes); after
 *   CHECKPOINT_COPY_MAX_ATTEMPTS tries, or at once when another checkpoint of
 *   that size is already there, FAILED: listed in `checkpointCopyProblems` until
 *   an admin retries it.
 * - At start-up, every PENDING copy is made due now: what a stopped or crashed
 *   server left (planned, or claimed and never finished) is delivered at once.
 *   At start-up and once a minute, a checkpoint stored without any copy planned
 *   gets its copies (a safety net: planFor in the checkpoint's transaction is the rule).
 * - All runs of one process go one after the other (the timer's, the wake-ups'
 *   and `runDue`'s): when `runDue` returns, nothing of this process is in flight.
 * - Never throws out of a background run (errors are logged; the next one tries again).
 */
@Injectable()
export class CheckpointCopyWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(CheckpointCopyWorker.name);
  private readonly policy: CopyRetryPolicy;
  private readonly dir: string;
  private readonly bucket: string | undefined;
  private readonly webhook: { url: string; secret: string } | null;
  private s3: S3Client | null = null;
  private readonly notices: NoticeListener<unknown>;
  private readonly shutdown = new AbortController();
  private timer: NodeJS.Timeout | null = null;
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private unsubscribe: Array<() => void> = [];
  private chain: Promise<unknown> = Promise.resolve();
  private queued = false;
  private stopped = false;
  private lastSweep = 0;

  constructor(
    @Inject(getDataSourceToken()) private readonly dataSource: DataSource,
    @Inject(ConfigService) private readonly config: ConfigService<AppConfig, true>,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(CheckpointWebhookPost) private readonly poster: CheckpointWebhookPost,
    @Inject(NoticeBus) bus: NoticeBus,
  ) {
    this.policy = {
      maxAttempts: config.get('CHECKPOINT_COPY_MAX_ATTEMPTS', { infer: true }),
      baseMs: config.get('CHECKPOINT_COPY_RETRY_BASE_MS', { infer: true }),
    };
    this.dir = checkpointDirectory(config);
    this.bucket = config.get('CHECKPOINT_S3_BUCKET', { infer: true });
    const url = config.get('CHECKPOINT_WEBHOOK_URL', { infer: true });
    const secret = config.get('CHECKPOINT_WEBHOOK_SECRET', { infer: true });
    this.webhook = url && secret ? { url, secret } : null;
    this.notices = bus.listen<unknown>(CHECKPOINT_COPIES_CHANNEL);
  }

  /** The directory every checkpoint is written to. */
  get directory(): string {
    return this.dir;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.unsubscribe = [this.notices.subscribe(() => this.wake()), this.notices.onReconnect(() => this.wake())];
    await this.notices.start();
    try {
      // Only the copies waiting out a retry delay longer than a claim's lease (two of them, for the instances'
      // clocks): one due sooner may be another instance's claim in flight (a claim is PENDING until its lease
      // ends), and making it due at once had this instance deliver it a second time; it is tried within that anyway.
      const resumed = rowsOf<{ id: string }>(
        await this.dataSource.query(
          `${BACKGROUND_SQL} UPDATE trail_checkpoint_copies SET next_attempt_at = $1
            WHERE status = 'PENDING' AND next_attempt_at > GREATEST($1::timestamptz, now()) + make_interval(secs => $2::double precision / 1000)
            RETURNING id`,
          [this.clock.now(), RESUME_AFTER_MS],
        ),
      );
      if (resumed.length > 0) this.logger.log(`${resumed.length} checkpoint copies left pending by an earlier run: copying them now`);
    } catch (err) {
      this.logger.error(`could not resume the pending checkpoint copies (the next pass tries them when due): ${errorText(err)}`);
    }
    this.timer = setInterval(() => this.wake(), COPY_POLL_INTERVAL_MS);
    this.timer.unref();
    this.wake();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
    this.shutdown.abort(new Error('the server is shutting down'));
    await this.chain;
    await this.notices.stop();
    this.s3?.destroy();
  }

  /** A checkpoint committed in this process (its copies were planned in its transaction): copy them now. */
  @OnEvent(TRAIL_CHECKPOINT_CREATED)
  onCheckpointCreated(): void {
    this.wake();
  }

  /** Runs a pass soon (after the one in progress). Never rejects. */
  wake(): void {
    if (this.stopped || this.queued) return;
    this.queued = true;
    void this.serial(async () => {
      this.queued = false;
      if (!this.stopped) await this.drain(null);
    }).catch((err: unknown) => this.logger.error(`checkpoint copy pass failed: ${errorText(err)}`));
  }

  /**
   * Copies every copy due at `asOf` (default now) until none is left, after any
   * run in progress; resolves when they are all tried. Tests call it with a
   * later `asOf` to run the retries without waiting for them.
   */
  runDue(asOf?: Date): Promise<CopyRunSummary> {
    return this.serial(() => this.drain(asOf ?? null));
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private wakeIn(ms: number): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.retryTimers.delete(t);
      this.wake();
    }, ms + 5);
    t.unref();
    this.retryTimers.add(t);
  }

  private async drain(asOf: Date | null): Promise<CopyRunSummary> {
    const summary: CopyRunSummary = { done: 0, retrying: 0, failed: 0 };
    if (Date.now() - this.lastSweep >= UNPLANNED_SWEEP_MS) {
      this.lastSweep = Date.now();
      await this.planUnplanned().catch((err: unknown) =>
        this.logger.error(`could not look for checkpoints without copies (tried again in a minute): ${errorText(err)}`),
      );
    }
    for (;;) {
      const claimed = await this.claim(asOf ?? this.clock.now());
      const outcomes = await Promise.all(claimed.map((c) => this.copyOne(c)));
      for (const o of outcomes) {
        if (o?.status === 'DONE') summary.done++;
        else if (o?.status === 'PENDING') summary.retrying++;
        else if (o?.status === 'FAILED') summary.failed++;
      }
      if (claimed.length < COPY_BATCH || this.stopped) return summary;
    }
  }

  /** Plans the copies of every stored checkpoint that has none (to the targets configured now). */
  private async planUnplanned(): Promise<void> {
    const targets = copyTargetsFor({ s3Bucket: this.bucket, webhookUrl: this.webhook?.url });
    const planned = rowsOf<{ tree_size: string }>(
      await this.dataSource.query(
        `${BACKGROUND_SQL} INSERT INTO trail_checkpoint_copies (tree_size, target, next_attempt_at, created_at)
         SELECT k.tree_size, t, $2, $2
           FROM trail_checkpoints k CROSS JOIN unnest($1::text[]) AS t
          WHERE NOT EXISTS (SELECT 1 FROM trail_checkpoint_copies c WHERE c.tree_size = k.tree_size)
         ON CONFLICT (tree_size, target) DO NOTHING
         RETURNING tree_size`,
        [targets, this.clock.now()],
      ),
    );
    if (planned.length > 0) {
      const sizes = [...new Set(planned.map((r) => String(r.tree_size)))];
      this.logger.warn(`checkpoints stored without their copies planned: ${sizes.join(', ')}; copying them now`);
    }
  }

  /** Claims up to COPY_BATCH copies due at `asOf`, counting the try and leasing each row, in one statement. */
  private async claim(asOf: Date): Promise<Claimed[]> {
    const rows = rowsOf<Record<string, unknown>>(
      await this.dataSource.query(
        `${BACKGROUND_SQL} WITH due AS (
           SELECT id FROM trail_checkpoint_copies
            WHERE status = 'PENDING' AND next_attempt_at <= $1
            ORDER BY next_attempt_at, id
            LIMIT $2
            FOR UPDATE SKIP LOCKED
         )
         UPDATE trail_checkpoint_copies c
            SET attempts = c.attempts + 1,
                next_attempt_at = GREATEST($1::timestamptz, now()) + make_interval(secs => $3::double precision / 1000)
           FROM due, trail_checkpoints k
          WHERE c.id = due.id AND k.tree_size = c.tree_size
        RETURNING c.id, c.target, c.attempts, k.tree_size, k.body, k.signatures, k.created_at`,
        [asOf, COPY_BATCH, COPY_CLAIM_LEASE_MS],
      ),
    );
    return rows.map((r) => {
      const body = String(r.body);
      return {
        id: String(r.id),
        target: r.target as CheckpointCopyTarget,
        attempts: Number(r.attempts),
        checkpoint: {
          treeSize: String(r.tree_size),
          origin: body.split('\n', 1)[0] ?? '',
          // The note as the tracker signed it (its co-signatures are not copied): body, blank line, the signature line.
          text: formatNote(body, [String(r.signatures)]),
          createdAt: new Date(r.created_at as string | Date),
        },
      };
    });
  }

  /** One try at one copy, and its outcome recorded; null if even that failed (the lease runs out and it is tried again). */
  private async copyOne(c: Claimed): Promise<CopyOutcome | null> {
    try {
      const result = await this.attempt(c);
      const outcome = afterCopyAttempt(result, c.attempts, this.policy, Math.random());
      await this.record(c, outcome, result.ok ? null : copyErrorText(result.error));
      this.report(c, outcome, result);
      return outcome;
    } catch (err) {
      this.logger.error(
        `checkpoint copy ${c.id} (${c.target}, size ${c.checkpoint.treeSize}): could not record the try: ${errorText(err)}`,
      );
      return null;
    }
  }

  private async attempt(c: Claimed): Promise<CopyAttemptResult> {
    try {
      switch (c.target) {
        case 'DIRECTORY':
          return await copyToDirectory(this.dir, c.checkpoint);
        case 'S3':
          if (!this.bucket) return { ok: false, final: true, error: 'not copied: CHECKPOINT_S3_BUCKET is no longer set' };
          this.s3 ??= checkpointS3Client(this.config);
          return await copyToS3(this.s3, this.bucket, c.checkpoint, this.shutdown.signal);
        case 'WEBHOOK':
          if (!this.webhook) return { ok: false, final: true, error: 'not sent: CHECKPOINT_WEBHOOK_URL is no longer set' };
          return await copyToWebhook(this.poster, this.webhook, c.checkpoint, c.id, this.clock.now(), this.shutdown.signal);
      }
    } catch (err) {
      return { ok: false, error: errorText(err) };
    }
  }

  /** The copy's new state; only while it is still this worker's claim (PENDING, attempts unchanged). */
  private async record(c: Claimed, outcome: CopyOutcome, error: string | null): Promise<void> {
    const now = this.clock.now();
    if (outcome.status === 'DONE') {
      await this.dataSource.query(
        `${BACKGROUND_SQL} UPDATE trail_checkpoint_copies SET status = 'DONE', done_at = $3, next_attempt_at = $3 WHERE id = $1 AND status = 'PENDING' AND attempts = $2`,
        [c.id, c.attempts, now],
      );
    } else if (outcome.status === 'FAILED') {
      await this.dataSource.query(
        `${BACKGROUND_SQL} UPDATE trail_checkpoint_copies SET status = 'FAILED', last_error = $3, next_attempt_at = $4 WHERE id = $1 AND status = 'PENDING' AND attempts = $2`,
        [c.id, c.attempts, error, now],
      );
    } else {
      await this.dataSource.query(
        `${BACKGROUND_SQL} UPDATE trail_checkpoint_copies SET last_error = $3, next_attempt_at = $4 WHERE id = $1 AND status = 'PENDING' AND attempts = $2`,
        [c.id, c.attempts, error, new Date(now.getTime() + outcome.retryInMs)],
      );
      this.wakeIn(outcome.retryInMs);
    }
  }

  private report(c: Claimed, outcome: CopyOutcome, result: CopyAttemptResult): void {
    if (result.ok) return;
    const what = `checkpoint copy ${c.id} (${c.target}, size ${c.checkpoint.treeSize})`;
    if (outcome.status === 'FAILED') this.logger.error(`${what}: given up after ${c.attempts} tries: ${result.error}`);
    else if (outcome.status === 'PENDING')
      this.logger.warn(`${what}: try ${c.attempts} failed (${result.error}); retrying in ${outcome.retryInMs} ms`);
  }
}

/** TypeORM returns [rows, count] for UPDATE ... RETURNING on PostgreSQL. */
function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return result as T[];
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
