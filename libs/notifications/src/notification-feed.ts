import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { NoticeBus, type NoticeListener } from '@app/database';
import { NOTIFICATION_CHANNEL, type NotificationAddedNotice } from './notification.events';

export type NotificationAddedHandler = (notice: NotificationAddedNotice) => void;

/**
 * New inbox notifications as they commit: NOTIFICATION_CHANNEL through the shared
 * reconnecting listener (NoticeBus, @app/database: LISTEN, or Redis). It connects
 * on the first subscriber only, so a CLI command never holds a LISTEN connection.
 */
@Injectable()
export class NotificationFeed implements OnModuleDestroy {
  private readonly listener: NoticeListener<NotificationAddedNotice>;
  private started: Promise<void> | null = null;

  constructor(@Inject(NoticeBus) notices: NoticeBus) {
    this.listener = notices.listen<NotificationAddedNotice>(NOTIFICATION_CHANNEL);
  }

  async onModuleDestroy(): Promise<void> {
    await this.started?.catch(() => undefined);
    await this.listener.stop();
  }

  /** Calls `handler` with every committed new inbox notification from now on; returns the unsubscribe function. */
  subscribe(handler: NotificationAddedHandler): () => void {
    const unsubscribe = this.listener.subscribe(handler);
    this.started ??= this.listener.start();
    return unsubscribe;
  }

  get listening(): boolean {
    return this.listener.listening;
  }
}
