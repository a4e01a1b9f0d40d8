/**
 * What the incidents context asks the countermeasures context, which depends on
 * this lib (its items belong to an incident, its targets are our systems) and so
 * cannot be imported here. The countermeasures context implements this and
 * provides it under the token (CountermeasurePortsModule); no lib imports in a cycle.
 */
export interface IncidentCountermeasureUsage {
  /** Seqs (CM-n) of the countermeasures that target this system of the inventory, ascending. */
  targetingSystem(systemId: string): Promise<number[]>;
  /** Seqs of the open countermeasures (OPEN_COUNTERMEASURE_STATUSES) the user owns in the incident, ascending. */
  openOwnedBy(incidentId: string, userId: string): Promise<number[]>;
}

export const INCIDENT_COUNTERMEASURE_USAGE = Symbol.for('incidents.IncidentCountermeasureUsage');
