import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { GateNotifications } from '@app/promotion-gate';
import { NotificationsService } from './notifications.service';

/**
 * GATE_CHANGED as it happens: listens to the gate's committed changes
 * (`GateNotifications`, LISTEN/NOTIFY — a change that rolls back is never
 * announced) and notifies the executives and the task force, then e-mails.
 * Notices are handled one after the other. Should a notice be missed (the
 * LISTEN connection was down, the server was stopped), the daily run catches up
 * on the changes of the last days; the dedupe key makes both idempotent.
 * Provided by the API app only (the CLI does not listen).
 */
@Injectable()
export class GateChangeNotifier implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(GateChangeNotifier.name);
  private unsubscribe: (() => void) | null = null;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    @Inject(GateNotifications) private readonly gates: GateNotifications,
    @Inject(NotificationsService) private readonly notifications: NotificationsService,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.gates.subscribe((notice) => {
      this.queue = this.queue.then(async () => {
        try {
          await this.notifications.notifyGateChange(notice.changeId);
        } catch (err) {
          this.logger.error(
            `gate change ${notice.changeId} (${notice.key}) not notified: ${err instanceof Error ? err.message : String(err)}`,
          );
        }
      });
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.queue;
  }

  /** Resolves when every notice received so far has been handled (tests, shutdown). */
  idle(): Promise<void> {
    return this.queue;
  }
}
