import { byId, grouped, type Loader } from '../common/loader-helpers';
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
  engagement: Loader<string, AuditEngagementEntity | null>;
  team: Loader<string, AuditTeamMemberEntity[]>;
  scopeCountermeasures: Loader<string, AuditScopeCountermeasureEntity[]>;
  scopeSystems: Loader<string, AuditScopeSystemEntity[]>;
  history: Loader<string, AuditEngagementTransitionEntity[]>;
  clearances: Loader<string, AuditClearanceEntity[]>;
  /** Findings of an engagement, by number. */
  findings: Loader<string, AuditFindingEntity[]>;
  /** Every risk acceptance of a finding, oldest first. */
  findingAcceptances: Loader<string, RiskAcceptanceEntity[]>;
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
