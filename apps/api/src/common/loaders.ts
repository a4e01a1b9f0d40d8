import { byId, grouped, type Loader } from './loader-helpers';
import type {
  CountermeasureContributorEntity,
  CountermeasureDependencyEntity,
  CountermeasureEntity,
  CountermeasureLinksService,
  CountermeasureTargetEntity,
  CountermeasureTargetsService,
  CountermeasuresService,
  DueDateChangeEntity,
  RequirementEntity,
  TransitionEntity,
} from '@app/countermeasures';
import type { UserEntity, UsersService } from '@app/identity';
import type { EvidenceService } from '@app/evidence';
import type { GateChangeEntity, PromotionGateService } from '@app/promotion-gate';
import { createEvidenceLoaders, type EvidenceLoaders } from '../evidence/evidence.loaders';
import type { SelectedColumns } from './selected-columns';
import { createAuditLoaders, type AuditLoaderDeps, type AuditLoaders } from '../audits/audit.loaders';
import type {
  IncidentDataCategoryEntity,
  IncidentEventEntity,
  IncidentPartyEntity,
  IncidentsService,
  IncidentSystemEntity,
  TaskForceMemberEntity,
} from '@app/incidents';

/**
 * Per-request DataLoaders: nested fields of a page load in one batch per
 * kind, not one query per row. Created fresh for each request (no cache
 * shared between users).
 */
export interface Loaders {
  user: Loader<string, UserEntity | null>;
  incidentEvents: Loader<string, IncidentEventEntity[]>;
  incidentSystems: Loader<string, IncidentSystemEntity[]>;
  incidentDataCategories: Loader<string, IncidentDataCategoryEntity[]>;
  incidentParties: Loader<string, IncidentPartyEntity[]>;
  taskForce: Loader<string, TaskForceMemberEntity[]>;
  requirements: Loader<string, RequirementEntity[]>;
  transitions: Loader<string, TransitionEntity[]>;
  dueDateChanges: Loader<string, DueDateChangeEntity[]>;
  contributors: Loader<string, CountermeasureContributorEntity[]>;
  targets: Loader<string, CountermeasureTargetEntity[]>;
  system: Loader<string, IncidentSystemEntity | null>;
  countermeasure: Loader<string, CountermeasureEntity | null>;
  /** Sub-actions of a countermeasure, by key. */
  children: Loader<string, CountermeasureEntity[]>;
  /** Edges from a countermeasure to what it depends on, by the key depended on. */
  dependsOn: Loader<string, CountermeasureDependencyEntity[]>;
  /** Edges into a countermeasure from what depends on it, by the dependent key. */
  dependents: Loader<string, CountermeasureDependencyEntity[]>;
  evidence: EvidenceLoaders;
  gateHistory: Loader<string, GateChangeEntity[]>;
  audits: AuditLoaders;
  /**
   * The columns the operation can ask of the narrowable loaders' rows (requirements,
   * evidence by requirement, reviews), set by the look-ahead before it loads
   * (selected-columns.ts); empty: every column.
   */
  selected: SelectedColumns;
}

export interface LoaderDeps {
  users: UsersService;
  incidents: IncidentsService;
  countermeasures: CountermeasuresService;
  targets: CountermeasureTargetsService;
  links: CountermeasureLinksService;
  evidence: EvidenceService;
  gates: PromotionGateService;
  audits: AuditLoaderDeps;
}

export function createLoaders(deps: LoaderDeps): Loaders {
  // Read when a batch is sent (after the look-ahead has set it), not when the loaders are made.
  const selected: SelectedColumns = {};
  const byIncident = <T extends { incidentId: string }>(f: (ids: readonly string[]) => Promise<T[]>) => grouped(f, (r) => r.incidentId);
  const byCm = <T extends { countermeasureId: string }>(f: (ids: readonly string[]) => Promise<T[]>) =>
    grouped(f, (r) => r.countermeasureId);
  return {
    user: byId((ids) => deps.users.findByIds(ids)),
    incidentEvents: byIncident((ids) => deps.incidents.events(ids)),
    incidentSystems: byIncident((ids) => deps.incidents.systems(ids)),
    incidentDataCategories: byIncident((ids) => deps.incidents.dataCategories(ids)),
    incidentParties: byIncident((ids) => deps.incidents.parties(ids)),
    taskForce: byIncident((ids) => deps.incidents.taskForce(ids)),
    requirements: byCm((ids) => deps.countermeasures.requirementsOf(ids, selected.requirements)),
    transitions: byCm((ids) => deps.countermeasures.transitionsOf(ids)),
    dueDateChanges: byCm((ids) => deps.countermeasures.dueDateChangesOf(ids)),
    contributors: byCm((ids) => deps.countermeasures.contributorsOf(ids)),
    targets: byCm((ids) => deps.targets.targetsOf(ids)),
    system: byId((ids) => deps.targets.systemsByIds(ids)),
    countermeasure: byId((ids) => deps.countermeasures.findByIds(ids)),
    children: grouped(
      (ids) => deps.links.childrenOf(ids),
      (c) => c.parentId!,
    ),
    dependsOn: byCm((ids) => deps.links.dependenciesOf(ids)),
    dependents: grouped(
      (ids) => deps.links.dependentsOf(ids),
      (d) => d.dependsOnId,
    ),
    evidence: createEvidenceLoaders(deps.evidence, selected),
    gateHistory: grouped(
      (ids) => deps.gates.historyOf(ids),
      (h) => h.gateId,
    ),
    audits: createAuditLoaders(deps.audits),
    selected,
  };
}

export interface GqlContext {
  req: { user?: UserEntity; id?: string };
  loaders: Loaders;
}
