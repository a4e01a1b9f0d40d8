import { Module } from '@nestjs/common';
import { CountermeasuresModule } from '@app/countermeasures';
import { EvidenceModule } from '@app/evidence';
import { AuditsModule } from '@app/audits';
import { NotificationsModule } from '@app/notifications';
import { PromotionGateModule } from '@app/promotion-gate';
import { IdentityModule } from '@app/identity';
import { DutiesModule } from '@app/duties';
import { IncidentsModule } from '@app/incidents';
import { DemoLoader } from './demo-loader';
import { DemoDutySteps } from './demo-duty-steps';

@Module({
  // NotificationsModule: the day's reminders once the demo is in (DemoLoader.load).
  imports: [
    IdentityModule,
    CountermeasuresModule,
    EvidenceModule,
    AuditsModule,
    PromotionGateModule,
    NotificationsModule,
    IncidentsModule,
    DutiesModule,
  ],
  providers: [DemoLoader, DemoDutySteps],
  exports: [DemoLoader],
})
export class DemoModule {}
