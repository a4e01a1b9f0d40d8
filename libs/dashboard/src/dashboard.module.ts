import { Module } from '@nestjs/common';
import { DashboardService } from './dashboard.service';

/** The executive dashboard (read-only): aggregations over the other contexts' tables, in SQL. */
@Module({
  providers: [DashboardService],
  exports: [DashboardService],
})
export class DashboardModule {}
