/**
 * Who did something: a signed-in user, or the system itself (start-up, the
 * demo loader, a CLI command, a scheduled job). Every change names its actor,
 * and the audit trail records it.
 */
export interface Actor {
  /** The user's id; null for the system. */
  readonly id: string | null;
  /** The user's e-mail, or `system:<what>`. */
  readonly label: string;
}

export const Actor = {
  user(user: { id: string; email: string }): Actor {
    return { id: user.id, label: user.email };
  },
  system(what: string): Actor {
    return { id: null, label: `system:${what}` };
  },
};
