import { Logger } from '@nestjs/common';
import passport from 'passport';
import { DomainError } from '@app/common';
import type { ApiKeyPrincipal, UserEntity } from '@app/identity';
import type { RequestWithUser } from '../auth/access.decorators';
import { BEARER_STRATEGIES } from '../auth/access.guard';

/** A signed-in user (JWT) or a promotion system (API key). */
export type Principal = UserEntity | ApiKeyPrincipal;

export type ConnectionAuthentication =
  /** `sessionId`: the session a user's access token names (none for an API key). */
  | { ok: true; principal: Principal; authorization: string; sessionId: string | null }
  /** `transient`: the check itself failed (e.g. the database is away), not the credential. */
  | { ok: false; reason: string; transient?: boolean };

const HOW_TO = 'send connectionParams { authorization: "Bearer <accessToken>" }';

/**
 * Authenticates a GraphQL-over-WebSocket connection from its
 * `connectionParams.authorization` (`Bearer <jwt>` or `Bearer rtk_...`, an API
 * key), through the same Passport strategies as the AccessGuard
 * (BEARER_STRATEGIES): the token is verified and the user reloaded, so a
 * deactivated user (or a revoked key) is refused. The reason given on refusal
 * says what to do and nothing else (no token, no user id, no internal detail).
 * A plain class: Passport's strategies are registered globally by their providers.
 */
export class ConnectionAuthenticator {
  private readonly logger = new Logger(ConnectionAuthenticator.name);

  async authenticate(connectionParams: Readonly<Record<string, unknown>> | undefined): Promise<ConnectionAuthentication> {
    const raw = connectionParams?.['authorization'] ?? connectionParams?.['Authorization'];
    if (typeof raw !== 'string' || raw.trim() === '') return { ok: false, reason: `Sign in first: ${HOW_TO}` };
    const authorization = raw.trim();
    if (!/^Bearer\s+\S+$/i.test(authorization)) return { ok: false, reason: `Malformed authorization: ${HOW_TO}` };
    const req: RequestWithUser = { headers: { authorization } };
    try {
      const principal = await runStrategies(req);
      return principal
        ? { ok: true, principal, authorization, sessionId: req.authSession?.id ?? null }
        : { ok: false, reason: 'The access token is not valid' };
    } catch (err) {
      if (err instanceof DomainError) return { ok: false, reason: err.message };
      if (err instanceof Error && err.name === 'TokenExpiredError')
        return { ok: false, reason: 'The access token has expired; sign in again' };
      this.logger.error(`connection authentication failed: ${err instanceof Error ? err.stack : String(err)}`);
      return { ok: false, reason: 'Try again later', transient: true };
    }
  }
}

/** Runs the strategies as `AuthGuard` does (no session); resolves the principal, or null when every strategy failed. */
function runStrategies(req: RequestWithUser): Promise<Principal | null> {
  return new Promise((resolve, reject) => {
    const middleware = passport.authenticate([...BEARER_STRATEGIES], { session: false }, (err: unknown, user: unknown, info: unknown) => {
      if (err) return reject(err);
      // With several strategies Passport hands over one `info` per strategy.
      const expired = [info].flat().find((i) => i instanceof Error && i.name === 'TokenExpiredError');
      if (!user) return expired ? reject(expired) : resolve(null);
      resolve(user as Principal);
    }) as (req: unknown, res: unknown, next: (err?: unknown) => void) => void;
    middleware(req, {}, (err) => (err ? reject(err) : resolve(null)));
  });
}
