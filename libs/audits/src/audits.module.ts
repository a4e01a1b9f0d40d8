import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CountermeasuresModule } from '@app/countermeasures';
import { IdentityModule } from '@app/identity';
import { EvidenceModule } from '@app/evidence';
import {
  AuditClearanceEntity,
  AuditEngagementEntity,
  AuditEngagementTransitionEntity,
  AuditFindingEntity,
  AuditScopeCountermeasureEntity,
  AuditScopeSystemEntity,
  AuditTeamMemberEntity,
  RiskAcceptanceEntity,
} from './audit.entities';
import { AuditClearanceService } from './audit-clearance.service';
import { AuditEngagementsService } from './audit-engagements.service';
import { AuditFindingsService } from './audit-findings.service';
import { RiskAcceptancesService } from './risk-acceptances.service';
import { AuditPortsModule } from './audit-ports.module';
import { AuditorAccessLimitEntity, AuditorScopeService } from './auditor-scope';

const SERVICES = [AuditClearanceService, AuditEngagementsService, AuditFindingsService, RiskAcceptancesService, AuditorScopeService];

@Module({
  imports: [
    AuditPortsModule,
    CountermeasuresModule,
    IdentityModule,
    EvidenceModule,
    TypeOrmModule.forFeature([
      AuditEngagementEntity,
      AuditTeamMemberEntity,
      AuditScopeCountermeasureEntity,
      AuditScopeSystemEntity,
      AuditEngagementTransitionEntity,
      AuditFindingEntity,
      AuditClearanceEntity,
      RiskAcceptanceEntity,
      AuditorAccessLimitEntity,
    ]),
  ],
  providers: SERVICES,
  exports: SERVICES,
})
export class AuditsModule {}
