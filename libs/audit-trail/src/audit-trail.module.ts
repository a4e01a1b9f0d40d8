import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Clock, SystemClock } from '@app/common';
import { AuditTrailEntryEntity } from './audit-trail-entry.entity';
import { AuditTrailService } from './audit-trail.service';
import { TrailCheckpointCosignatureEntity, TrailCheckpointEntity, TrailCosignerKeyEntity } from './checkpoints/trail-checkpoint.entities';

/** Global: every context records its changes here. */
@Global()
@Module({
  imports: [
    TypeOrmModule.forFeature([AuditTrailEntryEntity, TrailCheckpointEntity, TrailCosignerKeyEntity, TrailCheckpointCosignatureEntity]),
  ],
  providers: [AuditTrailService, { provide: Clock, useClass: SystemClock }],
  exports: [AuditTrailService, Clock],
})
export class AuditTrailModule {}
