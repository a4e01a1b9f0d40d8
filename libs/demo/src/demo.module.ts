import { Module } from '@nestjs/common';
import { CountermeasuresModule } from '@app/countermeasures';
import { EvidenceModule } from '@app/evidence';
import { IdentityModule } from '@app/identity';
import { DemoLoader } from './demo-loader';

@Module({ imports: [IdentityModule, CountermeasuresModule, EvidenceModule], providers: [DemoLoader], exports: [DemoLoader] })
export class DemoModule {}
