import { Module } from '@nestjs/common';
import { CountermeasuresModule } from '@app/countermeasures';
import { EvidenceModule } from '@app/evidence';
import { AuditsModule } from '@app/audits';
import { PromotionGateModule } from '@app/promotion-gate';
import { IdentityModule } from '@app/identity';
import { DemoLoader } from './demo-loader';

@Module({ imports: [IdentityModule, CountermeasuresModule, EvidenceModule, AuditsModule, PromotionGateModule], providers: [DemoLoader], exports: [DemoLoader] })
export class DemoModule {}
