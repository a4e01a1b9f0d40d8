import { IncidentError, IncidentErrorCode } from './incident.errors';

/**
 * Rules of the task force (情報セキュリティ対策強化の特別チーム), pure functions of
 * the rows the service reads under the incident's row lock:
 * - a member is a user who is active and holds TASK_FORCE or EXECUTIVE (the
 *   president and other executives sit on it); at most one current membership
 *   per user and incident; a user who left may be added again (a new row: the
 *   history of who was on it when is kept);
 * - a membership that ended (left_on set) is never changed again;
 * - one current chief per incident; designating another one keeps the previous
 *   chief as a plain member; the current chief cannot be removed (designate a
 *   successor first), so the incident never silently loses its chief;
 * - only current members can own countermeasures, so a member who still owns an
 *   open countermeasure of this incident cannot leave until it is reassigned;
 * - joining and leaving days are real days, not in the future, and one leaves
 *   on or after the day one joined.
 */
export const ELIGIBLE_MEMBER_ROLES = ['TASK_FORCE', 'EXECUTIVE'] as const;

/**
 * Countermeasure statuses that still need work by their owner. The same list as
 * `isOpen` in libs/countermeasures (which depends on this lib, so it cannot be
 * imported here); test/incidents/open-statuses.spec.ts keeps the two equal.
 */
export const OPEN_COUNTERMEASURE_STATUSES = [
  'PLANNED',
  'IN_PROGRESS',
  'BLOCKED',
  'IMPLEMENTED',
  'CHANGES_REQUESTED',
  'REOPENED',
  'DEGRADED',
] as const;

/** CM-001: the key a countermeasure is shown with (same format as libs/countermeasures). */
export function countermeasureKeyOf(seq: number): string {
  return `CM-${String(seq).padStart(3, '0')}`;
}

export interface CandidateUser {
  id: string;
  active: boolean;
  roles: readonly string[];
}

export interface MembershipState {
  id: string;
  userId: string;
  isChief: boolean;
  joinedOn: string;
  leftOn: string | null;
}

export function assertEligibleUser(user: CandidateUser): void {
  if (!user.active) {
    throw new IncidentError(IncidentErrorCode.USER_INACTIVE, 'A deactivated user cannot join the task force', { userId: user.id });
  }
  if (!user.roles.some((r) => (ELIGIBLE_MEMBER_ROLES as readonly string[]).includes(r))) {
    throw new IncidentError(
      IncidentErrorCode.USER_NOT_ELIGIBLE,
      `Only users holding ${ELIGIBLE_MEMBER_ROLES.join(' or ')} can join the task force`,
      {
        userId: user.id,
        roles: [...user.roles],
        eligibleRoles: [...ELIGIBLE_MEMBER_ROLES],
      },
    );
  }
}

/** `current` is the user's current membership of the incident, if any. */
export function assertNotAlreadyMember(userId: string, current: MembershipState | null): void {
  if (current && current.leftOn === null) {
    throw new IncidentError(IncidentErrorCode.ALREADY_MEMBER, 'The user is already a member of this task force', {
      userId,
      memberId: current.id,
    });
  }
}

export function assertCurrentMember(member: MembershipState): void {
  if (member.leftOn !== null) {
    throw new IncidentError(IncidentErrorCode.MEMBER_HAS_LEFT, `This member left the task force on ${member.leftOn}`, {
      memberId: member.id,
      leftOn: member.leftOn,
    });
  }
}

export function assertRoleChange(member: MembershipState, currentTitle: string, nextTitle: string): void {
  assertCurrentMember(member);
  if (currentTitle === nextTitle) {
    throw new IncidentError(IncidentErrorCode.INVALID_FIELD, `The role is already ${nextTitle}`, { field: 'roleTitle', value: nextTitle });
  }
}

export function assertMayBecomeChief(member: MembershipState): void {
  assertCurrentMember(member);
  if (member.isChief) {
    throw new IncidentError(IncidentErrorCode.ALREADY_CHIEF, 'This member is already the chief', { memberId: member.id });
  }
}

/**
 * Leaving on `leftOn` (a valid day, checked by the caller), while owning the
 * open countermeasures numbered `openSeqs` in this incident.
 */
export function assertMayLeave(member: MembershipState, leftOn: string, openSeqs: readonly number[]): void {
  assertCurrentMember(member);
  if (member.isChief) {
    throw new IncidentError(
      IncidentErrorCode.CHIEF_MUST_BE_REPLACED,
      'The chief cannot leave the task force: designate another chief first',
      {
        memberId: member.id,
      },
    );
  }
  if (leftOn < member.joinedOn) {
    throw new IncidentError(
      IncidentErrorCode.INVALID_FIELD,
      `leftOn (${leftOn}) must not be before the day the member joined (${member.joinedOn})`,
      {
        field: 'leftOn',
        value: leftOn,
      },
    );
  }
  if (openSeqs.length > 0) {
    const keys = [...openSeqs].sort((a, b) => a - b).map(countermeasureKeyOf);
    throw new IncidentError(
      IncidentErrorCode.OWNS_OPEN_COUNTERMEASURES,
      `This member still owns open countermeasures (${keys.join(', ')}): reassign them before removing the member`,
      { memberId: member.id, userId: member.userId, countermeasures: keys },
    );
  }
}
