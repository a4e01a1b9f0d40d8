import { Inject, Injectable, Logger } from '@nestjs/common';
import { Transactional } from '@nestjs-cls/transactional';
import { Actor } from '@app/common';
import { UsersService } from '@app/identity';
import { DEMO_USERS } from './demo-users';

/** Loads the demo case into an empty database, all in one transaction. */
@Injectable()
export class DemoLoader {
  private readonly logger = new Logger(DemoLoader.name);

  constructor(@Inject(UsersService) private readonly users: UsersService) {}

  @Transactional()
  async load(password: string): Promise<void> {
    for (const u of DEMO_USERS) {
      if (await this.users.findByEmail(u.email)) continue;
      await this.users.create(Actor.system('demo-loader'), { ...u, password });
    }
    this.logger.log(`demo case loaded: ${DEMO_USERS.length} users`);
  }
}
