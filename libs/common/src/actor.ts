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
  /**
   * On an operation that signs a record (@StepUp): how and when the user proved a second factor for it, as it
   * goes into the record's hashed payload or its trail entry (`signerProof`). Null: step-up was waived (the demo
   * without DEMO_MFA); absent: the operation signs nothing.
   */
  readonly proof?: SignerProof | null;
}

/**
 * A signer's second-factor proof as a record keeps it: plain JSON, the time as UTC ISO-8601 with milliseconds,
 * `amr`/`acr` as the identity provider stated them (SSO only, else null). The same shape as
 * `SecondFactorProofRecord` of @app/identity (which this context cannot import; it owns the methods' names).
 */
export interface SignerProof {
  /** TOTP, RECOVERY_CODE, PASSKEY or SSO. */
  method: string;
  at: string;
  amr: string[] | null;
  acr: string | null;
}

/** A proof as the session holds it (`SecondFactorProof` of @app/identity). */
export interface ProvedFactor {
  method: string;
  at: Date;
  amr?: readonly string[] | null;
  acr?: string | null;
}

export const Actor = {
  /** A signed-in user; with `proof` (even null) when the operation signs a record (see `Actor.proof`). */
  user(user: { id: string; email: string; roles: readonly string[] }, proof?: ProvedFactor | null): Actor {
    const actor: Actor = { id: user.id, label: user.email, roles: [...user.roles] };
    return proof === undefined ? actor : { ...actor, proof: proof && signerProof(proof) };
  },
  system(what: string): Actor {
    return { id: null, label: `system:${what}`, roles: [] };
  },
};

/** The proof as a record keeps it (plain JSON, ISO time, no undefined). */
export function signerProof(proof: ProvedFactor): SignerProof {
  return { method: proof.method, at: proof.at.toISOString(), amr: proof.amr ? [...proof.amr] : null, acr: proof.acr ?? null };
}

/** What a signed record keeps of its signer's proof: the proof, or null (none given: waived, or the system). */
export function signerProofOf(actor: Pick<Actor, 'proof'>): SignerProof | null {
  return actor.proof ?? null;
}

/** The system itself (start-up, the demo loader, a CLI command, a job): it has no id, and rules let it do what it is asked. */
export function isSystem(actor: Pick<Actor, 'id'>): boolean {
  return actor.id === null;
}
