import { HttpException, Logger } from '@nestjs/common';
import { GraphQLError } from 'graphql';
import { DomainError } from '@app/common';
import { classifyDatabaseFailure } from '@app/database';
import { GqlCode, gqlCodeOf } from './error-codes';
import { describeUniqueConflict } from './unique-conflict';
import { boundDetails, boundMessage } from './bounded-details';

const logger = new Logger('Errors');

const HTTP_STATUS_CODES: Record<number, GqlCode> = {
  400: GqlCode.BAD_USER_INPUT,
  401: GqlCode.UNAUTHENTICATED,
  403: GqlCode.FORBIDDEN,
  404: GqlCode.NOT_FOUND,
  409: GqlCode.CONFLICT,
  413: GqlCode.PAYLOAD_TOO_LARGE,
  429: GqlCode.TOO_MANY_REQUESTS,
  503: GqlCode.SERVICE_UNAVAILABLE,
};

export const GQL_CODE_HTTP_STATUS: Record<GqlCode, number> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TOO_MANY_REQUESTS: 429,
  PAYLOAD_TOO_LARGE: 413,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL_SERVER_ERROR: 500,
  SECOND_FACTOR_REQUIRED: 403,
  STEP_UP_REQUIRED: 403,
};

export interface ErrorShape {
  code: GqlCode;
  message: string;
  extensions: Record<string, unknown>;
}

/**
 * The one mapping from anything thrown to what a client sees. Domain errors
 * keep their domain code (`extensions.reason`) and safe details; validation
 * failures list the fields; anything else is an internal error whose message
 * is hidden in production (logged in full here, with the request id).
 */
export function describeError(exception: unknown, production: boolean): ErrorShape {
  if (exception instanceof DomainError) {
    return {
      code: gqlCodeOf(exception),
      // Lists in details capped (2,000 unknown ids are not echoed back), the message too: bounded-details.ts.
      message: boundMessage(exception.message),
      extensions: { reason: exception.code, ...boundDetails(exception.details) },
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const code = HTTP_STATUS_CODES[status];
    if (code) {
      const response = exception.getResponse();
      const messages =
        typeof response === 'object' && response !== null && 'message' in response ? (response as { message: unknown }).message : undefined;
      const list = Array.isArray(messages) ? messages.map(String) : undefined;
      return {
        code,
        message: boundMessage(list ? `Invalid input: ${list.join('; ')}` : exception.message),
        extensions: list ? boundDetails({ validationErrors: list }) : {},
      };
    }
  }
  // A unique constraint refused a write that a service's own check let through (two creates at once): CONFLICT.
  const duplicate = describeUniqueConflict(exception);
  if (duplicate) return { code: GqlCode.CONFLICT, ...duplicate };
  const database = classifyDatabaseFailure(exception);
  if (database) {
    // Not the caller's fault, and not a reason to end their session: the page retries. The pool reconnects
    // by itself once the database answers again.
    logger.warn(
      `database ${database === 'DATABASE_TIMEOUT' ? 'timed out' : 'unavailable'}: ${exception instanceof Error ? exception.message : String(exception)}`,
    );
    return {
      code: GqlCode.SERVICE_UNAVAILABLE,
      message:
        database === 'DATABASE_TIMEOUT'
          ? 'The database took too long to answer; try again'
          : 'The database is not answering at the moment; try again shortly (you are still signed in)',
      extensions: { reason: database, retryAfterSeconds: 1 },
    };
  }
  logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
  return {
    code: GqlCode.INTERNAL_SERVER_ERROR,
    message: production ? 'Internal server error' : exception instanceof Error ? exception.message : String(exception),
    extensions: {},
  };
}

export function toGraphQLError(exception: unknown, production: boolean): GraphQLError {
  if (exception instanceof GraphQLError) return exception;
  const shape = describeError(exception, production);
  return new GraphQLError(shape.message, { extensions: { ...shape.extensions, code: shape.code } });
}
