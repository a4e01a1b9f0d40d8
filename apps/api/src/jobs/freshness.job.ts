import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { CASE_TIME_ZONE } from '@app/common';
import { CountermeasuresService } from '@app/countermeasures';

/**
 * OPERATING ⇄ DEGRADED by itself: every day shortly after midnight in the
 * case's time zone (when yesterday's fresh evidence may have turned stale), and
 * once when the server starts (it may have been down over midnight). The same
 * sweep runs on demand with `npm run cli -- check-freshness`.
 */
@Injectable()
export class FreshnessJob implements OnApplicationBootstrap {
  private readonly log = new Logger(FreshnessJob.name);

  constructor(@Inject(CountermeasuresService) private readonly countermeasures: CountermeasuresService) {}

  onApplicationBootstrap(): Promise<void> {
    return this.run();
  }

  @Cron('0 5 0 * * *', { name: 'evidence-freshness', timeZone: CASE_TIME_ZONE })
  async run(): Promise<void> {
    try {
      const { checked, moved, failed } = await this.countermeasures.refreshAllFreshness();
      this.log.log(`freshness: ${checked} ongoing measures checked, moved: ${moved.join(', ') || 'none'}${failed.length ? `, failed: ${failed.join(', ')}` : ''}`);
    } catch (err) {
      // A failed sweep must not stop the server; the next run (or the CLI) repeats it.
      this.log.error(`freshness sweep failed: ${(err as Error).message}`);
    }
  }
}
