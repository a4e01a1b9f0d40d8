/**
 * Who may sign in through the identity provider, and with which roles: pure functions of the provider's claims,
 * the settings' group-to-role mapping and the account found here. No I/O.
 */
import type { OidcMappedRole } from '@app/common';
import { Role, USER_ROLES } from '../domain/role';
import { ROLES_INCOMPATIBLE_WITH_AUDITOR } from '../domain/user-rules';

/** Why a single sign-on is refused: in the refusal's trail entry, the error's details and the page's address. */
export const SsoRefusalReason = {
  /** The callback's `state` is missing, unknown, expired or already used (a replayed or forged answer). */
  STATE_INVALID: 'STATE_INVALID',
  /** The callback comes from another browser than the one that started the sign-in (its cookie is missing or not this sign-in's). */
  BROWSER_MISMATCH: 'BROWSER_MISMATCH',
  /** The provider's discovery document cannot be read (at the start of a sign-in). */
  PROVIDER_UNAVAILABLE: 'PROVIDER_UNAVAILABLE',
  /** The provider answered with an error (the person cancelled, the provider refused). */
  PROVIDER_ERROR: 'PROVIDER_ERROR',
  /** The provider refused the code (already used, expired, not for this client or verifier). */
  CODE_REJECTED: 'CODE_REJECTED',
  /** The ID token's nonce is not the one this sign-in sent. */
  NONCE_MISMATCH: 'NONCE_MISMATCH',
  /** The ID token has expired (or is not yet valid). */
  ID_TOKEN_EXPIRED: 'ID_TOKEN_EXPIRED',
  /** The ID token or the token answer is otherwise invalid (signature, issuer, audience, missing). */
  TOKEN_INVALID: 'TOKEN_INVALID',
  /** No account here for this person, and OIDC_CREATE_USERS is off (an admin creates the account first). */
  UNKNOWN_USER: 'UNKNOWN_USER',
  /** A new account needs an e-mail the provider says is verified. */
  EMAIL_NOT_VERIFIED: 'EMAIL_NOT_VERIFIED',
  /** The person's groups map to none of the roles their account holds (or, for a new account, to no role). */
  UNMAPPED_GROUP: 'UNMAPPED_GROUP',
  /** The groups map to AUDITOR together with a role the auditor may not hold (for a new account). */
  INCOMPATIBLE_ROLES: 'INCOMPATIBLE_ROLES',
  /** An admin deactivated the account. */
  USER_DEACTIVATED: 'USER_DEACTIVATED',
  /** The one-time code of the hand-off is unknown, expired or already used. */
  HANDOFF_INVALID: 'HANDOFF_INVALID',
} as const;
export type SsoRefusalReason = (typeof SsoRefusalReason)[keyof typeof SsoRefusalReason];

/** The groups a claim lists: an array of strings (others ignored), or one string; anything else: none. */
export function groupsFromClaim(value: unknown): string[] {
  if (typeof value === 'string') return value === '' ? [] : [value];
  if (!Array.isArray(value)) return [];
  return value.filter((g): g is string => typeof g === 'string' && g !== '');
}

/**
 * The roles the person's groups grant under the mapping (OIDC_ROLE_MAPPING, parsed), in the canonical order; never
 * SERVICE (the settings refuse it at start, and it is dropped here should it appear). Group names compare exactly.
 */
export function rolesForGroups(groups: readonly string[], mapping: ReadonlyMap<string, readonly OidcMappedRole[]>): Role[] {
  const granted = new Set<string>();
  for (const group of groups) for (const role of mapping.get(group) ?? []) granted.add(role);
  return USER_ROLES.filter((r) => granted.has(r));
}

export type SsoAccessDecision = { kind: 'SIGN_IN' } | { kind: 'CREATE'; roles: Role[] } | { kind: 'REFUSE'; reason: SsoRefusalReason };

/**
 * May this person sign in? `account`: the account found for them (by subject, else by a verified e-mail), or null.
 * - An existing account keeps the roles an admin gave it; it signs in only while active and while the person's
 *   groups map to every one of those roles (UNMAPPED_GROUP otherwise: the provider no longer puts them in a group
 *   for some work they do here, e.g. removed from the admins' group; an admin then changes the roles, or the
 *   person signs in with the password).
 * - No account: refused unless accounts are created on first sign-in (`createUsers`); then the e-mail must be
 *   verified and the groups must map to at least one role (compatible with each other).
 */
export function decideSsoAccess(input: {
  account: { active: boolean; roles: readonly Role[] } | null;
  mappedRoles: readonly Role[];
  createUsers: boolean;
  emailVerified: boolean;
}): SsoAccessDecision {
  const { account, mappedRoles } = input;
  if (account) {
    if (!account.active) return { kind: 'REFUSE', reason: SsoRefusalReason.USER_DEACTIVATED };
    if (!account.roles.every((r) => mappedRoles.includes(r))) return { kind: 'REFUSE', reason: SsoRefusalReason.UNMAPPED_GROUP };
    return { kind: 'SIGN_IN' };
  }
  if (!input.createUsers) return { kind: 'REFUSE', reason: SsoRefusalReason.UNKNOWN_USER };
  if (!input.emailVerified) return { kind: 'REFUSE', reason: SsoRefusalReason.EMAIL_NOT_VERIFIED };
  const roles = USER_ROLES.filter((r) => mappedRoles.includes(r));
  if (roles.length === 0) return { kind: 'REFUSE', reason: SsoRefusalReason.UNMAPPED_GROUP };
  if (roles.includes(Role.AUDITOR) && roles.some((r) => ROLES_INCOMPATIBLE_WITH_AUDITOR.includes(r))) {
    return { kind: 'REFUSE', reason: SsoRefusalReason.INCOMPATIBLE_ROLES };
  }
  return { kind: 'CREATE', roles };
}
