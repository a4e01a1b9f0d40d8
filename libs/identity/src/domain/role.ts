/** The kinds of user of the tracker. A user may hold several. */
export const Role = {
  /** Manages users (and, later, service accounts and system settings). */
  ADMIN: 'ADMIN',
  /** Task-force member: owns countermeasures, moves them, attaches evidence. */
  TASK_FORCE: 'TASK_FORCE',
  /** Executive, including the president who chairs the task force. */
  EXECUTIVE: 'EXECUTIVE',
  /** External auditor of the security firm: reviews evidence, signs off, clears the audit. */
  AUDITOR: 'AUDITOR',
  /**
   * A promotion system's API key (not a person): reads the promotion gates and
   * nothing else. Only API keys hold it; no user account can.
   */
  SERVICE: 'SERVICE',
} as const;
export type Role = (typeof Role)[keyof typeof Role];
export const ALL_ROLES: readonly Role[] = Object.values(Role);
/** The roles a user account may hold (SERVICE belongs to API keys only). */
export const USER_ROLES: readonly Role[] = ALL_ROLES.filter((r) => r !== Role.SERVICE);

export function isRole(value: string): value is Role {
  return (ALL_ROLES as readonly string[]).includes(value);
}
