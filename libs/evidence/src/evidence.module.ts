import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CountermeasuresModule } from '@app/countermeasures';
import { EvidenceEntity, EvidenceReviewEntity, SignOffEntity } from './evidence.entities';
import { EvidenceService } from './evidence.service';
import { EvidenceStoreReconciler } from './evidence-store-reconciler';
import { EvidenceStorage } from './storage/evidence-storage';
import { evidenceStorageProvider } from './storage/evidence-storage.provider';
import { EvidencePortsModule } from './evidence-ports.module';

@Module({
  imports: [EvidencePortsModule, CountermeasuresModule, TypeOrmModule.forFeature([EvidenceEntity, EvidenceReviewEntity, SignOffEntity])],
  // The storage lives here so that the API, the CLI and the demo loader share one.
  providers: [EvidenceService, evidenceStorageProvider, EvidenceStoreReconciler],
  exports: [EvidenceService, EvidenceStorage, EvidenceStoreReconciler, CountermeasuresModule],
})
export class EvidenceModule {}
