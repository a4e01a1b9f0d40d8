import { Module } from '@nestjs/common';
import { PromotionGateModule } from '@app/promotion-gate';
import { IncidentsModule } from '@app/incidents';
import { StatusReportService } from './status-report.service';

/** The reports for the board and the regulator (read-only; each generation is recorded in the audit trail). */
@Module({
  imports: [IncidentsModule, PromotionGateModule],
  providers: [StatusReportService],
  exports: [StatusReportService],
})
export class ReportsModule {}
