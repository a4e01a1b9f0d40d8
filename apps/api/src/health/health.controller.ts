import { Controller, Get, Inject, Res } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator, type HealthIndicatorResult } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Public } from '../auth/access.decorators';
import { DrainState } from '../lifecycle/drain-state';

@Controller('health')
export class HealthController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(TypeOrmHealthIndicator) private readonly db: TypeOrmHealthIndicator,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(DrainState) private readonly drain: DrainState,
  ) {}

  /** Liveness: the process answers and the database answers a ping (still 200 while draining: the process is not stuck). */
  @Public()
  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.db.pingCheck('database', { timeout: 3000 })]);
  }

  /**
   * Readiness: as above, and every migration of this build is applied. While the
   * instance drains (SIGTERM, lifecycle/graceful-shutdown.ts): 503 `draining`, so
   * that a load balancer sends it nothing new.
   */
  @Public()
  @Get('ready')
  @HealthCheck()
  ready(@Res({ passthrough: true }) res: Response) {
    if (this.drain.draining) {
      res.status(503).setHeader('cache-control', 'no-store');
      return {
        status: 'draining',
        message: `this instance is stopping (${this.drain.since}): it finishes the requests in flight and takes no new ones`,
      };
    }
    return this.health.check([
      () => this.db.pingCheck('database', { timeout: 3000 }),
      async (): Promise<HealthIndicatorResult> => {
        const pending = await this.dataSource.showMigrations();
        if (pending) throw new Error('migrations pending');
        return { migrations: { status: 'up' } };
      },
    ]);
  }
}
