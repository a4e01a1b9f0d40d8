import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditsModule } from '@app/audits';
import { CountermeasuresModule } from '@app/countermeasures';
import { GateChangeEntity, PromotionGateEntity, WebhookAttemptEntity, WebhookDeliveryEntity } from './gate.entities';
import { PromotionGateService } from './promotion-gate.service';

@Module({
  imports: [CountermeasuresModule, AuditsModule, TypeOrmModule.forFeature([PromotionGateEntity, GateChangeEntity, WebhookDeliveryEntity, WebhookAttemptEntity])],
  providers: [PromotionGateService],
  exports: [PromotionGateService],
})
export class PromotionGateModule {}
