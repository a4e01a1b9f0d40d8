import type { IncidentEventKind, PartyKind } from './incident.entities';

// The commands of IncidentChangesService (what callers give it).

export interface IncidentDates {
  detectedOn?: string | null;
  policeReportedOn?: string | null;
  regulatorReportedOn?: string | null;
  disclosedOn?: string | null;
}

export interface JoinCommand {
  userId: string;
  roleTitle: string;
  /** Defaults to today (Asia/Tokyo); never in the future. */
  joinedOn?: string | null;
}

export interface CreateIncidentCommand extends IncidentDates {
  title: string;
  summary?: string | null;
  /** Seats the chief at creation (otherwise only an admin can add the first members). */
  chief?: (Omit<JoinCommand, 'roleTitle'> & { roleTitle?: string | null }) | null;
}

/**
 * `undefined` keeps a field. For the four dates `null` clears the date (a date
 * entered by mistake). `null` keeps the title and the summary; the title cannot
 * be blank, while an empty summary clears it (it is optional, as at creation).
 */
export interface UpdateIncidentCommand extends IncidentDates {
  title?: string | null;
  summary?: string | null;
}

export interface AddEventCommand {
  incidentId: string;
  occurredOn: string;
  kind: IncidentEventKind;
  description: string;
}

export interface AddSystemCommand {
  incidentId: string;
  name: string;
  description?: string | null;
  leakSource?: boolean | null;
  holdsCustomerData?: boolean | null;
}

export interface AddDataCategoryCommand {
  incidentId: string;
  name: string;
  leaked: boolean;
}

export interface AddPartyCommand {
  incidentId: string;
  kind: PartyKind;
  name: string;
  role?: string | null;
}

/**
 * Names one entry of the timeline or inventory to correct or remove: the entry,
 * the incident it belongs to with the incident's version the caller saw, and why.
 */
export interface EntryChange {
  incidentId: string;
  /** The entry's id (event, system, data category or party). */
  id: string;
  /** The incident's version; the change moves it on. */
  expectedVersion: number;
  reason: string;
}

// Corrections: `undefined` or `null` keeps a field; an empty description or role clears it.
export interface UpdateEventCommand extends EntryChange {
  occurredOn?: string | null;
  kind?: IncidentEventKind | null;
  description?: string | null;
}

export interface UpdateSystemCommand extends EntryChange {
  name?: string | null;
  description?: string | null;
  leakSource?: boolean | null;
  holdsCustomerData?: boolean | null;
}

export interface UpdateDataCategoryCommand extends EntryChange {
  name?: string | null;
  leaked?: boolean | null;
}

export interface UpdatePartyCommand extends EntryChange {
  kind?: PartyKind | null;
  name?: string | null;
  role?: string | null;
}
