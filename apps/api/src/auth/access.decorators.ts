import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import {
  IdentityError,
  IdentityErrorCode,
  isApiKeyPrincipal,
  type ApiKeyPrincipal,
  type AuthSessionEntity,
  type Permission,
  type SecondFactorProof,
  type UserEntity,
} from '@app/identity';

export const ACCESS_RULE = 'access-rule';
export type AccessRule = { kind: 'public' } | { kind: 'permission'; permission: Permission };

/** Anyone, signed in or not, may call this (sign-in and health only). */
export const Public = () => SetMetadata(ACCESS_RULE, { kind: 'public' } satisfies AccessRule);

/**
 * Signed-in users whose roles grant `permission` (see ROLE_PERMISSIONS) may call
 * this. An operation without @Allow or @Public is refused to everyone.
 */
export const Allow = (permission: Permission) => SetMetadata(ACCESS_RULE, { kind: 'permission', permission } satisfies AccessRule);

export const DURING_SIGN_IN = 'during-sign-in';
/**
 * Also open to a session that has not yet proved its second factor or must still enrol one
 * (SECOND_FACTOR_PENDING, ENROLMENT_PENDING): reading oneself, proving or enrolling a factor, signing out.
 * Every other operation refuses such a session with SECOND_FACTOR_REQUIRED.
 */
export const DuringSignIn = () => SetMetadata(DURING_SIGN_IN, true);

export const STEP_UP = 'step-up';
/**
 * The operation signs a record (a sign-off, a clearance, a risk acceptance, a gate's reopening, a PPC filing, a
 * key rotation): the session must have proved a second factor in the last STEP_UP_MAX_AGE_SECONDS, else
 * STEP_UP_REQUIRED. The resolver takes the proof with @StepUpProof() and hands it to the service for the record.
 */
export const StepUp = () => SetMetadata(STEP_UP, true);

export function requestOf(context: ExecutionContext): RequestWithUser {
  if (context.getType<string>() === 'graphql') {
    return GqlExecutionContext.create(context).getContext<{ req: RequestWithUser }>().req;
  }
  return context.switchToHttp().getRequest<RequestWithUser>();
}

export interface RequestWithUser {
  /** Set by the global guard: a user (JWT) or a promotion system's API key. */
  user?: UserEntity | ApiKeyPrincipal;
  /** Set with `user` by the JWT strategy: the session the access token names. */
  authSession?: AuthSessionEntity;
  /** Set by the guard on a @StepUp operation: the fresh proof it accepted. */
  stepUpProof?: SecondFactorProof | null;
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

/** The session of this request's access token (operations a user calls; never an API key). */
export const CurrentSession = createParamDecorator((_: unknown, context: ExecutionContext): AuthSessionEntity => {
  const session = requestOf(context).authSession;
  if (!session) throw new IdentityError(IdentityErrorCode.PERMISSION_DENIED, 'Only a signed-in user session can do this');
  return session;
});

/**
 * On a @StepUp operation: the second-factor proof the guard accepted (method, time; amr/acr for SSO), for the
 * record the operation signs. Null only where step-up is waived (the demo without DEMO_MFA).
 */
export const StepUpProof = createParamDecorator((_: unknown, context: ExecutionContext): SecondFactorProof | null => {
  return requestOf(context).stepUpProof ?? null;
});
