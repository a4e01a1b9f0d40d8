import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@app/common';
import { DemoLoader } from '@app/demo';
import { UsersService } from '@app/identity';

/**
 * First-start work: the admin from ADMIN_EMAIL / ADMIN_PASSWORD, and the demo
 * case when the database is empty, DEMO is on and this is not production.
 */
@Injectable()
export class StartupService implements OnApplicationBootstrap {
  private readonly logger = new Logger(StartupService.name);
  demoLoaded = false;

  constructor(
    @Inject(ConfigService) private readonly config: ConfigService<AppConfig, true>,
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(DemoLoader) private readonly demo: DemoLoader,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
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
    }
  }
}
