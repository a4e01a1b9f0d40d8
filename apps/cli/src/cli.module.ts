import { Module, type DynamicModule } from '@nestjs/common';
import { appConfigModule } from '@app/common';
import { ClsModule } from 'nestjs-cls';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { AuditTrailModule, TrailCheckpointsModule } from '@app/audit-trail';
import { AuditsModule } from '@app/audits';
import { PromotionGateModule } from '@app/promotion-gate';
import { NotificationsModule } from '@app/notifications';
import { DatabaseModule, transactionalPlugin } from '@app/database';
import { CountermeasuresModule } from '@app/countermeasures';
import { DemoModule } from '@app/demo';
import { EvidenceModule } from '@app/evidence';
import { IdentityModule } from '@app/identity';
import { SigningKeysModule, SigningKeysService } from '@app/signing-keys';

/** The same modules as the server, without HTTP and GraphQL. */
@Module({})
export class CliModule {
  static forRoot(): DynamicModule {
    return {
      module: CliModule,
      imports: [
        appConfigModule(),
        ClsModule.forRoot({ global: true, plugins: [transactionalPlugin()] }),
        EventEmitterModule.forRoot(),
        DatabaseModule,
        AuditTrailModule,
        IdentityModule,
        CountermeasuresModule,
        EvidenceModule,
        AuditsModule,
        PromotionGateModule,
        NotificationsModule,
        DemoModule,
        SigningKeysModule,
        // Checkpoints are checked (verify-audit-trail --against), signed with the trail key.
        TrailCheckpointsModule.register({ imports: [SigningKeysModule], keyring: SigningKeysService }),
      ],
    };
  }
}
