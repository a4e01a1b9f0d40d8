import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { EvidenceStoreReconciler } from '@app/evidence';

/**
 * The evidence store reconciled with the evidence rows every hour (at :17): temp
 * files older than an hour or of a process that is gone, stored files no evidence
 * refers to older than EVIDENCE_ORPHAN_GRACE_SECONDS, and an `alert:
 * EVIDENCE_BLOB_MISSING` line per evidence whose file is missing (repeated each
 * hour until it is restored). At start-up StartupService runs it before serving;
 * on demand: `npm run cli -- reconcile-evidence-store`. One run at a time per
 * process; shutdown waits for it.
 */
@Injectable()
export class EvidenceStoreJob implements OnModuleDestroy {
  private readonly log = new Logger(EvidenceStoreJob.name);
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(@Inject(EvidenceStoreReconciler) private readonly reconciler: EvidenceStoreReconciler) {}

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  @Cron('0 17 * * * *', { name: 'evidence-store-reconciliation' })
  run(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.running ??= (async () => {
      try {
        await this.reconciler.reconcile();
      } catch (err) {
        // A failed run must not stop the server; the next hour (or the CLI) repeats it.
        this.log.error(`evidence store reconciliation failed: ${(err as Error)?.message ?? String(err)}`);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }
}
