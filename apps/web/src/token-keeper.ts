import type { Session } from './session';

/** What asking the server for the next tokens gave: the renewed session, a refusal (sign in again), or no answer. */
export type RenewalOutcome = { kind: 'renewed'; session: Session } | { kind: 'refused'; code: string } | { kind: 'unreachable' };

/** The credential was refused: the session cannot go on (the page goes back to the sign-in form). */
export class SessionEndedError extends Error {
  constructor(readonly code: string) {
    super(`the session ended (${code})`);
  }
}

export interface TokenKeeperDeps {
  /** refreshSession(refreshToken) with the server. */
  renew: (refreshToken: string) => Promise<RenewalOutcome>;
  /** Called with every renewed session, before anyone uses its tokens (saved at once: the refresh token works once). */
  onRenewed: (session: Session) => void;
  /** Called once when a renewal is refused. */
  onEnded: (code: string) => void;
  now?: () => number;
  /** Renew this long before the access token expires (default one minute). */
  marginMs?: number;
}

/**
 * Keeps the session's access token usable. Before a request, `token()` gives
 * the current access token, or renews it first when it expires within the
 * margin. `renew()` after the server refused a token that looked valid.
 *
 * One renewal at a time: the refresh token is single use, and the server ends
 * the whole session when one is used twice; so every request that needs a
 * renewal while one runs waits for that one and uses its answer.
 *
 * Renewals happen on demand, never on a timer: a tab left alone still meets
 * the server's idle limit on the refresh token.
 */
export class TokenKeeper {
  private session: Session;
  private renewing: Promise<string> | null = null;
  private ended: string | null = null;
  private readonly now: () => number;
  private readonly marginMs: number;

  constructor(
    session: Session,
    private readonly deps: TokenKeeperDeps,
  ) {
    this.session = session;
    this.now = deps.now ?? (() => Date.now());
    this.marginMs = deps.marginMs ?? 60_000;
  }

  /** The session as last signed in or renewed. */
  get current(): Session {
    return this.session;
  }

  /** Whether the access token expires within the margin (or has). */
  needsRenewal(): boolean {
    return Date.parse(this.session.expiresAt) - this.now() <= this.marginMs;
  }

  /** Replaces the session without a renewal (its state changed: a second factor was proved). */
  update(session: Session): void {
    this.session = session;
  }

  /** The access token to send now, renewed first when it is about to expire. */
  async token(): Promise<string> {
    if (this.ended) throw new SessionEndedError(this.ended);
    if (this.renewing) return this.renewing;
    if (this.needsRenewal()) return this.renew();
    return this.session.token;
  }

  /**
   * Renews the tokens (joining a renewal under way). `refusedToken`: the token the server just refused; if the
   * session has been renewed since that request left, its newer token is used without renewing again.
   */
  renew(refusedToken?: string): Promise<string> {
    if (this.ended) return Promise.reject(new SessionEndedError(this.ended));
    if (this.renewing) return this.renewing;
    if (refusedToken !== undefined && refusedToken !== this.session.token) return Promise.resolve(this.session.token);
    const used = this.session.refreshToken;
    const run = (async () => {
      const outcome = await this.deps.renew(used);
      if (outcome.kind === 'renewed') {
        this.session = outcome.session;
        this.deps.onRenewed(outcome.session);
        return outcome.session.token;
      }
      if (outcome.kind === 'refused') {
        this.ended = outcome.code;
        this.deps.onEnded(outcome.code);
        throw new SessionEndedError(outcome.code);
      }
      throw new Error('The server did not answer the renewal of the session');
    })();
    this.renewing = run;
    const clear = () => {
      if (this.renewing === run) this.renewing = null;
    };
    run.then(clear, clear);
    return run;
  }
}

let active: TokenKeeper | null = null;

/** The signed-in page's keeper, for the requests made outside the GraphQL client (downloads with the bearer token). */
export function setActiveKeeper(keeper: TokenKeeper | null): void {
  active = keeper;
}

/** A usable access token of the signed-in session (renewed if needed), or null when signed out. */
export async function freshAccessToken(): Promise<string | null> {
  return active ? active.token() : null;
}
