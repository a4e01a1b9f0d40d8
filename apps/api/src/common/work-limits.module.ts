import { Module } from '@nestjs/common';
import { CostBudget, ReportRenderingSlots, UploadSlots } from './work-limits';

/** The bounds on expensive work (work-limits.ts), one instance each, shared by GraphQL and the HTTP routes. */
@Module({
  providers: [CostBudget, ReportRenderingSlots, UploadSlots],
  exports: [CostBudget, ReportRenderingSlots, UploadSlots],
})
export class WorkLimitsModule {}
