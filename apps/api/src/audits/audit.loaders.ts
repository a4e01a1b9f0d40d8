import DataLoader from 'dataloader';
import { byId, grouped } from '../common/loader-helpers';
import type {
  AuditClearanceEntity,
  AuditEngagementEntity,
  AuditEngagementsService,
  AuditEngagementTransitionEntity,
  AuditFindingEntity,
  AuditFindingsService,
  AuditScopeCountermeasureEntity,
  AuditScopeSystemEntity,
  AuditTeamMemberEntity,
  RiskAcceptanceEntity,
  RiskAcceptancesService,
} from '@app/audits';

/** Per-request DataLoaders of the external audit (registered in common/loaders.ts as `audits`). */
export interface AuditLoaders {
  engagement: DataLoader<string, AuditEngagementEntity | null>;
  team: DataLoader<string, AuditTeamMemberEntity[]>;
  scopeCountermeasures: DataLoader<string, AuditScopeCountermeasureEntity[]>;
  scopeSystems: DataLoader<string, AuditScopeSystemEntity[]>;
  history: DataLoader<string, AuditEngagementTransitionEntity[]>;
  clearances: DataLoader<string, AuditClearanceEntity[]>;
  /** Findings of an engagement, by number. */
  findings: DataLoader<string, AuditFindingEntity[]>;
  /** Every risk acceptance of a finding, oldest first. */
  findingAcceptances: DataLoader<string, RiskAcceptanceEntity[]>;
}

export interface AuditLoaderDeps {
  engagements: AuditEngagementsService;
  findings: AuditFindingsService;
  risks: RiskAcceptancesService;
}

export function createAuditLoaders(deps: AuditLoaderDeps): AuditLoaders {
  const byEngagement = <T extends { engagementId: string }>(f: (ids: readonly string[]) => Promise<T[]>) =>
    grouped(f, (r) => r.engagementId);
  return {
    engagement: byId((ids) => deps.engagements.findByIds(ids)),
    team: byEngagement((ids) => deps.engagements.teamOf(ids)),
    scopeCountermeasures: byEngagement((ids) => deps.engagements.scopeCountermeasuresOf(ids)),
    scopeSystems: byEngagement((ids) => deps.engagements.scopeSystemsOf(ids)),
    history: byEngagement((ids) => deps.engagements.transitionsOf(ids)),
    clearances: byEngagement((ids) => deps.engagements.clearancesOf(ids)),
    findings: byEngagement((ids) => deps.findings.findingsOf(ids)),
    findingAcceptances: grouped(
      (ids) => deps.risks.acceptancesOfFindings(ids),
      (a) => a.findingId!,
    ),
  };
}
