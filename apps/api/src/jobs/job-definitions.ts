import { CASE_TIME_ZONE } from '@app/common';

/**
 * The background jobs, their schedules and their retry policy (pg-boss queues; the queues themselves are made by
 * migrations/1795900000700-JobQueue.ts, the policy below is applied when a worker starts).
 *
 * Once per period across all instances:
 * - every instance that works the queues looks at the schedules each minute and sends the job of each whose cron
 *   fires in that minute (JobScheduler, job-scheduler.ts; pg-boss's own cron is off);
 * - every job of a queue carries `singletonKey` = the queue's name and `singletonSeconds` = `periodSeconds`, so
 *   pg-boss's unique index (name, singleton_on, singleton_key) admits one job per period, whoever sends it (any
 *   instance's schedule clock, or `JobQueueService.enqueue`). `singleton_on` is `now()` in the database cut to a
 *   multiple of `periodSeconds` since 1970 (UTC): each period below holds exactly one firing of its cron in
 *   Asia/Tokyo (UTC+9, no daylight saving): 07:00 = 22:00 UTC, 00:00 = 15:00 UTC, Monday 07:30 = Sunday
 *   22:30 UTC, each in its own UTC day; :17 in its hour; every minute in its minute;
 * - the queues' policy is 'singleton': at most one job of a queue is active at a time, on any instance.
 *
 * Retries: pg-boss waits `retryDelay` × 2^n / 2 … × 2^n (random within; n = the retry's number) before retry n when
 * `retryBackoff`; after `retryLimit` retries the job is FAILED and a copy goes to the dead-letter queue
 * (DEAD_LETTER_QUEUE), both kept for admins (`backgroundJobs(state: FAILED)`, `retryBackgroundJob`). A job
 * active for longer than `expireInSeconds` counts as failed (and is retried).
 */
export interface JobDefinition {
  /** The queue's name (pg-boss: letters, digits, `-`, `_`). */
  readonly name: JobName;
  /** Five-field cron, in `timeZone`. */
  readonly cron: string;
  readonly timeZone: string;
  /** One job per this many seconds (see above): 60, 3600 or 86400. */
  readonly periodSeconds: number;
  readonly retryLimit: number;
  /** Seconds before the first retry (doubled per retry with back-off). */
  readonly retryDelay: number;
  readonly retryBackoff: boolean;
  readonly expireInSeconds: number;
  /** What it runs (for the admins' list of schedules). */
  readonly description: string;
}

export const JOB_NAMES = [
  'daily-reminders',
  'weekly-digest',
  'date-rule-sweeps',
  'evidence-store-reconciliation',
  'trail-checkpoint-tick',
  'notification-email',
] as const;
export type JobName = (typeof JOB_NAMES)[number];

/** Where a job goes after its last retry failed (a copy; the job itself stays FAILED). Nobody works this queue. */
export const DEAD_LETTER_QUEUE = 'background-jobs-dead-letter';

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;

/** Runs that matter once a day or an hour: five retries, 1–2, 2–4, 4–8, 8–16 and 16–32 minutes apart, then FAILED. */
const PATIENT = { retryLimit: 5, retryDelay: 60, retryBackoff: true } as const;
/** Every-minute looks: the next minute's run does the same work, so two quick retries are enough. */
const EVERY_MINUTE = { retryLimit: 2, retryDelay: 10, retryBackoff: true, expireInSeconds: 5 * MINUTE } as const;

export const JOB_DEFINITIONS: readonly JobDefinition[] = [
  {
    name: 'daily-reminders',
    cron: '0 7 * * *',
    timeZone: CASE_TIME_ZONE,
    periodSeconds: DAY,
    ...PATIENT,
    expireInSeconds: 30 * MINUTE,
    description: 'The daily reminders and their e-mail (RemindersJob.daily)',
  },
  {
    name: 'weekly-digest',
    cron: '30 7 * * 1',
    timeZone: CASE_TIME_ZONE,
    periodSeconds: DAY,
    ...PATIENT,
    expireInSeconds: 30 * MINUTE,
    description: "The executives' weekly digest, Mondays (RemindersJob.weekly)",
  },
  {
    name: 'date-rule-sweeps',
    cron: '0 0 * * *',
    timeZone: CASE_TIME_ZONE,
    periodSeconds: DAY,
    ...PATIENT,
    expireInSeconds: 30 * MINUTE,
    description: 'Risk-acceptance expiry, evidence freshness and the gates, just after midnight (DateRulesJob.daily)',
  },
  {
    name: 'evidence-store-reconciliation',
    cron: '17 * * * *',
    timeZone: CASE_TIME_ZONE,
    periodSeconds: HOUR,
    ...PATIENT,
    expireInSeconds: HOUR - 5 * MINUTE,
    description: 'The evidence store reconciled with the evidence rows, hourly at :17 (EvidenceStoreJob.run)',
  },
  {
    name: 'trail-checkpoint-tick',
    cron: '* * * * *',
    timeZone: CASE_TIME_ZONE,
    periodSeconds: MINUTE,
    ...EVERY_MINUTE,
    description: 'A trail checkpoint when the trail grew and CHECKPOINT_INTERVAL_SECONDS passed (TrailCheckpointsJob.tick)',
  },
  {
    name: 'notification-email',
    cron: '* * * * *',
    timeZone: CASE_TIME_ZONE,
    periodSeconds: MINUTE,
    ...EVERY_MINUTE,
    description: 'Notification e-mail that is due: retries and mail a stopped server left unsent (RemindersJob.sendDueEmail)',
  },
];

export function jobDefinition(name: string): JobDefinition | undefined {
  return JOB_DEFINITIONS.find((d) => d.name === name);
}
