import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IncidentsModule } from '@app/incidents';
import { EvidenceModule } from '@app/evidence';
import { IdentityModule } from '@app/identity';
import { ProgressStatementEntity } from './progress/progress-statement.entity';
import { ProgressStatementsService } from './progress/progress-statements.service';
import { HotlineCaseEntity, HotlineDailyCountEntity } from './hotline/hotline.entities';
import { HotlineService } from './hotline/hotline.service';
import { BreachFilingEntity, BreachNotificationEntity, NoticeCampaignEntity } from './breach/breach.entities';
import { RulePacks } from './rules/rule-packs';
import { BreachNotificationsService } from './breach/breach-notifications.service';
import { BreachFilingsService } from './breach/breach-filings.service';
import { NoticeCampaignsService } from './breach/notice-campaigns.service';
import { DutyFacts } from './breach/duty-facts';
import { BreachDeadlineFeed } from './breach/deadline-reminders';

/**
 * The company's duties to the outside after the breach (issue 15): the report to the PPC and its filings, the notice
 * to the individuals, the public progress statements (promise 9) and the hotline (promises 5, 8, 10). The rules
 * (deadlines, the mandatory cases) are data: a dated rule pack under libs/duties/rule-packs/, read at start.
 * Needs the global AuditTrailModule and ConfigModule.
 */
@Module({
  imports: [
    IncidentsModule,
    // Progress statements: countermeasures' status, evidence names (EvidenceModule exports CountermeasuresModule), users' names.
    EvidenceModule,
    IdentityModule,
    TypeOrmModule.forFeature([HotlineDailyCountEntity, HotlineCaseEntity]),
    TypeOrmModule.forFeature([ProgressStatementEntity]),
    TypeOrmModule.forFeature([BreachNotificationEntity, BreachFilingEntity, NoticeCampaignEntity]),
  ],
  providers: [
    RulePacks,
    BreachNotificationsService,
    BreachFilingsService,
    NoticeCampaignsService,
    DutyFacts,
    BreachDeadlineFeed,
    HotlineService,
    ProgressStatementsService,
  ],
  exports: [
    RulePacks,
    BreachDeadlineFeed,
    BreachNotificationsService,
    BreachFilingsService,
    NoticeCampaignsService,
    HotlineService,
    ProgressStatementsService,
  ],
})
export class DutiesModule {}
