import { IdentityError, IdentityErrorCode } from './identity.errors';
import { Role, USER_ROLES } from './role';

/**
 * Pure rules about accounts. No I/O: the service loads the rows, asks these
 * functions, and writes what they allow.
 */

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

/** E-mail addresses are compared case-insensitively; stored trimmed and lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function assertAcceptablePassword(password: string): void {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH || length > MAX_PASSWORD_LENGTH) {
    throw new IdentityError(
      IdentityErrorCode.WEAK_PASSWORD,
      `A password must have between ${MIN_PASSWORD_LENGTH} and ${MAX_PASSWORD_LENGTH} characters`,
      { min: MIN_PASSWORD_LENGTH, max: MAX_PASSWORD_LENGTH },
    );
  }
}

/**
 * Roles are a set: duplicates collapse, order is canonical, and at least one is
 * required. Only USER_ROLES: SERVICE belongs to API keys, never to a person.
 */
export function normalizeRoles(roles: readonly Role[]): Role[] {
  const set = new Set(roles);
  if (set.size === 0) {
    throw new IdentityError(IdentityErrorCode.NO_ROLES, 'A user needs at least one role');
  }
  const foreign = [...set].filter((r) => !USER_ROLES.includes(r));
  if (foreign.length > 0) {
    throw new IdentityError(
      IdentityErrorCode.ROLE_NOT_FOR_USERS,
      `A user account cannot hold ${foreign.join(', ')}: SERVICE is for the promotion systems' API keys (createApiKey)`,
      { roles: foreign, allowed: [...USER_ROLES] },
    );
  }
  assertCompatibleRoles(set);
  return USER_ROLES.filter((r) => set.has(r));
}

/**
 * Roles an AUDITOR may not hold as well. The auditor is the external firm's
 * independent reviewer: someone who manages the accounts (ADMIN), does the
 * remediation work (TASK_FORCE) or runs the company (EXECUTIVE) would be
 * reviewing and clearing their own side's work. The record-level rules
 * (no self-review, no owner or contributor sign-off) cannot see that.
 */
export const ROLES_INCOMPATIBLE_WITH_AUDITOR: readonly Role[] = [Role.ADMIN, Role.TASK_FORCE, Role.EXECUTIVE];

function assertCompatibleRoles(roles: ReadonlySet<Role>): void {
  if (!roles.has(Role.AUDITOR)) return;
  const clash = ROLES_INCOMPATIBLE_WITH_AUDITOR.filter((r) => roles.has(r));
  if (clash.length > 0) {
    throw new IdentityError(
      IdentityErrorCode.INCOMPATIBLE_ROLES,
      `AUDITOR cannot be held together with ${clash.join(', ')}: the auditor reviews the others' work independently`,
      { roles: [Role.AUDITOR, ...clash] },
    );
  }
}

export interface AccountState {
  id: string;
  roles: readonly Role[];
  active: boolean;
}

/**
 * May `actor` give `target` the roles `next`? Nobody changes their own roles
 * (an admin could otherwise make itself AUDITOR, or drop its own ADMIN), and no
 * change may leave no active admin.
 */
export function assertRoleChangeAllowed(actorId: string, target: AccountState, next: readonly Role[], activeAdminCount: number): void {
  assertNotOwnRoles(actorId, target.id);
  const losesAdmin = target.roles.includes(Role.ADMIN) && !next.includes(Role.ADMIN);
  if (!losesAdmin) return;
  if (target.active && activeAdminCount <= 1) {
    throw new IdentityError(IdentityErrorCode.LAST_ADMIN, 'This is the last active admin; make someone else admin first');
  }
}

/** Nobody changes their own roles, whatever the change: checked before anything about the roles asked for. */
export function assertNotOwnRoles(actorId: string, targetId: string): void {
  if (targetId === actorId) {
    throw new IdentityError(IdentityErrorCode.SELF_ROLE_CHANGE, 'You cannot change your own roles; ask another admin');
  }
}

export function assertDeactivationAllowed(actorId: string, target: AccountState, activeAdminCount: number): void {
  if (!target.active) {
    throw new IdentityError(IdentityErrorCode.ALREADY_IN_STATE, 'This user is already deactivated', { id: target.id });
  }
  if (target.id === actorId) {
    throw new IdentityError(IdentityErrorCode.SELF_LOCKOUT, 'You cannot deactivate your own account');
  }
  if (target.roles.includes(Role.ADMIN) && activeAdminCount <= 1) {
    throw new IdentityError(IdentityErrorCode.LAST_ADMIN, 'This is the last active admin; make someone else admin first');
  }
}

export function assertReactivationAllowed(target: AccountState): void {
  if (target.active) {
    throw new IdentityError(IdentityErrorCode.ALREADY_IN_STATE, 'This user is already active', { id: target.id });
  }
}
