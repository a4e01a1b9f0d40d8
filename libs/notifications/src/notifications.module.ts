import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PromotionGateModule } from '@app/promotion-gate';
import { NotificationEntity, NotificationPreferenceEntity } from './notification.entities';
import { NotificationFeed } from './notification-feed';
import { NotificationMailer } from './notification-mailer';
import { NotificationsService } from './notifications.service';

@Module({
  // PromotionGateModule: GateNotifications for GateChangeNotifier (which apps/api provides; the CLI does not listen).
  imports: [PromotionGateModule, TypeOrmModule.forFeature([NotificationEntity, NotificationPreferenceEntity])],
  providers: [NotificationsService, NotificationMailer, NotificationFeed],
  exports: [NotificationsService, NotificationMailer, NotificationFeed, PromotionGateModule],
})
export class NotificationsModule {}
