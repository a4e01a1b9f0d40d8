import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Permission, UserEntity } from '@app/identity';

export const ACCESS_RULE = 'access-rule';
export type AccessRule = { kind: 'public' } | { kind: 'permission'; permission: Permission };

/** Anyone, signed in or not, may call this (sign-in and health only). */
export const Public = () => SetMetadata(ACCESS_RULE, { kind: 'public' } satisfies AccessRule);

/**
 * Signed-in users whose roles grant `permission` (see ROLE_PERMISSIONS) may call
 * this. An operation without @Allow or @Public is refused to everyone.
 */
export const Allow = (permission: Permission) =>
  SetMetadata(ACCESS_RULE, { kind: 'permission', permission } satisfies AccessRule);

export function requestOf(context: ExecutionContext): RequestWithUser {
  if (context.getType<string>() === 'graphql') {
    return GqlExecutionContext.create(context).getContext<{ req: RequestWithUser }>().req;
  }
  return context.switchToHttp().getRequest<RequestWithUser>();
}

export interface RequestWithUser {
  user?: UserEntity;
  ip?: string;
  body?: unknown;
  headers: Record<string, string | string[] | undefined>;
}

/** The signed-in user of this request (set by the JWT strategy). */
export const CurrentUser = createParamDecorator((_: unknown, context: ExecutionContext): UserEntity => {
  const user = requestOf(context).user;
  if (!user) throw new Error('CurrentUser used on an operation that is not authenticated');
  return user;
});
