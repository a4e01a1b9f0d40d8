import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DateRuleSweepsService, describeSweeps } from '@app/promotion-gate';

/**
 * The sweeps of the rules with a date (DateRuleSweepsService: risk-acceptance
 * expiry, evidence freshness, the gates), in that order:
 * - at start-up, awaited, so the server serves no request before it has caught
 *   up with what happened while it was down (Nest runs this before `listen`);
 * - daily at midnight in Japan, when a last day or a freshness period ends: the
 *   job queue's `date-rule-sweeps`, once across all instances (job-definitions.ts);
 * - on demand: `npm run cli -- run-sweeps` (or one of them).
 * A failed sweep is logged and does not stop the server: the gate's reads
 * apply a lapsed rule themselves (gate-rules.ts, "Rules with a date"). The
 * daily run rejects after logging, so that the queue retries it.
 */
@Injectable()
export class DateRulesJob implements OnApplicationBootstrap {
  private readonly log = new Logger(DateRulesJob.name);

  constructor(@Inject(DateRuleSweepsService) private readonly sweeps: DateRuleSweepsService) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.run('start-up catch-up');
    } catch {
      // Logged; the daily run (or the CLI) repeats it; meanwhile every read applies the lapsed rules.
    }
  }

  /** The daily sweeps (the job queue's handler): rejects when they failed, after logging it. */
  daily(): Promise<void> {
    return this.run('daily');
  }

  private async run(what: string): Promise<void> {
    try {
      const result = await this.sweeps.runAll();
      for (const line of describeSweeps(result)) this.log.log(`${what}: ${line}`);
    } catch (err) {
      this.log.error(`${what} sweeps failed: ${(err as Error).message}`);
      throw err;
    }
  }
}
