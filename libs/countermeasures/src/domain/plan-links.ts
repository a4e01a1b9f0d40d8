import { countermeasureKey, type CountermeasureEntity } from '../countermeasure.entities';
import { CountermeasureError, CountermeasureErrorCode } from './countermeasure.errors';
import type { DependencyEdge } from './plan-graph';

// The checks of a change to the plan's links (a parent, a dependency) that need
// no graph walk: pure, no I/O. The cycle checks are in plan-graph.ts.

type Item = Pick<CountermeasureEntity, 'id' | 'seq' | 'incidentId'>;

/** A plan links only items of one incident (else DIFFERENT_INCIDENT). */
export function assertSameIncident(cm: Item, other: Item): void {
  if (other.incidentId !== cm.incidentId) {
    throw new CountermeasureError(
      CountermeasureErrorCode.DIFFERENT_INCIDENT,
      `${countermeasureKey(cm.seq)} and the countermeasure ${other.id} belong to different incidents; a plan links only items of one incident`,
      { incidentId: cm.incidentId, otherIncidentId: other.incidentId, otherId: other.id },
    );
  }
}

/** Setting the parent it already has (or clearing a parent it has not) is refused as INVALID_FIELD on parentId. */
export function assertParentChanges(cm: Pick<CountermeasureEntity, 'seq' | 'parentId'>, parentId: string | null): void {
  if (parentId === cm.parentId) {
    throw new CountermeasureError(
      CountermeasureErrorCode.INVALID_FIELD,
      parentId === null ? `${countermeasureKey(cm.seq)} has no parent already` : `${countermeasureKey(cm.seq)} already has that parent`,
      { field: 'parentId', value: parentId },
    );
  }
}

/** The ids `id` depends on, sorted. */
export function dependsOnIdsOf(id: string, edges: readonly DependencyEdge[]): string[] {
  return edges
    .filter((e) => e.countermeasureId === id)
    .map((e) => e.dependsOnId)
    .sort();
}

/** Adding a dependency that is there already is refused (DEPENDENCY_EXISTS). */
export function assertNotYetDependent(cm: Item, target: Item, dependsOnIds: readonly string[]): void {
  if (dependsOnIds.includes(target.id)) {
    throw new CountermeasureError(
      CountermeasureErrorCode.DEPENDENCY_EXISTS,
      `${countermeasureKey(cm.seq)} already depends on ${countermeasureKey(target.seq)}`,
      { id: cm.id, dependsOnId: target.id },
    );
  }
}

/** Removing a dependency that is not there is refused (DEPENDENCY_NOT_FOUND). */
export function assertDependent(cm: Item, target: Item, dependsOnIds: readonly string[]): void {
  if (!dependsOnIds.includes(target.id)) {
    throw new CountermeasureError(
      CountermeasureErrorCode.DEPENDENCY_NOT_FOUND,
      `${countermeasureKey(cm.seq)} does not depend on ${countermeasureKey(target.seq)}`,
      { id: cm.id, dependsOnId: target.id },
    );
  }
}
