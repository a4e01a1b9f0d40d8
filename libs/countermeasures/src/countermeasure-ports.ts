/**
 * What the countermeasures context asks of contexts that depend on it (so it
 * cannot import them): each declares the question here, the answering context
 * implements it and provides it under the token (see its module), and no lib
 * imports in a cycle.
 */

/** The audits context: risk acceptances that rest on a requirement (they keep it from being removed). */
export interface RequirementRiskAcceptances {
  /** Risk acceptances of the requirement, standing or ended. */
  countFor(requirementId: string): Promise<number>;
}
export const REQUIREMENT_RISK_ACCEPTANCES = Symbol.for('countermeasures.RequirementRiskAcceptances');

/** What the evidence context tells about a requirement's evidence (`CountermeasuresService.recordEvidenceState`). */
export interface RequirementEvidenceState {
  /** Evidence ever submitted, withdrawn and superseded versions included. */
  total: number;
  /** Live evidence: submitted, not superseded nor withdrawn. */
  live: number;
  /** Live evidence whose latest review accepted it. */
  accepted: number;
  /** The newest effective day (YYYY-MM-DD) among live accepted evidence, or null. */
  latestAcceptedEffectiveOn: string | null;
}

/**
 * The evidence context: how many evidence rows it holds per (countermeasure, incident)
 * pair. The kept-state check compares the pairs with the countermeasures' own
 * incidents (an evidence row's incident is frozen at submission).
 */
export interface EvidencePlacement {
  evidenceCountsByCountermeasureAndIncident(): Promise<{ countermeasureId: string; incidentId: string; count: number }[]>;
}
export const EVIDENCE_PLACEMENT = Symbol.for('countermeasures.EvidencePlacement');
