import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { EvidenceStoreReconciler } from '@app/evidence';

/**
 * The evidence store reconciled with the evidence rows every hour (at :17): temp
 * files older than an hour or of a process that is gone, stored files no evidence
 * refers to older than EVIDENCE_ORPHAN_GRACE_SECONDS, and an `alert:
 * EVIDENCE_BLOB_MISSING` line per evidence whose file is missing (repeated each
 * hour until it is restored). Hourly: the job queue's `evidence-store-reconciliation`,
 * once across all instances (job-definitions.ts). At start-up StartupService runs
 * it before serving; on demand: `npm run cli -- reconcile-evidence-store`. One run
 * at a time per process; shutdown waits for it. A failed run is logged and
 * rejects, so that the queue retries it; it never stops the server.
 */
@Injectable()
export class EvidenceStoreJob implements OnModuleDestroy {
  private readonly log = new Logger(EvidenceStoreJob.name);
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(@Inject(EvidenceStoreReconciler) private readonly reconciler: EvidenceStoreReconciler) {}

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    await this.running?.catch(() => undefined);
  }

  /** One reconciliation (or the one already running): rejects when it failed, after logging it. */
  run(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.running ??= (async () => {
      try {
        await this.reconciler.reconcile();
      } catch (err) {
        this.log.error(`evidence store reconciliation failed: ${(err as Error)?.message ?? String(err)}`);
        throw err;
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }
}
