import { describe, expect, it } from 'vitest';
import { parseOidcRoleMapping, type OidcMappedRole } from '@app/common';
import { Role } from '../domain/role';
import { decideSsoAccess, groupsFromClaim, rolesForGroups, SsoRefusalReason } from './sso-access';

function mapping(text: string): ReadonlyMap<string, readonly OidcMappedRole[]> {
  const parsed = parseOidcRoleMapping(text);
  if (!('mapping' in parsed)) throw new Error(parsed.problem);
  return parsed.mapping;
}

describe('OIDC_ROLE_MAPPING', () => {
  it('reads group=ROLE pairs; a group may grant several roles; spaces and case of the role do not matter', () => {
    const m = mapping(' tracker-auditors=AUDITOR , tracker-executives=executive,board=EXECUTIVE,board=ADMIN,');
    expect([...m.entries()]).toEqual([
      ['tracker-auditors', ['AUDITOR']],
      ['tracker-executives', ['EXECUTIVE']],
      ['board', ['EXECUTIVE', 'ADMIN']],
    ]);
  });

  it('an empty mapping maps nothing', () => {
    expect(mapping('').size).toBe(0);
  });

  it.each([
    ['ci-bots=SERVICE', /SERVICE belongs to API keys/],
    ['tracker=OWNER', /OWNER is not one of ADMIN, TASK_FORCE, EXECUTIVE, AUDITOR/],
    ['tracker-auditors', /not group=ROLE/],
    ['=AUDITOR', /not group=ROLE/],
    ['tracker=', /\(empty\) is not one of/],
  ])('refuses %s', (text, problem) => {
    const parsed = parseOidcRoleMapping(text);
    expect('problem' in parsed && parsed.problem).toMatch(problem);
  });
});

describe('groupsFromClaim', () => {
  it('takes the strings of an array, or one string; nothing else', () => {
    expect(groupsFromClaim(['a', 2, '', 'b', null])).toEqual(['a', 'b']);
    expect(groupsFromClaim('監査チーム')).toEqual(['監査チーム']);
    expect(groupsFromClaim(undefined)).toEqual([]);
    expect(groupsFromClaim({ a: 1 })).toEqual([]);
  });
});

describe('rolesForGroups', () => {
  const m = mapping('tracker-auditors=AUDITOR,tracker-executives=EXECUTIVE,board=EXECUTIVE,board=ADMIN,監査=AUDITOR');

  it('grants the union of the roles of the known groups, in canonical order, unknown groups ignored', () => {
    expect(rolesForGroups(['board', 'tracker-executives', 'everyone'], m)).toEqual([Role.ADMIN, Role.EXECUTIVE]);
    expect(rolesForGroups(['監査'], m)).toEqual([Role.AUDITOR]);
    expect(rolesForGroups(['everyone'], m)).toEqual([]);
  });

  it('compares group names exactly (no case folding: Tracker-Auditors is another group)', () => {
    expect(rolesForGroups(['Tracker-Auditors'], m)).toEqual([]);
  });

  it('never grants SERVICE even if a map held it', () => {
    const forged = new Map([['bots', ['SERVICE' as OidcMappedRole, 'AUDITOR' as OidcMappedRole]]]);
    expect(rolesForGroups(['bots'], forged)).toEqual([Role.AUDITOR]);
  });
});

describe('decideSsoAccess', () => {
  const base = { createUsers: false, emailVerified: true };

  it('an active account whose groups map to all of its roles signs in, keeping its own roles', () => {
    const account = { active: true, roles: [Role.TASK_FORCE, Role.EXECUTIVE] };
    expect(decideSsoAccess({ ...base, account, mappedRoles: [Role.EXECUTIVE, Role.TASK_FORCE] })).toEqual({ kind: 'SIGN_IN' });
    // One of the account's roles no longer backed by the provider's groups (taken out of the executives' group).
    expect(decideSsoAccess({ ...base, account, mappedRoles: [Role.TASK_FORCE] })).toEqual({
      kind: 'REFUSE',
      reason: SsoRefusalReason.UNMAPPED_GROUP,
    });
  });

  it('an account whose groups map to none of its roles is refused (UNMAPPED_GROUP), even if they map to another', () => {
    const account = { active: true, roles: [Role.TASK_FORCE] };
    expect(decideSsoAccess({ ...base, account, mappedRoles: [Role.ADMIN] })).toEqual({
      kind: 'REFUSE',
      reason: SsoRefusalReason.UNMAPPED_GROUP,
    });
    expect(decideSsoAccess({ ...base, account, mappedRoles: [] })).toEqual({ kind: 'REFUSE', reason: SsoRefusalReason.UNMAPPED_GROUP });
  });

  it('a deactivated account is refused whatever its groups', () => {
    const account = { active: false, roles: [Role.AUDITOR] };
    expect(decideSsoAccess({ ...base, account, mappedRoles: [Role.AUDITOR] })).toEqual({
      kind: 'REFUSE',
      reason: SsoRefusalReason.USER_DEACTIVATED,
    });
  });

  it('no account: refused unless accounts are created on first sign-in', () => {
    expect(decideSsoAccess({ ...base, account: null, mappedRoles: [Role.AUDITOR] })).toEqual({
      kind: 'REFUSE',
      reason: SsoRefusalReason.UNKNOWN_USER,
    });
  });

  it('no account, creation on: created with the mapped roles', () => {
    expect(decideSsoAccess({ ...base, createUsers: true, account: null, mappedRoles: [Role.EXECUTIVE, Role.TASK_FORCE] })).toEqual({
      kind: 'CREATE',
      roles: [Role.TASK_FORCE, Role.EXECUTIVE],
    });
  });

  it('no account, creation on: refused without a verified e-mail, without a mapped role, or with AUDITOR and a role it may not hold', () => {
    const c = { createUsers: true, account: null };
    expect(decideSsoAccess({ ...c, emailVerified: false, mappedRoles: [Role.AUDITOR] })).toEqual({
      kind: 'REFUSE',
      reason: SsoRefusalReason.EMAIL_NOT_VERIFIED,
    });
    expect(decideSsoAccess({ ...c, emailVerified: true, mappedRoles: [] })).toEqual({
      kind: 'REFUSE',
      reason: SsoRefusalReason.UNMAPPED_GROUP,
    });
    expect(decideSsoAccess({ ...c, emailVerified: true, mappedRoles: [Role.AUDITOR, Role.EXECUTIVE] })).toEqual({
      kind: 'REFUSE',
      reason: SsoRefusalReason.INCOMPATIBLE_ROLES,
    });
  });
});
