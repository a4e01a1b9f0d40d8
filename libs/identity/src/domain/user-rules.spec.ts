import { describe, expect, it } from 'vitest';
import { IdentityError, IdentityErrorCode } from './identity.errors';
import { Role, USER_ROLES } from './role';
import {
  type AccountState,
  assertAcceptablePassword,
  assertDeactivationAllowed,
  assertReactivationAllowed,
  assertRoleChangeAllowed,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  normalizeEmail,
  normalizeRoles,
} from './user-rules';

/** Runs `fn`, which must throw an IdentityError, and returns that error. */
function identityErrorOf(fn: () => unknown): IdentityError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(IdentityError);
    return err as IdentityError;
  }
  throw new Error('expected an IdentityError, but nothing was thrown');
}

const ACTOR = 'actor-admin-id';
const OTHER = 'other-user-id';

function account(id: string, roles: readonly Role[], active = true): AccountState {
  return { id, roles, active };
}

describe('normalizeEmail', () => {
  it('stores e-mails trimmed and lower-cased, so "Hanako@Example.JP " and "hanako@example.jp" are one account', () => {
    expect(normalizeEmail('  Suzuki.Hanako@Example.CO.JP \n')).toBe('suzuki.hanako@example.co.jp');
    expect(normalizeEmail('\tADMIN@EXAMPLE.COM')).toBe('admin@example.com');
  });

  it('leaves an already-normal address unchanged (idempotent)', () => {
    const once = normalizeEmail(' Mixed.Case@Example.org ');
    expect(normalizeEmail(once)).toBe(once);
    expect(normalizeEmail('plain@example.org')).toBe('plain@example.org');
  });

  it('keeps non-ASCII (Japanese) parts of an address intact', () => {
    expect(normalizeEmail(' 山田.Taro@例え.JP ')).toBe('山田.taro@例え.jp');
  });
});

describe('assertAcceptablePassword', () => {
  it('uses 12..256 as the accepted length range', () => {
    expect(MIN_PASSWORD_LENGTH).toBe(12);
    expect(MAX_PASSWORD_LENGTH).toBe(256);
  });

  it('refuses a password one character shorter than the minimum with WEAK_PASSWORD and tells the limits', () => {
    const err = identityErrorOf(() => assertAcceptablePassword('a'.repeat(MIN_PASSWORD_LENGTH - 1)));
    expect(err.code).toBe(IdentityErrorCode.WEAK_PASSWORD);
    expect(err.details).toEqual({ min: MIN_PASSWORD_LENGTH, max: MAX_PASSWORD_LENGTH });
  });

  it('refuses an empty password', () => {
    expect(identityErrorOf(() => assertAcceptablePassword('')).code).toBe(IdentityErrorCode.WEAK_PASSWORD);
  });

  it('accepts passwords of exactly the minimum and exactly the maximum length', () => {
    expect(() => assertAcceptablePassword('a'.repeat(MIN_PASSWORD_LENGTH))).not.toThrow();
    expect(() => assertAcceptablePassword('a'.repeat(MAX_PASSWORD_LENGTH))).not.toThrow();
  });

  it('refuses a password one character longer than the maximum', () => {
    const err = identityErrorOf(() => assertAcceptablePassword('a'.repeat(MAX_PASSWORD_LENGTH + 1)));
    expect(err.code).toBe(IdentityErrorCode.WEAK_PASSWORD);
  });

  it('accepts a Japanese passphrase of 14 characters', () => {
    const password = 'パスワードは十二文字以上です';
    expect([...password]).toHaveLength(14);
    expect(() => assertAcceptablePassword(password)).not.toThrow();
  });

  it('counts Japanese characters one each: 11 kanji/kana are refused, 12 accepted', () => {
    expect(identityErrorOf(() => assertAcceptablePassword('十二文字未満のパスワー')).code).toBe(IdentityErrorCode.WEAK_PASSWORD);
    expect(() => assertAcceptablePassword('十二文字ちょうどのパスワ')).not.toThrow();
    expect([...'十二文字未満のパスワー']).toHaveLength(11);
    expect([...'十二文字ちょうどのパスワ']).toHaveLength(12);
  });

  it('counts an emoji as one character, not two UTF-16 units: 6 emoji (12 units) are too short', () => {
    const sixEmoji = '😀🔒🐱🍣🎌🐼';
    expect(sixEmoji.length).toBe(12);
    expect([...sixEmoji]).toHaveLength(6);
    expect(identityErrorOf(() => assertAcceptablePassword(sixEmoji)).code).toBe(IdentityErrorCode.WEAK_PASSWORD);
  });

  it('accepts 12 emoji and 256 emoji (512 UTF-16 units), but refuses 257 emoji', () => {
    expect(() => assertAcceptablePassword('🔐'.repeat(12))).not.toThrow();
    expect(() => assertAcceptablePassword('🔐'.repeat(MAX_PASSWORD_LENGTH))).not.toThrow();
    expect(identityErrorOf(() => assertAcceptablePassword('🔐'.repeat(MAX_PASSWORD_LENGTH + 1))).code).toBe(
      IdentityErrorCode.WEAK_PASSWORD,
    );
  });

  it('counts a mixed Japanese + emoji passphrase by characters: 11 refused (14 UTF-16 units), 12 accepted', () => {
    const eleven = '猫🐱が好き🍣と寿司🎌で';
    const twelve = '猫🐱が好き🍣と寿司🎌です';
    expect([eleven.length, [...eleven].length]).toEqual([14, 11]);
    expect([...twelve]).toHaveLength(12);
    expect(identityErrorOf(() => assertAcceptablePassword(eleven)).code).toBe(IdentityErrorCode.WEAK_PASSWORD);
    expect(() => assertAcceptablePassword(twelve)).not.toThrow();
  });
});

describe('normalizeRoles', () => {
  it('returns roles in the canonical order ADMIN, TASK_FORCE, EXECUTIVE, AUDITOR whatever the input order', () => {
    expect(normalizeRoles([Role.EXECUTIVE, Role.ADMIN])).toEqual([Role.ADMIN, Role.EXECUTIVE]);
    expect(normalizeRoles([Role.EXECUTIVE, Role.TASK_FORCE, Role.ADMIN])).toEqual([Role.ADMIN, Role.TASK_FORCE, Role.EXECUTIVE]);
    expect(normalizeRoles([Role.EXECUTIVE, Role.TASK_FORCE])).toEqual([Role.TASK_FORCE, Role.EXECUTIVE]);
  });

  it('collapses duplicates: a role is held once', () => {
    expect(normalizeRoles([Role.TASK_FORCE, Role.TASK_FORCE, Role.EXECUTIVE, Role.TASK_FORCE])).toEqual([Role.TASK_FORCE, Role.EXECUTIVE]);
    expect(normalizeRoles([Role.ADMIN, Role.ADMIN])).toEqual([Role.ADMIN]);
  });

  it('keeps a single role as it is', () => {
    expect(normalizeRoles([Role.AUDITOR])).toEqual([Role.AUDITOR]);
  });

  it("refuses SERVICE (the API keys' role) with ROLE_NOT_FOR_USERS, alone or with other roles", () => {
    for (const roles of [[Role.SERVICE], [Role.ADMIN, Role.SERVICE]]) {
      const err = identityErrorOf(() => normalizeRoles(roles));
      expect(err.code).toBe(IdentityErrorCode.ROLE_NOT_FOR_USERS);
      expect(err.details).toEqual({ roles: [Role.SERVICE], allowed: ['ADMIN', 'TASK_FORCE', 'EXECUTIVE', 'AUDITOR'] });
    }
  });

  it('refuses AUDITOR together with ADMIN, TASK_FORCE or EXECUTIVE with INCOMPATIBLE_ROLES, naming the clash', () => {
    for (const other of [Role.ADMIN, Role.TASK_FORCE, Role.EXECUTIVE]) {
      const err = identityErrorOf(() => normalizeRoles([other, Role.AUDITOR]));
      expect(err.code).toBe(IdentityErrorCode.INCOMPATIBLE_ROLES);
      expect(err.details).toEqual({ roles: [Role.AUDITOR, other] });
    }
    expect(identityErrorOf(() => normalizeRoles([...USER_ROLES].reverse())).details).toEqual({
      roles: [Role.AUDITOR, Role.ADMIN, Role.TASK_FORCE, Role.EXECUTIVE],
    });
    expect(normalizeRoles([Role.AUDITOR, Role.AUDITOR])).toEqual([Role.AUDITOR]);
  });

  it('refuses an empty role list with NO_ROLES: every user needs at least one role', () => {
    expect(identityErrorOf(() => normalizeRoles([])).code).toBe(IdentityErrorCode.NO_ROLES);
  });

  it('does not modify the caller’s array', () => {
    const input = [Role.EXECUTIVE, Role.ADMIN, Role.EXECUTIVE];
    normalizeRoles(input);
    expect(input).toEqual([Role.EXECUTIVE, Role.ADMIN, Role.EXECUTIVE]);
  });
});

describe('assertRoleChangeAllowed', () => {
  it('refuses an admin removing their own ADMIN role with SELF_ROLE_CHANGE, even when other admins exist', () => {
    const self = account(ACTOR, [Role.ADMIN, Role.TASK_FORCE]);
    const err = identityErrorOf(() => assertRoleChangeAllowed(ACTOR, self, [Role.TASK_FORCE], 5));
    expect(err.code).toBe(IdentityErrorCode.SELF_ROLE_CHANGE);
  });

  it('reports SELF_ROLE_CHANGE (not LAST_ADMIN) when the sole admin tries to demote themself', () => {
    const self = account(ACTOR, [Role.ADMIN]);
    expect(identityErrorOf(() => assertRoleChangeAllowed(ACTOR, self, [Role.EXECUTIVE], 1)).code).toBe(IdentityErrorCode.SELF_ROLE_CHANGE);
  });

  it("refuses any change of one's own roles, even one that keeps ADMIN (no self-promotion, e.g. to AUDITOR or EXECUTIVE)", () => {
    const self = account(ACTOR, [Role.ADMIN, Role.TASK_FORCE]);
    for (const next of [[Role.ADMIN, Role.EXECUTIVE], [Role.ADMIN], [Role.ADMIN, Role.TASK_FORCE], [Role.AUDITOR]]) {
      expect(identityErrorOf(() => assertRoleChangeAllowed(ACTOR, self, next, 3)).code).toBe(IdentityErrorCode.SELF_ROLE_CHANGE);
    }
  });

  it('refuses removing ADMIN from the last active admin with LAST_ADMIN', () => {
    const lastAdmin = account(OTHER, [Role.ADMIN]);
    const err = identityErrorOf(() => assertRoleChangeAllowed(ACTOR, lastAdmin, [Role.AUDITOR], 1));
    expect(err.code).toBe(IdentityErrorCode.LAST_ADMIN);
  });

  it('refuses the demotion with LAST_ADMIN also when the count is (defensively) zero', () => {
    const admin = account(OTHER, [Role.ADMIN]);
    expect(identityErrorOf(() => assertRoleChangeAllowed(ACTOR, admin, [Role.AUDITOR], 0)).code).toBe(IdentityErrorCode.LAST_ADMIN);
  });

  it('allows removing ADMIN from another admin when at least one other active admin remains', () => {
    const otherAdmin = account(OTHER, [Role.ADMIN, Role.EXECUTIVE]);
    expect(() => assertRoleChangeAllowed(ACTOR, otherAdmin, [Role.EXECUTIVE], 2)).not.toThrow();
  });

  it('allows removing ADMIN from a deactivated admin even if only one active admin exists (no active admin is lost)', () => {
    const inactiveAdmin = account(OTHER, [Role.ADMIN], false);
    expect(() => assertRoleChangeAllowed(ACTOR, inactiveAdmin, [Role.AUDITOR], 1)).not.toThrow();
  });

  it('allows any change for a user who is not an admin, including promotion to ADMIN', () => {
    const member = account(OTHER, [Role.TASK_FORCE]);
    expect(() => assertRoleChangeAllowed(ACTOR, member, [Role.AUDITOR], 1)).not.toThrow();
    expect(() => assertRoleChangeAllowed(ACTOR, member, [Role.ADMIN, Role.TASK_FORCE], 1)).not.toThrow();
  });

  it('allows keeping ADMIN on the last admin while changing their other roles', () => {
    const lastAdmin = account(OTHER, [Role.ADMIN]);
    expect(() => assertRoleChangeAllowed(ACTOR, lastAdmin, [Role.ADMIN, Role.EXECUTIVE], 1)).not.toThrow();
  });
});

describe('assertDeactivationAllowed', () => {
  it('refuses deactivating an already deactivated user with ALREADY_IN_STATE and names the user', () => {
    const inactive = account(OTHER, [Role.TASK_FORCE], false);
    const err = identityErrorOf(() => assertDeactivationAllowed(ACTOR, inactive, 3));
    expect(err.code).toBe(IdentityErrorCode.ALREADY_IN_STATE);
    expect(err.details).toEqual({ id: OTHER });
  });

  it('refuses an admin deactivating their own account with SELF_LOCKOUT, even when other admins exist', () => {
    const self = account(ACTOR, [Role.ADMIN]);
    expect(identityErrorOf(() => assertDeactivationAllowed(ACTOR, self, 3)).code).toBe(IdentityErrorCode.SELF_LOCKOUT);
  });

  it('refuses deactivating the last active admin with LAST_ADMIN', () => {
    const lastAdmin = account(OTHER, [Role.ADMIN, Role.EXECUTIVE]);
    expect(identityErrorOf(() => assertDeactivationAllowed(ACTOR, lastAdmin, 1)).code).toBe(IdentityErrorCode.LAST_ADMIN);
  });

  it('allows deactivating another admin when another active admin remains', () => {
    const otherAdmin = account(OTHER, [Role.ADMIN]);
    expect(() => assertDeactivationAllowed(ACTOR, otherAdmin, 2)).not.toThrow();
  });

  it('allows deactivating an active non-admin user regardless of the admin count', () => {
    const auditor = account(OTHER, [Role.AUDITOR]);
    expect(() => assertDeactivationAllowed(ACTOR, auditor, 1)).not.toThrow();
    expect(() => assertDeactivationAllowed(ACTOR, auditor, 0)).not.toThrow();
  });
});

describe('assertReactivationAllowed', () => {
  it('refuses reactivating an active user with ALREADY_IN_STATE and names the user', () => {
    const err = identityErrorOf(() => assertReactivationAllowed(account(OTHER, [Role.EXECUTIVE], true)));
    expect(err.code).toBe(IdentityErrorCode.ALREADY_IN_STATE);
    expect(err.details).toEqual({ id: OTHER });
  });

  it('allows reactivating a deactivated user, admins included', () => {
    expect(() => assertReactivationAllowed(account(OTHER, [Role.EXECUTIVE], false))).not.toThrow();
    expect(() => assertReactivationAllowed(account(OTHER, [Role.ADMIN], false))).not.toThrow();
  });
});

describe('IdentityError raised by the rules', () => {
  it('carries the identity context and its class name, so the API layer can map it', () => {
    const err = identityErrorOf(() => normalizeRoles([]));
    expect(err.context).toBe('identity');
    expect(err.name).toBe('IdentityError');
  });
});
