import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { IdentityError, IdentityErrorCode, isApiKeyPrincipal, type ApiKeyPrincipal, type Permission, type UserEntity } from '@app/identity';

export const ACCESS_RULE = 'access-rule';
export type AccessRule = { kind: 'public' } | { kind: 'permission'; permission: Permission };

/** Anyone, signed in or not, may call this (sign-in and health only). */
export const Public = () => SetMetadata(ACCESS_RULE, { kind: 'public' } satisfies AccessRule);

/**
 * Signed-in users whose roles grant `permission` (see ROLE_PERMISSIONS) may call
 * this. An operation without @Allow or @Public is refused to everyone.
 */
export const Allow = (permission: Permission) => SetMetadata(ACCESS_RULE, { kind: 'permission', permission } satisfies AccessRule);

export function requestOf(context: ExecutionContext): RequestWithUser {
  if (context.getType<string>() === 'graphql') {
    return GqlExecutionContext.create(context).getContext<{ req: RequestWithUser }>().req;
  }
  return context.switchToHttp().getRequest<RequestWithUser>();
}

export interface RequestWithUser {
  /** Set by the global guard: a user (JWT) or a promotion system's API key. */
  user?: UserEntity | ApiKeyPrincipal;
  ip?: string;
  body?: unknown;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * The signed-in user of this request (set by the JWT strategy). Never an API
 * key: every operation that takes the user needs a permission SERVICE lacks, so
 * the guard refuses a key first; should one slip through, it is refused here.
 */
export const CurrentUser = createParamDecorator((_: unknown, context: ExecutionContext): UserEntity => {
  const user = requestOf(context).user;
  if (!user) throw new Error('CurrentUser used on an operation that is not authenticated');
  if (isApiKeyPrincipal(user)) {
    throw new IdentityError(IdentityErrorCode.PERMISSION_DENIED, 'An API key cannot do this; it only reads the promotion gates');
  }
  return user;
});
