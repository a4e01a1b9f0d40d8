import type { DynamicModule } from '@nestjs/common';
import { TrailCheckpointsModule, type TrailKeyring } from '@app/audit-trail';
import { SigningKeysModule, SigningKeysService } from '@app/signing-keys';

/** Compile-time proof that the signing keys fill the checkpoints' port. */
const keyringFits: SigningKeysService extends TrailKeyring ? true : never = true;
void keyringFits;

/** The trail checkpoints, signed with the tracker's trail key (@app/signing-keys). */
export function trailCheckpointsModule(): DynamicModule {
  return TrailCheckpointsModule.register({ imports: [SigningKeysModule], keyring: SigningKeysService });
}
