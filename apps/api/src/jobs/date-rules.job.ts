import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { CASE_TIME_ZONE } from '@app/common';
import { DateRuleSweepsService, describeSweeps } from '@app/promotion-gate';

/**
 * The sweeps of the rules with a date (DateRuleSweepsService: risk-acceptance
 * expiry, evidence freshness, the gates), in that order:
 * - at start-up, awaited, so the server serves no request before it has caught
 *   up with what happened while it was down (Nest runs this before `listen`);
 * - daily just after midnight in Japan, when a last day or a freshness period
 *   ends;
 * - on demand: `npm run cli -- run-sweeps` (or one of them).
 * A failed sweep is logged and does not stop the server: the gate's reads
 * apply a lapsed rule themselves (gate-rules.ts, "Rules with a date").
 */
@Injectable()
export class DateRulesJob implements OnApplicationBootstrap {
  private readonly log = new Logger(DateRulesJob.name);

  constructor(@Inject(DateRuleSweepsService) private readonly sweeps: DateRuleSweepsService) {}

  onApplicationBootstrap(): Promise<void> {
    return this.run('start-up catch-up');
  }

  @Cron('30 0 0 * * *', { name: 'date-rules', timeZone: CASE_TIME_ZONE })
  daily(): Promise<void> {
    return this.run('daily');
  }

  private async run(what: string): Promise<void> {
    try {
      const result = await this.sweeps.runAll();
      for (const line of describeSweeps(result)) this.log.log(`${what}: ${line}`);
    } catch (err) {
      // The next run (or the CLI) repeats it; meanwhile every read applies the lapsed rules.
      this.log.error(`${what} sweeps failed: ${(err as Error).message}`);
    }
  }
}
