import { describe, expect, it } from 'vitest';
import { ALL_PERMISSIONS, hasPermission, Permission, permissionsOf, ROLE_PERMISSIONS } from './permissions';
import { ALL_ROLES, Role, USER_ROLES } from './role';

describe('role → permission map', () => {
  it('defines a permission list for every role, and grants only known permissions', () => {
    expect(Object.keys(ROLE_PERMISSIONS).sort()).toEqual([...ALL_ROLES].sort());
    for (const role of ALL_ROLES) {
      for (const permission of ROLE_PERMISSIONS[role]) {
        expect(ALL_PERMISSIONS).toContain(permission);
      }
    }
  });

  it.each(USER_ROLES)('every signed-in user can read their own account: %s has SELF_READ', (role) => {
    expect(hasPermission([role], Permission.SELF_READ)).toBe(true);
    expect(permissionsOf([role]).has(Permission.SELF_READ)).toBe(true);
  });

  it.each(USER_ROLES)('every user role can list users (to pick owners, see the task force): %s has USERS_READ', (role) => {
    expect(hasPermission([role], Permission.USERS_READ)).toBe(true);
  });

  it.each(ALL_ROLES)('only ADMIN may manage users: USERS_MANAGE for %s', (role) => {
    expect(hasPermission([role], Permission.USERS_MANAGE)).toBe(role === Role.ADMIN);
  });

  it('exactly one role grants USERS_MANAGE, and it is ADMIN', () => {
    const managers = ALL_ROLES.filter((r) => ROLE_PERMISSIONS[r].includes(Permission.USERS_MANAGE));
    expect(managers).toEqual([Role.ADMIN]);
  });
});

describe('the SERVICE role (API keys of the promotion systems)', () => {
  it('grants exactly GATE_READ: whether promotion may run, nothing else (not even SELF_READ)', () => {
    expect(permissionsOf([Role.SERVICE])).toEqual(new Set([Permission.GATE_READ]));
  });

  it('is not a role a user account may hold', () => {
    expect(USER_ROLES).not.toContain(Role.SERVICE);
    expect([...USER_ROLES, Role.SERVICE].sort()).toEqual([...ALL_ROLES].sort());
  });
});

describe('permissionsOf', () => {
  it('gives ADMIN every permission except the audit’s and the executives’ own decisions', () => {
    // Administering the tool gives no say over the audit (review, sign-off, clearance),
    // no evidence to submit of one's own, no risk to accept, no gate to open.
    const withheld: Permission[] = [
      Permission.EVIDENCE_SUBMIT,
      Permission.EVIDENCE_REVIEW,
      Permission.AUDIT_CONDUCT,
      Permission.RISK_ACCEPT,
      Permission.GATE_DECIDE,
      Permission.REMEDIATION_DECIDE,
      Permission.TRAIL_COSIGN,
      // The company's duties to the outside (the PPC reports, the public statements, the hotline) are the
      // executives', the chief's and the legal lead's: administering the tool gives no say in them, nor a read of them.
      Permission.DUTIES_READ,
      Permission.DUTIES_PREPARE,
      Permission.BREACH_REPORTS_FILE,
      Permission.DUTIES_OVERSEE,
      Permission.PROGRESS_PUBLISH,
      Permission.HOTLINE_LOG,
    ];
    expect(permissionsOf([Role.ADMIN])).toEqual(new Set(ALL_PERMISSIONS.filter((p) => !withheld.includes(p))));
  });

  it('gives a user without roles no permission at all', () => {
    expect(permissionsOf([]).size).toBe(0);
  });

  it('unions the permissions of several roles without duplicates', () => {
    expect(permissionsOf([Role.TASK_FORCE, Role.AUDITOR])).toEqual(
      new Set([
        Permission.SELF_READ,
        Permission.SELF_SECURITY,
        Permission.USERS_READ,
        Permission.REMEDIATION_READ,
        Permission.REMEDIATION_WRITE,
        Permission.EVIDENCE_SUBMIT,
        Permission.GATE_READ,
        Permission.AUDIT_TRAIL_READ,
        Permission.EVIDENCE_REVIEW,
        Permission.AUDIT_CONDUCT,
        Permission.NOTIFICATIONS_OWN,
        Permission.REPORTS_READ,
        Permission.TRAIL_CHECKPOINT,
        Permission.TRAIL_COSIGN,
        Permission.BUNDLES_EXPORT,
        Permission.DUTIES_READ,
        Permission.DUTIES_PREPARE,
        Permission.DUTIES_OVERSEE,
        Permission.HOTLINE_LOG,
      ]),
    );
    // Only an auditor reviews, conducts the audit and witnesses the trail, whatever other roles one holds.
    expect(permissionsOf([Role.EXECUTIVE, Role.ADMIN])).toEqual(
      new Set(
        ALL_PERMISSIONS.filter((p) => p !== Permission.EVIDENCE_REVIEW && p !== Permission.AUDIT_CONDUCT && p !== Permission.TRAIL_COSIGN),
      ),
    );
  });

  it('auditors read the remediation plan but never write it', () => {
    expect(hasPermission([Role.AUDITOR], Permission.REMEDIATION_READ)).toBe(true);
    expect(hasPermission([Role.AUDITOR], Permission.REMEDIATION_WRITE)).toBe(false);
  });

  it('the status report (CSV, PDF) is downloaded by executives, auditors and admins; task-force members use the dashboard', () => {
    expect(ALL_ROLES.filter((r) => hasPermission([r], Permission.REPORTS_READ)).sort()).toEqual(['ADMIN', 'AUDITOR', 'EXECUTIVE']);
  });

  it('trail checkpoints and evidence bundles are for auditors, executives and admins; only auditors co-sign; only admins rotate keys', () => {
    const holders = (p: Permission) => ALL_ROLES.filter((r) => hasPermission([r], p)).sort();
    expect(holders(Permission.TRAIL_CHECKPOINT)).toEqual(['ADMIN', 'AUDITOR', 'EXECUTIVE']);
    expect(holders(Permission.BUNDLES_EXPORT)).toEqual(['ADMIN', 'AUDITOR', 'EXECUTIVE']);
    expect(holders(Permission.TRAIL_COSIGN)).toEqual(['AUDITOR']);
    expect(holders(Permission.SIGNING_KEYS_MANAGE)).toEqual(['ADMIN']);
  });

  it('the audit trail is read by auditors, executives and admins, not by task-force members', () => {
    expect(ALL_ROLES.filter((r) => hasPermission([r], Permission.AUDIT_TRAIL_READ)).sort()).toEqual(['ADMIN', 'AUDITOR', 'EXECUTIVE']);
  });

  it('is the union of each role’s own permissions, for every pair of roles', () => {
    for (const a of ALL_ROLES) {
      for (const b of ALL_ROLES) {
        const expected = new Set([...ROLE_PERMISSIONS[a], ...ROLE_PERMISSIONS[b]]);
        expect(permissionsOf([a, b])).toEqual(expected);
      }
    }
  });

  it('grants nothing for a role name it does not know (e.g. a stale role in old data) instead of throwing', () => {
    expect(permissionsOf(['GUEST' as Role]).size).toBe(0);
    expect(permissionsOf(['GUEST' as Role, Role.AUDITOR])).toEqual(new Set(ROLE_PERMISSIONS.AUDITOR));
  });
});

describe('hasPermission', () => {
  it('is granted when any one of the user’s roles grants it', () => {
    expect(hasPermission([Role.AUDITOR, Role.ADMIN], Permission.USERS_MANAGE)).toBe(true);
    expect(hasPermission([Role.ADMIN, Role.AUDITOR], Permission.USERS_MANAGE)).toBe(true);
  });

  it('is refused when none of several roles grants it', () => {
    expect(hasPermission([Role.TASK_FORCE, Role.EXECUTIVE, Role.AUDITOR], Permission.USERS_MANAGE)).toBe(false);
  });

  it('is refused for a user with no roles, even for SELF_READ', () => {
    expect(hasPermission([], Permission.SELF_READ)).toBe(false);
  });
});
