import { Inject, Injectable, Logger } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { CASE_TIME_ZONE } from '@app/common';
import { NotificationsService } from '@app/notifications';

/**
 * Reminders without opening the page: the daily run at 07:00 in the case's time
 * zone, the executives' weekly digest on Mondays at 07:30. Both are idempotent
 * (a second run creates nothing), so several server instances may run them; the
 * same runs on demand: `runReminders` (admins), `npm run cli -- run-reminders`.
 * Not run at start-up: a day missed while the server was down is caught up by
 * the next run (every reminder is "due within", not "due exactly on").
 */
@Injectable()
export class RemindersJob {
  private readonly log = new Logger(RemindersJob.name);

  constructor(@Inject(NotificationsService) private readonly notifications: NotificationsService) {}

  @Cron('0 0 7 * * *', { name: 'daily-reminders', timeZone: CASE_TIME_ZONE })
  async daily(): Promise<void> {
    try {
      const run = await this.notifications.runDaily();
      this.log.log(`reminders: ${run.total} created (${summary(run.created)}); e-mail sent ${run.emailsSent}, failed ${run.emailsFailed}${run.failedKinds.length ? `; failed kinds: ${run.failedKinds.join(', ')}` : ''}`);
    } catch (err) {
      this.log.error(`reminders failed: ${(err as Error).message}`);
    }
  }

  @Cron('0 30 7 * * 1', { name: 'weekly-digest', timeZone: CASE_TIME_ZONE })
  async weekly(): Promise<void> {
    try {
      const run = await this.notifications.runWeeklyDigest();
      this.log.log(`weekly digest: ${run.total} created; e-mail sent ${run.emailsSent}, failed ${run.emailsFailed}`);
    } catch (err) {
      this.log.error(`weekly digest failed: ${(err as Error).message}`);
    }
  }
}

function summary(created: Record<string, number>): string {
  return Object.entries(created)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ') || 'none';
}
