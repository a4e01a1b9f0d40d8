/**
 * Who did something: a signed-in user, or the system itself (start-up, the
 * demo loader, a CLI command, a scheduled job). Every change names its actor,
 * and the audit trail records it. Record-level rules read the roles.
 */
export interface Actor {
  /** The user's id; null for the system. */
  readonly id: string | null;
  /** The user's e-mail, or `system:<what>`. */
  readonly label: string;
  /** The user's roles (ADMIN, TASK_FORCE, ...); none for the system. */
  readonly roles: readonly string[];
}

export const Actor = {
  user(user: { id: string; email: string; roles: readonly string[] }): Actor {
    return { id: user.id, label: user.email, roles: [...user.roles] };
  },
  system(what: string): Actor {
    return { id: null, label: `system:${what}`, roles: [] };
  },
};

/** The system itself (start-up, the demo loader, a CLI command, a job): it has no id, and rules let it do what it is asked. */
export function isSystem(actor: Pick<Actor, 'id'>): boolean {
  return actor.id === null;
}
