import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IncidentsModule } from '@app/incidents';
import { HotlineCaseEntity, HotlineDailyCountEntity } from './hotline/hotline.entities';
import { HotlineService } from './hotline/hotline.service';

/**
 * The company's duties to the outside after the breach (issue 15): the report to the PPC and its filings, the notice
 * to the individuals, the public progress statements (promise 9) and the hotline (promises 5, 8, 10). The rules
 * (deadlines, the mandatory cases) are data: a dated rule pack under libs/duties/rule-packs/, read at start.
 * Needs the global AuditTrailModule and ConfigModule.
 */
@Module({
  imports: [IncidentsModule, TypeOrmModule.forFeature([HotlineDailyCountEntity, HotlineCaseEntity])],
  providers: [HotlineService],
  exports: [HotlineService],
})
export class DutiesModule {}
