import { Inject, Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { hasPermission, IdentityError, IdentityErrorCode } from '@app/identity';
import { ACCESS_RULE, requestOf, type AccessRule } from './access.decorators';

/** The Passport strategies that authenticate a bearer credential (also run at a WebSocket connection). */
export const BEARER_STRATEGIES: readonly string[] = ['jwt', 'api-key'];

/**
 * The global guard: deny by default. An operation runs only if it is marked
 * @Public, or the caller presents a valid bearer credential whose roles grant
 * the permission named by @Allow: the access token of an active user (the
 * `jwt` strategy), or else a promotion system's API key (`api-key`, role
 * SERVICE, which grants GATE_READ only).
 */
@Injectable()
export class AccessGuard extends AuthGuard([...BEARER_STRATEGIES]) {
  constructor(@Inject(Reflector) private readonly reflector: Reflector) {
    super();
  }

  override getRequest(context: ExecutionContext) {
    return requestOf(context);
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, [context.getHandler(), context.getClass()]);
    if (rule?.kind === 'public') return true;
    await super.canActivate(context); // authenticates, or throws UNAUTHENTICATED
    const user = requestOf(context).user!;
    if (!rule) {
      throw new IdentityError(IdentityErrorCode.PERMISSION_DENIED, 'This operation declares no access rule; it is closed to everyone');
    }
    if (!hasPermission(user.roles, rule.permission)) {
      throw new IdentityError(
        IdentityErrorCode.PERMISSION_DENIED,
        `Your roles (${user.roles.join(', ')}) do not allow this (needs ${rule.permission})`,
        { permission: rule.permission },
      );
    }
    return true;
  }

  override handleRequest<T>(err: unknown, user: T, infos: unknown): T {
    if (err) throw err;
    if (!user) {
      // Both strategies failed: passport gives one answer per strategy; the JWT's comes first
      // (the API-key strategy fails quietly unless a key was presented, and then it throws).
      const info: unknown = Array.isArray(infos) ? infos[0] : infos;
      const why =
        info instanceof Error
          ? info.name === 'TokenExpiredError'
            ? 'The access token has expired; sign in again'
            : info.message === 'No auth token'
              ? 'Sign in first: send Authorization: Bearer <accessToken>'
              : 'The access token is not valid'
          : 'Sign in first: send Authorization: Bearer <accessToken>';
      throw new IdentityError(IdentityErrorCode.INVALID_TOKEN, why);
    }
    return user;
  }
}
