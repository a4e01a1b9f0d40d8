import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

/**
 * The company's duties to the outside after the breach (issue 15): the report to the PPC and its filings, the notice
 * to the individuals, the public progress statements (promise 9) and the hotline (promises 5, 8, 10). The rules
 * (deadlines, the mandatory cases) are data: a dated rule pack under libs/duties/rule-packs/, read at start.
 * Needs the global AuditTrailModule and ConfigModule.
 */
@Module({
  imports: [TypeOrmModule.forFeature([])],
  providers: [],
  exports: [],
})
export class DutiesModule {}
