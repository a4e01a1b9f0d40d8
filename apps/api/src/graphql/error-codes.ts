import type { CommonErrorCode, DomainError } from '@app/common';
import type { IdentityErrorCode } from '@app/identity';

/** The `extensions.code` values clients can rely on. */
export const GqlCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type GqlCode = (typeof GqlCode)[keyof typeof GqlCode];

/**
 * One table per bounded context, each a Record over that context's whole code
 * list: a new domain code that is not mapped here fails to compile.
 */
const DOMAIN_CODE_MAP = {
  common: {
    NOT_FOUND: GqlCode.NOT_FOUND,
    STALE_VERSION: GqlCode.CONFLICT,
    INVALID_INPUT: GqlCode.BAD_USER_INPUT,
    INVALID_CURSOR: GqlCode.BAD_USER_INPUT,
  } satisfies Record<CommonErrorCode, GqlCode>,
  identity: {
    INVALID_CREDENTIALS: GqlCode.UNAUTHENTICATED,
    ACCOUNT_DEACTIVATED: GqlCode.UNAUTHENTICATED,
    LOGIN_THROTTLED: GqlCode.TOO_MANY_REQUESTS,
    INVALID_TOKEN: GqlCode.UNAUTHENTICATED,
    PERMISSION_DENIED: GqlCode.FORBIDDEN,
    EMAIL_TAKEN: GqlCode.CONFLICT,
    USER_NOT_FOUND: GqlCode.NOT_FOUND,
    SELF_LOCKOUT: GqlCode.CONFLICT,
    LAST_ADMIN: GqlCode.CONFLICT,
    WEAK_PASSWORD: GqlCode.BAD_USER_INPUT,
    NO_ROLES: GqlCode.BAD_USER_INPUT,
    ALREADY_IN_STATE: GqlCode.CONFLICT,
  } satisfies Record<IdentityErrorCode, GqlCode>,
} as const;

type MappedContext = keyof typeof DOMAIN_CODE_MAP;

export function gqlCodeOf(error: DomainError): GqlCode {
  const table = DOMAIN_CODE_MAP[error.context as MappedContext] as Record<string, GqlCode> | undefined;
  const code = table?.[error.code];
  if (!code) {
    // Only reachable if a context is added without a table: treat as a bug.
    return GqlCode.INTERNAL_SERVER_ERROR;
  }
  return code;
}
