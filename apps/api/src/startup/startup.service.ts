import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Actor, type AppConfig } from '@app/common';
import { poolRouteOf, withStartupLock } from '@app/database';
import { DemoLoader } from '@app/demo';
import { EvidenceStoreReconciler } from '@app/evidence';
import { SecondFactorPolicyService, USER_ROLES, UsersService } from '@app/identity';
import { SigningKeysService } from '@app/signing-keys';

/**
 * Start-up work, before the server serves: the evidence store reconciled with
 * the evidence rows (what a crash left: every upload temp file, stored files no
 * evidence refers to; evidence whose file is missing is alerted), then the
 * admin from ADMIN_EMAIL / ADMIN_PASSWORD, and the demo case when the database
 * is empty, DEMO is on and this is not production (with no second factor
 * required unless DEMO_MFA=true). The admin and the demo are decided and made
 * under the start-up lock (withStartupLock): of several instances started
 * together on an empty database, one creates the admin and loads the demo, and
 * the others find them.
 */
@Injectable()
export class StartupService implements OnApplicationBootstrap {
  private readonly logger = new Logger(StartupService.name);
  demoLoaded = false;

  constructor(
    @Inject(ConfigService) private readonly config: ConfigService<AppConfig, true>,
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(DemoLoader) private readonly demo: DemoLoader,
    @Inject(EvidenceStoreReconciler) private readonly evidenceStore: EvidenceStoreReconciler,
    @Inject(SigningKeysService) private readonly signingKeys: SigningKeysService,
    @Inject(SecondFactorPolicyService) private readonly secondFactorPolicy: SecondFactorPolicyService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // The signing keys' public halves in the registry (a new key retires the old one, on the trail) before anything signs.
    await this.signingKeys.ensureRegistered();
    // First, before any upload of this process (the demo's included) can have begun.
    try {
      await this.evidenceStore.reconcile({ startup: true });
    } catch (err) {
      // A store that cannot be listed now (S3 down) must not keep the server down; the hourly run repeats it.
      this.logger.error(`evidence store reconciliation at start-up failed: ${(err as Error)?.message ?? String(err)}`);
    }
    await withStartupLock(
      poolRouteOf(this.dataSource).directUrl,
      () => this.firstUse(),
      () => this.logger.log('another instance is doing its start-up work on this database; waiting for it'),
    );
  }

  /** The admin from ADMIN_EMAIL, and the demo case in an empty database (under the start-up lock). */
  private async firstUse(): Promise<void> {
    const empty = (await this.users.count()) === 0;
    const adminEmail = this.config.get('ADMIN_EMAIL', { infer: true });
    const adminPassword = this.config.get('ADMIN_PASSWORD', { infer: true });
    if (adminEmail && adminPassword) {
      const created = await this.users.ensureAdmin(adminEmail, adminPassword);
      if (created) this.logger.log(`admin ${created.email} created from ADMIN_EMAIL`);
    }
    const production = this.config.get('NODE_ENV', { infer: true }) === 'production';
    if (empty && this.config.get('DEMO', { infer: true }) && !production) {
      await this.demo.load(this.config.get('DEMO_PASSWORD', { infer: true }));
      this.demoLoaded = true;
      if (!this.config.get('DEMO_MFA', { infer: true })) {
        // The demo's people sign in with their password alone (README, "Signing in"); DEMO_MFA=true keeps the
        // default policy (a second factor for AUDITOR, EXECUTIVE and ADMIN) and every step-up.
        for (const role of USER_ROLES) await this.secondFactorPolicy.set(Actor.system('demo'), role, false, null);
        this.logger.log('demo: no role requires a second factor and signing needs no step-up (DEMO_MFA=true to try them)');
      }
    }
  }
}
