import { describe, expect, it } from 'vitest';
import { IncidentError, IncidentErrorCode } from './incident.errors';
import {
  assertCurrentMember,
  assertEligibleUser,
  assertMayBecomeChief,
  assertMayLeave,
  assertNotAlreadyMember,
  assertRoleChange,
  countermeasureKeyOf,
  type MembershipState,
} from './task-force-rules';

function errorOf(fn: () => unknown): IncidentError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(IncidentError);
    return err as IncidentError;
  }
  throw new Error('expected an IncidentError, but nothing was thrown');
}

function member(over: Partial<MembershipState> = {}): MembershipState {
  return { id: 'm1', userId: 'u1', isChief: false, joinedOn: '2026-07-10', leftOn: null, ...over };
}

describe('who can join the task force', () => {
  it('an active user holding TASK_FORCE or EXECUTIVE (alone or with other roles)', () => {
    for (const roles of [['TASK_FORCE'], ['EXECUTIVE'], ['ADMIN', 'TASK_FORCE'], ['EXECUTIVE', 'AUDITOR']]) {
      expect(() => assertEligibleUser({ id: 'u', active: true, roles })).not.toThrow();
    }
  });

  it('not an auditor or an admin who holds neither role: USER_NOT_ELIGIBLE, with their roles', () => {
    for (const roles of [['AUDITOR'], ['ADMIN'], []]) {
      const e = errorOf(() => assertEligibleUser({ id: 'u', active: true, roles }));
      expect(e.code).toBe(IncidentErrorCode.USER_NOT_ELIGIBLE);
      expect(e.details).toEqual({ userId: 'u', roles, eligibleRoles: ['TASK_FORCE', 'EXECUTIVE'] });
    }
  });

  it('not a deactivated user, whatever their roles: USER_INACTIVE', () => {
    expect(errorOf(() => assertEligibleUser({ id: 'u', active: false, roles: ['TASK_FORCE'] })).code).toBe(IncidentErrorCode.USER_INACTIVE);
  });

  it('not twice at once: ALREADY_MEMBER names the current membership; a past membership does not count', () => {
    const e = errorOf(() => assertNotAlreadyMember('u1', member()));
    expect(e.code).toBe(IncidentErrorCode.ALREADY_MEMBER);
    expect(e.details).toEqual({ userId: 'u1', memberId: 'm1' });
    expect(() => assertNotAlreadyMember('u1', null)).not.toThrow();
    expect(() => assertNotAlreadyMember('u1', member({ leftOn: '2026-08-01' }))).not.toThrow();
  });
});

describe('an ended membership is history', () => {
  it('cannot be changed, removed again or made chief: MEMBER_HAS_LEFT with the day they left', () => {
    const left = member({ leftOn: '2026-08-01' });
    for (const fn of [
      () => assertCurrentMember(left),
      () => assertRoleChange(left, '担当', '新しい担当'),
      () => assertMayBecomeChief(left),
      () => assertMayLeave(left, '2026-08-02', []),
    ]) {
      const e = errorOf(fn);
      expect(e.code).toBe(IncidentErrorCode.MEMBER_HAS_LEFT);
      expect(e.details).toEqual({ memberId: 'm1', leftOn: '2026-08-01' });
    }
  });
});

describe('changing a role', () => {
  it('to a different title is fine; to the same title is refused as a no-op', () => {
    expect(() => assertRoleChange(member(), '法務担当', 'コンプライアンス担当')).not.toThrow();
    expect(errorOf(() => assertRoleChange(member(), '法務担当', '法務担当')).code).toBe(IncidentErrorCode.INVALID_FIELD);
  });
});

describe('designating the chief', () => {
  it('a current non-chief member may become chief; the chief again is ALREADY_CHIEF', () => {
    expect(() => assertMayBecomeChief(member())).not.toThrow();
    expect(errorOf(() => assertMayBecomeChief(member({ isChief: true }))).code).toBe(IncidentErrorCode.ALREADY_CHIEF);
  });
});

describe('leaving the task force', () => {
  it('a member who owns no open countermeasure may leave on or after the day they joined', () => {
    expect(() => assertMayLeave(member(), '2026-07-10', [])).not.toThrow();
    expect(() => assertMayLeave(member(), '2026-09-30', [])).not.toThrow();
  });

  it('not before the day they joined', () => {
    const e = errorOf(() => assertMayLeave(member(), '2026-07-09', []));
    expect(e.code).toBe(IncidentErrorCode.INVALID_FIELD);
    expect(e.details).toEqual({ field: 'leftOn', value: '2026-07-09' });
  });

  it('not while owning open countermeasures: OWNS_OPEN_COUNTERMEASURES lists their keys in order', () => {
    const e = errorOf(() => assertMayLeave(member(), '2026-08-01', [12, 4, 100]));
    expect(e.code).toBe(IncidentErrorCode.OWNS_OPEN_COUNTERMEASURES);
    expect(e.details).toEqual({ memberId: 'm1', userId: 'u1', countermeasures: ['CM-004', 'CM-012', 'CM-100'] });
    expect(e.message).toContain('CM-004, CM-012, CM-100');
  });

  it('not the current chief, even with nothing open: designate a successor first', () => {
    expect(errorOf(() => assertMayLeave(member({ isChief: true }), '2026-08-01', [])).code).toBe(IncidentErrorCode.CHIEF_MUST_BE_REPLACED);
  });
});

describe('countermeasureKeyOf', () => {
  it('pads to three digits and keeps longer numbers whole', () => {
    expect([1, 42, 999, 1000].map(countermeasureKeyOf)).toEqual(['CM-001', 'CM-042', 'CM-999', 'CM-1000']);
  });
});
