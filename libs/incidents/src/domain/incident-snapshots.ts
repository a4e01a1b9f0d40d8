import { IncidentError, IncidentErrorCode } from './incident.errors';
import type {
  IncidentDataCategoryEntity,
  IncidentEntity,
  IncidentEventEntity,
  IncidentPartyEntity,
  IncidentSystemEntity,
  RemovableEntry,
  TaskForceMemberEntity,
} from '../incident.entities';

// What the audit trail keeps of an incident and its entries, and a field check: pure, no I/O.

export function oneOf<T extends string>(allowed: readonly T[], value: string, field: string): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new IncidentError(IncidentErrorCode.INVALID_FIELD, `${field} must be one of ${allowed.join(', ')}`, { field, value });
  }
  return value as T;
}

/** An entry of the timeline or inventory. */
export type Entry = RemovableEntry & { id: string; incidentId: string };

// What the audit trail keeps of each kind of entry (the same shapes as their `..._added` entries).
export function eventSnapshot(e: IncidentEventEntity) {
  return { id: e.id, occurredOn: e.occurredOn, kind: e.kind, description: e.description };
}
export function systemSnapshot(s: IncidentSystemEntity) {
  return { id: s.id, name: s.name, description: s.description, leakSource: s.leakSource, holdsCustomerData: s.holdsCustomerData };
}
export function dataCategorySnapshot(c: IncidentDataCategoryEntity) {
  return { id: c.id, name: c.name, leaked: c.leaked };
}
export function partySnapshot(p: IncidentPartyEntity) {
  return { id: p.id, kind: p.kind, name: p.name, role: p.role };
}

/** What the audit trail keeps of an incident. */
export function incidentSnapshot(i: IncidentEntity) {
  return {
    title: i.title,
    summary: i.summary,
    detectedOn: i.detectedOn,
    policeReportedOn: i.policeReportedOn,
    regulatorReportedOn: i.regulatorReportedOn,
    disclosedOn: i.disclosedOn,
    version: i.version,
  };
}

/** What the audit trail keeps of a membership. */
export function memberSnapshot(
  m: Pick<TaskForceMemberEntity, 'id' | 'userId' | 'roleTitle' | 'isChief' | 'joinedOn' | 'leftOn'> & { legalLead?: boolean },
) {
  return {
    memberId: m.id,
    userId: m.userId,
    roleTitle: m.roleTitle,
    isChief: m.isChief,
    joinedOn: m.joinedOn,
    leftOn: m.leftOn,
    ...(m.legalLead ? { legalLead: true } : {}),
  };
}
