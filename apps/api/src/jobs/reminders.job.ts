import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { NotificationsService } from '@app/notifications';

/**
 * Reminders without opening the page: the daily run at 07:00 in the case's time
 * zone, the executives' weekly digest on Mondays at 07:30, each once across all
 * instances (the job queue: job-definitions.ts). Both are idempotent (a second
 * run creates nothing); the same runs on demand: `runReminders` (admins),
 * `npm run cli -- run-reminders`.
 * Not run at start-up: a day missed while the server was down is caught up by
 * the next run (every reminder is "due within", not "due exactly on").
 *
 * E-mail that is due — retries after a failed attempt, and e-mail a stopped
 * server left unsent — goes out every minute (the queue's `notification-email`)
 * and once at start-up on each instance (`NotificationsService.deliverPendingEmail`;
 * its claims keep several instances from sending one e-mail twice). One pass at
 * a time per process; a run that comes while one runs joins it. Shutdown ends
 * the pass in progress after the e-mail it is sending, and waits for that
 * before the database closes (what is still due is sent by another instance or
 * the next start).
 *
 * Each run logs its failure and rejects, so that the queue retries it.
 */
@Injectable()
export class RemindersJob implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(RemindersJob.name);
  private emailPass: Promise<void> | null = null;
  private stopped = false;

  constructor(@Inject(NotificationsService) private readonly notifications: NotificationsService) {}

  onApplicationBootstrap(): void {
    // Not awaited: the server does not wait for a slow SMTP server to start. A failure is logged (the next minute retries).
    this.sendDueEmail().catch(() => undefined);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    // The pass in progress (and a daily or weekly run's) ends after the e-mail it is sending: the rest waits, PENDING.
    this.notifications.stopSendingEmail();
    await this.emailPass?.catch(() => undefined);
  }

  /**
   * Sends the e-mail due now (see NotificationsService.deliverPendingEmail); resolves when that pass, or the one
   * already running, ends. Rejects when the pass failed (a failed send is not a failed pass: it is counted and retried).
   */
  sendDueEmail(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.emailPass ??= (async () => {
      try {
        const pass = await this.notifications.deliverPendingEmail();
        if (pass.sent + pass.failed + pass.withdrawn > 0) {
          this.log.log(
            `notification e-mail: sent ${pass.sent}, failed ${pass.failed} (given up ${pass.gaveUp}), withdrawn ${pass.withdrawn}`,
          );
        }
      } catch (err) {
        this.log.error(`notification e-mail pass failed: ${(err as Error).message}`);
        throw err;
      } finally {
        this.emailPass = null;
      }
    })();
    return this.emailPass;
  }

  /** The daily reminders and their e-mail; rejects when the run failed, after logging it. */
  async daily(): Promise<void> {
    try {
      const run = await this.notifications.runDaily();
      this.log.log(
        `reminders: ${run.total} created (${summary(run.created)}); e-mail sent ${run.emailsSent}, failed ${run.emailsFailed}${run.failedKinds.length ? `; failed kinds: ${run.failedKinds.join(', ')}` : ''}`,
      );
    } catch (err) {
      this.log.error(`reminders failed: ${(err as Error).message}`);
      throw err;
    }
  }

  /** The executives' weekly digest; rejects when the run failed, after logging it. */
  async weekly(): Promise<void> {
    try {
      const run = await this.notifications.runWeeklyDigest();
      this.log.log(`weekly digest: ${run.total} created; e-mail sent ${run.emailsSent}, failed ${run.emailsFailed}`);
    } catch (err) {
      this.log.error(`weekly digest failed: ${(err as Error).message}`);
      throw err;
    }
  }
}

function summary(created: Record<string, number>): string {
  return (
    Object.entries(created)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ') || 'none'
  );
}
