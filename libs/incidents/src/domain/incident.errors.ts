import { DomainError } from '@app/common';

/** Codes of the incidents context (the incident, its timeline and inventory, the task force). */
export const IncidentErrorCode = {
  /** No incident with that id. Details: `id`. */
  INCIDENT_NOT_FOUND: 'INCIDENT_NOT_FOUND',
  /** No task-force membership with that id. Details: `id`. */
  MEMBER_NOT_FOUND: 'MEMBER_NOT_FOUND',
  /** No user with that id (when adding a member or seating a chief). Details: `id`. */
  USER_NOT_FOUND: 'USER_NOT_FOUND',
  /** A field value the rules refuse (an impossible date, a blank title, a date in the future...). Details: `field`, `value`. */
  INVALID_FIELD: 'INVALID_FIELD',
  /** The caller's part (role, chief or member of this incident's task force) does not allow this change. Details: `actor`, `what`. */
  NOT_PERMITTED: 'NOT_PERMITTED',
  /** The user to add to the task force is deactivated. Details: `userId`. */
  USER_INACTIVE: 'USER_INACTIVE',
  /** The user to add holds neither TASK_FORCE nor EXECUTIVE. Details: `userId`, `roles`, `eligibleRoles`. */
  USER_NOT_ELIGIBLE: 'USER_NOT_ELIGIBLE',
  /** The user is already a current member of this incident's task force. Details: `userId`, `memberId`. */
  ALREADY_MEMBER: 'ALREADY_MEMBER',
  /** The membership has ended (left_on is set): it can no longer be changed. Details: `memberId`, `leftOn`. */
  MEMBER_HAS_LEFT: 'MEMBER_HAS_LEFT',
  /**
   * Removing a member who still owns open countermeasures of this incident.
   * Details: `memberId`, `userId`, `countermeasures` (their keys, CM-001...): reassign them first.
   */
  OWNS_OPEN_COUNTERMEASURES: 'OWNS_OPEN_COUNTERMEASURES',
  /** Removing the current chief: designate another chief first. Details: `memberId`. */
  CHIEF_MUST_BE_REPLACED: 'CHIEF_MUST_BE_REPLACED',
  /** The member is already the chief. Details: `memberId`. */
  ALREADY_CHIEF: 'ALREADY_CHIEF',
  /** The same system, data category or party is already listed for this incident. Details: `list`, `name`, `id`. */
  ALREADY_LISTED: 'ALREADY_LISTED',
  /** No timeline event, system, data category or party with that id. Details: `list` (timeline, systems, dataCategories, parties), `id`. */
  ENTRY_NOT_FOUND: 'ENTRY_NOT_FOUND',
  /** The entry exists but belongs to another incident than the one named. Details: `list`, `id`, `incidentId`. */
  ENTRY_OF_ANOTHER_INCIDENT: 'ENTRY_OF_ANOTHER_INCIDENT',
  /** The entry was removed (it stays as history): it can no longer be changed or removed again. Details: `list`, `id`, `removedAt`. */
  ENTRY_REMOVED: 'ENTRY_REMOVED',
  /**
   * Removing a system that countermeasures still target. Details: `systemId`,
   * `countermeasures` (their keys, CM-001...): take the system out of their targets first.
   */
  SYSTEM_IN_USE: 'SYSTEM_IN_USE',
} as const;
export type IncidentErrorCode = (typeof IncidentErrorCode)[keyof typeof IncidentErrorCode];

export class IncidentError extends DomainError<IncidentErrorCode> {
  readonly context = 'incidents';
}
