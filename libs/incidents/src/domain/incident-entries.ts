import { IncidentError, IncidentErrorCode } from './incident.errors';
import { countermeasureKeyOf } from './task-force-rules';

/**
 * Rules for correcting the timeline and the inventory (systems, data
 * categories, parties), pure functions of the rows the service reads under
 * the incident's row lock:
 * - an entry is changed or removed only through the incident it belongs to,
 *   with the incident's version (so a correction never overwrites one the
 *   caller has not seen) and a reason (kept in the audit trail);
 * - a change must change something: values equal to the current ones are no
 *   change, and a call without any new value is refused, like updateIncident;
 * - nothing is deleted: a removal marks the entry (when, who, why) and the
 *   lists hide it unless asked; a removed entry is history and is never
 *   changed or removed again (add a new entry instead);
 * - a system that countermeasures still target stays in the inventory until
 *   they no longer target it (their progress would otherwise count a system
 *   the incident no longer lists).
 */

/** The four lists of an incident, as named in error details (the GraphQL field names). */
export const INCIDENT_ENTRY_LISTS = ['timeline', 'systems', 'dataCategories', 'parties'] as const;
export type IncidentEntryList = (typeof INCIDENT_ENTRY_LISTS)[number];

export interface EntryState {
  id: string;
  incidentId: string;
  removedAt: Date | null;
}

/** The entry found by id belongs to `incidentId` (the incident whose version the caller sent). */
export function assertEntryOf<T extends EntryState>(list: IncidentEntryList, id: string, incidentId: string, entry: T | null): T {
  if (!entry) throw new IncidentError(IncidentErrorCode.ENTRY_NOT_FOUND, `No entry ${id} in any incident's ${list}`, { list, id });
  if (entry.incidentId !== incidentId) {
    throw new IncidentError(
      IncidentErrorCode.ENTRY_OF_ANOTHER_INCIDENT,
      `Entry ${id} of the ${list} belongs to another incident than ${incidentId}`,
      {
        list,
        id,
        incidentId,
      },
    );
  }
  return entry;
}

/** A removed entry is history: neither changed nor removed again. */
export function assertNotRemoved(list: IncidentEntryList, entry: EntryState): void {
  if (entry.removedAt !== null) {
    throw new IncidentError(
      IncidentErrorCode.ENTRY_REMOVED,
      `Entry ${entry.id} was removed from the ${list} on ${entry.removedAt.toISOString()}; add a new entry instead`,
      {
        list,
        id: entry.id,
        removedAt: entry.removedAt.toISOString(),
      },
    );
  }
}

/**
 * The fields of `proposed` whose value differs from `current` (`undefined`
 * means "keep"). Refuses a call that changes nothing.
 */
export function changedFields<T extends object>(current: T, proposed: Partial<T>): Partial<T> {
  const changed: Partial<T> = {};
  for (const key of Object.keys(proposed) as (keyof T)[]) {
    const value = proposed[key];
    if (value !== undefined && value !== current[key]) changed[key] = value;
  }
  if (Object.keys(changed).length === 0) {
    throw new IncidentError(IncidentErrorCode.INVALID_FIELD, 'Nothing to change: give at least one field with a new value', {
      field: null,
      value: null,
    });
  }
  return changed;
}

/** A system that countermeasures target (`seqs`: their numbers) cannot be removed. */
export function assertSystemUnused(systemId: string, seqs: readonly number[]): void {
  if (seqs.length === 0) return;
  const keys = [...new Set(seqs)].sort((a, b) => a - b).map(countermeasureKeyOf);
  throw new IncidentError(
    IncidentErrorCode.SYSTEM_IN_USE,
    `Countermeasures ${keys.join(', ')} target this system: take it out of their targets before removing it from the inventory`,
    { systemId, countermeasures: keys },
  );
}
