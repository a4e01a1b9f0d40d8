import { Module, type DynamicModule, type ModuleMetadata, type Type } from '@nestjs/common';
import { CheckpointCopiesModule } from '../copies/checkpoint-copies.module';
import { TrailCheckpointsService } from './trail-checkpoints.service';
import { TrailCosigningService } from './trail-cosigning.service';
import { TrailKeyring } from './trail-keyring';

/**
 * Checkpoints, proofs and co-signing (global: the bundles ask it for
 * checkpoints and proofs). The entities are registered by AuditTrailModule.
 * The signing keys come from outside (see TrailKeyring):
 *
 *   TrailCheckpointsModule.register({ imports: [SigningKeysModule], keyring: SigningKeysService })
 */
@Module({})
export class TrailCheckpointsModule {
  static register(options: { imports?: ModuleMetadata['imports']; keyring: Type<unknown> }): DynamicModule {
    return {
      module: TrailCheckpointsModule,
      global: true,
      imports: [CheckpointCopiesModule, ...(options.imports ?? [])],
      providers: [{ provide: TrailKeyring, useExisting: options.keyring }, TrailCheckpointsService, TrailCosigningService],
      exports: [TrailCheckpointsService, TrailCosigningService, TrailKeyring],
    };
  }
}
