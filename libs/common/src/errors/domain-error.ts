/**
 * Base class of every error that domain and application code raises on purpose.
 *
 * A domain error carries a stable `code` from its bounded context's code list
 * (for example `IdentityErrorCode`) and optional `details` that are safe to show
 * to the caller. The API layer maps codes to GraphQL `extensions.code` with one
 * exhaustive table (apps/api/src/graphql/error-codes.ts); nothing ever matches
 * on the message text.
 */
export abstract class DomainError<C extends string = string> extends Error {
  abstract readonly context: string;

  constructor(
    readonly code: C,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}
