import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditsModule } from '@app/audits';
import { CountermeasuresModule } from '@app/countermeasures';
import { IdentityModule } from '@app/identity';
import { EvidenceModule } from '@app/evidence';
import { GateChangeEntity, PromotionGateEntity, WebhookAttemptEntity, WebhookDeliveryEntity } from './gate.entities';
import { GateNotifications } from './gate-notifications';
import { PromotionGateService } from './promotion-gate.service';
import { GateFactsReader } from './gate-facts';
import { GateDateRulesService } from './gate-date-rules.service';
import { DateRuleSweepsService } from './date-rule-sweeps.service';
import { WebhookDeliveriesService } from './webhook-deliveries.service';
import { WebhookTargets } from './webhook-targets';
import { CrossRowRules } from './cross-row-rules';
import { GateEvaluation } from './gate-evaluation';

@Module({
  imports: [
    CountermeasuresModule,
    EvidenceModule,
    AuditsModule,
    IdentityModule,
    TypeOrmModule.forFeature([PromotionGateEntity, GateChangeEntity, WebhookDeliveryEntity, WebhookAttemptEntity]),
  ],
  // WebhookDispatcher is exported from the lib but provided by apps/api only (the CLI sends nothing).
  providers: [
    PromotionGateService,
    CrossRowRules,
    GateEvaluation,
    GateFactsReader,
    GateDateRulesService,
    DateRuleSweepsService,
    GateNotifications,
    WebhookDeliveriesService,
    WebhookTargets,
  ],
  exports: [PromotionGateService, CrossRowRules, DateRuleSweepsService, GateNotifications, WebhookDeliveriesService, WebhookTargets],
})
export class PromotionGateModule {}
