import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CountermeasuresModule } from '@app/countermeasures';
import { DutiesModule } from '@app/duties';
import { IdentityModule } from '@app/identity';
import { PromotionGateModule } from '@app/promotion-gate';
import { NotificationEntity, NotificationPreferenceEntity } from './notification.entities';
import { NotificationEmailOutbox } from './notification-email-outbox';
import { NotificationFeed } from './notification-feed';
import { NotificationInbox } from './notification-inbox';
import { NotificationMailer } from './notification-mailer';
import { NotificationReminders } from './notification-reminders';
import { NotificationsService } from './notifications.service';
import { WeeklyDigestFacts } from './weekly-digest-facts';

@Module({
  // PromotionGateModule: GateNotifications for GateChangeNotifier (which apps/api provides; the CLI does not listen), and the gates of the weekly digest.
  // CountermeasuresModule, IdentityModule: the digest's progress and the owners' names; whether a recipient of waiting e-mail was deactivated.
  // DutiesModule: BreachDeadlineFeed, the open PPC report deadlines (BREACH_REPORT_DUE, BREACH_REPORT_OVERDUE).
  imports: [
    DutiesModule,
    PromotionGateModule,
    CountermeasuresModule,
    IdentityModule,
    TypeOrmModule.forFeature([NotificationEntity, NotificationPreferenceEntity]),
  ],
  providers: [
    NotificationsService,
    NotificationReminders,
    WeeklyDigestFacts,
    NotificationEmailOutbox,
    NotificationInbox,
    NotificationMailer,
    NotificationFeed,
  ],
  exports: [NotificationsService, NotificationMailer, NotificationFeed, PromotionGateModule],
})
export class NotificationsModule {}
