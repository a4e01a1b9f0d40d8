import { Inject, Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { hasPermission, IdentityError, IdentityErrorCode, type UserEntity } from '@app/identity';
import { ACCESS_RULE, requestOf, type AccessRule } from './access.decorators';

/**
 * The global guard: deny by default. An operation runs only if it is marked
 * @Public, or the caller presents a valid bearer token of an active user whose
 * roles grant the permission named by @Allow.
 */
@Injectable()
export class AccessGuard extends AuthGuard('jwt') {
  constructor(@Inject(Reflector) private readonly reflector: Reflector) {
    super();
  }

  override getRequest(context: ExecutionContext) {
    return requestOf(context);
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (rule?.kind === 'public') return true;
    await super.canActivate(context); // authenticates, or throws UNAUTHENTICATED
    const user = requestOf(context).user as UserEntity;
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

  override handleRequest<T>(err: unknown, user: T, info: unknown): T {
    if (err) throw err;
    if (!user) {
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
