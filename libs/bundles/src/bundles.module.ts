import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EvidenceModule } from '@app/evidence';
import { ReportsModule } from '@app/reports';
import { SigningKeysModule } from '@app/signing-keys';
import { AuditTrailBundleTrail, SigningKeysBundleSigner } from './bundle-adapters';
import { BundleBuilder } from './bundle-builder';
import { BundleSigner, BundleTrail } from './bundle-ports';
import { BundleRecordsReader } from './bundle-records.sql';
import { BundleWorker } from './bundle-worker';
import { BundlesService } from './bundles.service';
import { EvidenceBundleEntity } from './evidence-bundle.entity';

/**
 * Evidence bundles: exports, the background builder, the download. Needs the
 * global AuditTrailModule and TrailCheckpointsModule (checkpoints and proofs).
 */
@Module({
  imports: [TypeOrmModule.forFeature([EvidenceBundleEntity]), EvidenceModule, ReportsModule, SigningKeysModule],
  providers: [
    BundleRecordsReader,
    BundleBuilder,
    BundleWorker,
    BundlesService,
    { provide: BundleTrail, useClass: AuditTrailBundleTrail },
    { provide: BundleSigner, useClass: SigningKeysBundleSigner },
  ],
  exports: [BundlesService, BundleBuilder],
})
export class BundlesModule {}
