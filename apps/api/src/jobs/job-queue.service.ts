import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { getDataSourceToken } from '@nestjs/typeorm';
import PgBoss from 'pg-boss';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '@app/common';
import { DataSourceDb } from './data-source-db';
import { DEAD_LETTER_QUEUE, JOB_DEFINITIONS, jobDefinition, type JobDefinition, type JobName } from './job-definitions';
import { DateRulesJob } from './date-rules.job';
import { JobScheduler } from './job-scheduler';
import { EvidenceStoreJob } from './evidence-store.job';
import { RemindersJob } from './reminders.job';
import { TrailCheckpointsJob } from './trail-checkpoints.job';

/** pg-boss's schema (migrations/1795900000700-JobQueue.ts). */
export const JOB_SCHEMA = 'pgboss';

/** How often an idle worker asks for a job of its queue (one small statement per queue). */
const POLLING_INTERVAL_SECONDS = 2;
const DAY = 86_400;

/**
 * The background jobs on pg-boss (job-definitions.ts), run once per period across all instances.
 *
 * With JOBS_ENABLED=true (the default) this instance, at bootstrap, checks pg-boss's schema (it never makes or
 * migrates it: `migrate: false`), applies the queues' policy, registers the schedules and works the queues; its
 * maintenance (expiry of stuck jobs, archiving) is shared: whichever instance's turn it is. The schedules are sent
 * by every such instance's JobScheduler (job-scheduler.ts, instead of pg-boss's cron), one job per period. With
 * JOBS_ENABLED=false it runs nothing, and may still `enqueue` (an instance that works the queue runs it).
 * At shutdown the workers stop taking jobs and the jobs running are awaited (up to SHUTDOWN_GRACE_SECONDS;
 * then they are failed, and retried by another instance), before the database closes.
 *
 * A handler fails by throwing: pg-boss records the error (`lastError`) and retries per the queue's policy.
 */
@Injectable()
export class JobQueueService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('JobQueue');
  private readonly db: DataSourceDb;
  private readonly boss: PgBoss;
  private readonly handlers: Record<JobName, () => Promise<unknown>>;
  /** The worker id per queue, on an instance that works them. */
  private readonly workers = new Map<JobName, string>();
  private started = false;
  private readonly scheduler: JobScheduler;

  constructor(
    @Inject(getDataSourceToken()) dataSource: DataSource,
    @Inject(ConfigService) private readonly config: ConfigService<AppConfig, true>,
    @Inject(RemindersJob) reminders: RemindersJob,
    @Inject(DateRulesJob) dateRules: DateRulesJob,
    @Inject(EvidenceStoreJob) evidenceStore: EvidenceStoreJob,
    @Inject(TrailCheckpointsJob) checkpoints: TrailCheckpointsJob,
  ) {
    this.db = new DataSourceDb(dataSource);
    this.boss = new PgBoss({
      db: this.db,
      schema: JOB_SCHEMA,
      migrate: false,
      // Completed jobs stay listed a day (and a job of a day's period is unique while it is kept);
      // failed ones a week, for an admin to look at and retry; then a week in pgboss.archive.
      archiveCompletedAfterSeconds: DAY,
      archiveFailedAfterSeconds: 7 * DAY,
      deleteAfterDays: 7,
      // A job takes its queue's policy (job-definitions.ts, set when a worker starts); these only stand in before.
      retryLimit: 2,
      retryDelay: 10,
      retryBackoff: true,
      expireInSeconds: 15 * 60,
      // The schedules are sent by JobScheduler (job-scheduler.ts says why).
      schedule: false,
    });
    this.scheduler = new JobScheduler(this.boss, this.log, {
      sendOptions: (name) => {
        const def = jobDefinition(name);
        return def ? sendOptions(def) : null;
      },
      databaseNow: async () => {
        const { rows } = await this.db.executeSql(`SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS ms`);
        return (rows[0] as { ms: number }).ms;
      },
      made: (name) => this.wake(name),
    });
    this.boss.on('error', (err: Error) => this.log.error(`job queue: ${err.message}`));
    // Called when the job runs, so that a spy on the job's method sees it.
    this.handlers = {
      'daily-reminders': () => reminders.daily(),
      'weekly-digest': () => reminders.weekly(),
      'date-rule-sweeps': () => dateRules.daily(),
      'evidence-store-reconciliation': () => evidenceStore.run(),
      'trail-checkpoint-tick': () => checkpoints.tick(),
      'notification-email': () => reminders.sendDueEmail(),
    };
  }

  /** Whether this instance works the queues (JOBS_ENABLED and started). */
  get working(): boolean {
    return this.started && this.workers.size > 0;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.get('JOBS_ENABLED', { infer: true })) {
      this.log.log('JOBS_ENABLED=false: this instance runs no background jobs');
      return;
    }
    // The policies and schedules first (pg-boss's statements need no start), so that the cron's first look at
    // start-up already sees them; then pg-boss starts (it checks its schema version) and the workers.
    if (!(await this.boss.isInstalled())) throw new Error('the job queue schema (pgboss) is missing: run the migrations');
    const queues = new Set((await this.boss.getQueues()).map((q) => q.name));
    const missing = JOB_DEFINITIONS.filter((d) => !queues.has(d.name)).map((d) => d.name);
    if (missing.length > 0) throw new Error(`job queues missing in the database (${missing.join(', ')}): run the migrations`);
    for (const def of JOB_DEFINITIONS) {
      await this.boss.updateQueue(def.name, {
        name: def.name,
        policy: 'singleton',
        retryLimit: def.retryLimit,
        retryDelay: def.retryDelay,
        retryBackoff: def.retryBackoff,
        expireInSeconds: def.expireInSeconds,
        deadLetter: DEAD_LETTER_QUEUE,
      });
      await this.boss.schedule(def.name, def.cron, {}, { ...sendOptions(def), tz: def.timeZone });
    }
    for (const s of await this.boss.getSchedules()) {
      if (!jobDefinition(s.name)) await this.boss.unschedule(s.name);
    }
    await this.boss.start();
    this.started = true;
    for (const def of JOB_DEFINITIONS) {
      const id = await this.boss.work(def.name, { pollingIntervalSeconds: POLLING_INTERVAL_SECONDS, batchSize: 1 }, () =>
        this.handlers[def.name](),
      );
      this.workers.set(def.name, id);
    }
    this.scheduler.start();
    this.log.log(`working ${this.workers.size} job queues`);
  }

  async onModuleDestroy(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.scheduler.stop();
    const graceSeconds = this.config.get('SHUTDOWN_GRACE_SECONDS', { infer: true });
    // Keeps the pool open (it is the app's): waits for the jobs running, then fails what is left.
    await this.boss.stop({ graceful: true, wait: true, close: false, timeout: Math.max(1, graceSeconds) * 1000 });
    this.workers.clear();
    await this.db.drain();
  }

  /**
   * The job of `name` for the current period (job-definitions.ts), from any instance: its id, or null when the
   * period already has its job (sent by the cron or by another instance). Wakes this instance's worker.
   */
  async enqueue(name: JobName): Promise<string | null> {
    const def = jobDefinition(name);
    if (!def) throw new Error(`no job ${name}`);
    const id = await this.boss.send(name, {}, sendOptions(def));
    if (id) this.wake(name);
    return id;
  }

  /**
   * What this instance's schedule clock sends when it looks at the minute of `at` (every minute, job-scheduler.ts):
   * the job of each schedule whose cron fires then. The names of the jobs made.
   */
  sendScheduled(at: Date): Promise<string[]> {
    return this.scheduler.sendDue([at]);
  }

  /** An admin's retry of a FAILED job (pg-boss: state RETRY, one more try allowed), through `db` when given. */
  async retry(name: string, id: string, db?: PgBoss.Db): Promise<void> {
    await this.boss.retry(name, id, db ? { db } : {});
    this.wake(name);
  }

  /** A job of queue `name` is waiting: this instance's worker of it (if any) looks now instead of at its next poll. */
  private wake(name: string): void {
    const worker = this.workers.get(name as JobName);
    if (worker) this.boss.notifyWorker(worker);
  }

  /** The schedules as pg-boss holds them (registered by the instances that work the queues). */
  async schedules(): Promise<{ name: string; cron: string; timezone: string }[]> {
    const rows = await this.boss.getSchedules();
    return rows
      .map((s) => ({ name: s.name, cron: s.cron, timezone: (s as { timezone?: string }).timezone ?? 'UTC' }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }
}

/**
 * Every job of a queue, from the cron or from `enqueue`: one per period (singletonKey + singletonSeconds). No retry
 * options: the job takes its queue's policy (pgboss.queue), so that the policy has one place.
 */
function sendOptions(def: JobDefinition): PgBoss.SendOptions {
  return { singletonKey: def.name, singletonSeconds: def.periodSeconds };
}
