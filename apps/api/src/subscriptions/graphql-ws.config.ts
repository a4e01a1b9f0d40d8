import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { GraphQLWsSubscriptionsConfig } from '@nestjs/graphql';
import {
  getOperationAST,
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLFormattedError,
  type ValidationRule,
} from 'graphql';
import { CloseCode, type Context, type ServerOptions } from 'graphql-ws';
import type { WebSocket } from 'ws';
import type { RequestWithUser } from '../auth/access.decorators';
import type { Loaders } from '../common/loaders';
import { GqlCode } from '../graphql/error-codes';
import type { ConnectionAuthenticator, Principal } from './connection-auth';

/**
 * GraphQL over WebSocket (the `graphql-transport-ws` protocol of graphql-ws),
 * on the same path as HTTP (/graphql).
 *
 * - **At connection** (`connection_init`): `connectionParams.authorization` =
 *   `Bearer <jwt>` (or an API key) is authenticated through the same Passport
 *   strategies as HTTP. Missing, malformed, forged or expired token, unknown or
 *   deactivated user, revoked key: the socket is closed with 4403 and a reason
 *   that says what to do, nothing more. Should the check itself fail (the
 *   database is away), 1013 Try Again Later, which clients retry.
 * - **At subscribe**: each operation's context carries a request built from the
 *   connection (its authorization and principal), so the global AccessGuard runs
 *   exactly as over HTTP: re-authentication, then `@Allow`, deny by default.
 * - **At every event**: before a result is sent, the connection is authenticated
 *   again; a user deactivated (or a token expired) since gets the socket closed
 *   with 4403 instead of the event.
 * - **At revocation**: when the connection's session is ended (signed out,
 *   revoked by its user or an admin, its refresh token reused), through this
 *   instance or any other, the socket is closed once that commits, with 4403
 *   "Forbidden: this session was ended", without waiting for an event.
 * - Only subscriptions are served here; queries and mutations go over HTTP (where
 *   CSRF prevention, the request id, the logs and the transaction context apply).
 * - The same validation rules as HTTP (query limits; no introspection in
 *   production), and the same error shape (`extensions.code`; internal errors
 *   masked in production).
 */
export interface ConnectionExtra {
  socket: WebSocket;
  request: IncomingMessage;
  /** Set by onConnect once the connection is authenticated. */
  connection?: { id: string; principal: Principal; authorization: string; sessionId: string | null };
}

type WsContext = Context<Record<string, unknown> | undefined, ConnectionExtra>;

/** The context of one subscription operation: like an HTTP request's, plus fresh loaders per event. */
export interface SubscriptionContext {
  req: RequestWithUser & { id: string };
  loaders: Loaders;
  /** Called after each event is sent: DataLoaders cache for one event, not the life of the subscription. */
  renewLoaders(): void;
}

export function isConnectionContext(input: unknown): input is WsContext {
  return typeof input === 'object' && input !== null && 'connectionInitReceived' in input && 'extra' in input;
}

/** The GraphQL context of a subscription, from its (authenticated) connection. */
export function subscriptionContext(ctx: WsContext, makeLoaders: () => Loaders): SubscriptionContext {
  const connection = ctx.extra.connection;
  const context: SubscriptionContext = {
    req: {
      id: connection?.id ?? randomUUID(),
      // The guard re-authenticates from this header; without one it refuses.
      headers: connection ? { authorization: connection.authorization } : {},
      user: connection?.principal,
      ip: ctx.extra.request.socket.remoteAddress,
    },
    loaders: makeLoaders(),
    renewLoaders: () => {
      context.loaders = makeLoaders();
    },
  };
  return context;
}

export interface GraphqlWsDeps {
  authenticator: ConnectionAuthenticator;
  /** Subscribes to sessions ended through any instance (SessionsService.onRevoked): their sockets are closed at once. */
  onSessionsRevoked?: (listener: (sessionIds: readonly string[]) => void) => unknown;
  production: boolean;
  /** The document's token cap, the same as HTTP's (parsing stops there). */
  maxTokens: number;
  /** The shape limits, checked before GraphQL's own rules, as over HTTP. */
  shapeRule: ValidationRule;
  /** Extra validation rules, the same as HTTP's `validationRules`. */
  validationRules: readonly ValidationRule[];
}

/** WebSocket close reasons are limited to 123 bytes. */
function closeReason(reason: string): string {
  const full = `Forbidden: ${reason}`;
  return Buffer.byteLength(full) <= 123
    ? full
    : `${Buffer.from(full)
        .subarray(0, 120)
        .toString('utf8')
        .replace(/\uFFFD+$/, '')}...`;
}

/** 1013 Try Again Later: a close that graphql-ws clients retry. */
const TRY_AGAIN_LATER = 1013;

function refuse(ctx: WsContext, auth: { reason: string; transient?: boolean }): false {
  // graphql-ws closes with 4403 "Forbidden" when onConnect returns false; closing first
  // gives the client the reason (ws ignores the second close of a closing socket).
  if (auth.transient) ctx.extra.socket.close(TRY_AGAIN_LATER, auth.reason);
  else ctx.extra.socket.close(CloseCode.Forbidden, closeReason(auth.reason));
  return false;
}

/** Same shape as HTTP's formatError: a code always, internal errors masked in production. */
function formatError(error: GraphQLError, production: boolean, requestError: boolean): GraphQLFormattedError {
  const json = error.toJSON();
  const code =
    (json.extensions?.['code'] as string | undefined) ?? (requestError ? 'GRAPHQL_VALIDATION_FAILED' : GqlCode.INTERNAL_SERVER_ERROR);
  if (production && code === GqlCode.INTERNAL_SERVER_ERROR) return { message: 'Internal server error', extensions: { code } };
  return { ...json, extensions: { ...json.extensions, code } };
}

export function graphqlWsConfig(deps: GraphqlWsDeps): GraphQLWsSubscriptionsConfig {
  // The open sockets of each session, to close when it is ended.
  const socketsOfSession = new Map<string, Set<WebSocket>>();
  deps.onSessionsRevoked?.((ids) => {
    for (const id of ids) {
      for (const socket of socketsOfSession.get(id) ?? [])
        socket.close(CloseCode.Forbidden, closeReason('this session was ended; sign in again'));
      socketsOfSession.delete(id);
    }
  });
  const track = (sessionId: string, socket: WebSocket) => {
    const set = socketsOfSession.get(sessionId) ?? new Set<WebSocket>();
    set.add(socket);
    socketsOfSession.set(sessionId, set);
    socket.once('close', () => {
      set.delete(socket);
      if (set.size === 0 && socketsOfSession.get(sessionId) === set) socketsOfSession.delete(sessionId);
    });
  };
  const rules = [...specifiedRules, ...deps.validationRules, ...(deps.production ? [NoSchemaIntrospectionCustomRule] : [])];
  const options: Pick<
    ServerOptions<Record<string, unknown> | undefined, ConnectionExtra>,
    'onConnect' | 'onSubscribe' | 'onNext' | 'onError' | 'validate'
  > = {
    onConnect: async (ctx) => {
      const auth = await deps.authenticator.authenticate(ctx.connectionParams);
      if (!auth.ok) return refuse(ctx, auth);
      ctx.extra.connection = { id: randomUUID(), principal: auth.principal, authorization: auth.authorization, sessionId: auth.sessionId };
      if (auth.sessionId) track(auth.sessionId, ctx.extra.socket);
      return true;
    },

    onSubscribe: (_ctx, _id, payload) => {
      let document: DocumentNode;
      try {
        // Capped like HTTP's: a document over the token limit is refused while it is parsed, so the parse that
        // graphql-ws then makes of the same text is bounded too.
        document = parse(payload.query, { maxTokens: deps.maxTokens });
      } catch (err) {
        return [err instanceof GraphQLError ? err : new GraphQLError('Syntax error')];
      }
      const operation = getOperationAST(document, payload.operationName);
      if (operation && operation.operation !== 'subscription') {
        return [
          new GraphQLError('Only subscriptions are served over WebSocket; send queries and mutations to POST /graphql', {
            extensions: { code: GqlCode.BAD_USER_INPUT },
          }),
        ];
      }
      return undefined; // graphql-ws parses, validates (below) and subscribes
    },

    // The shape limits first, alone (linear), so that GraphQL's own rules only see documents within them.
    validate: (schema, document) => {
      const refused = validate(schema, document, [deps.shapeRule]);
      return refused.length > 0 ? refused : validate(schema, document, rules);
    },

    onNext: async (ctx, _id, _payload, args, result) => {
      (args.contextValue as Partial<SubscriptionContext> | undefined)?.renewLoaders?.();
      // Still allowed? A user deactivated, or a token expired, since the connection opened gets no more events.
      const auth = await deps.authenticator.authenticate(ctx.connectionParams);
      if (!auth.ok) {
        refuse(ctx, auth);
        return { data: null, errors: [{ message: auth.reason, extensions: { code: GqlCode.UNAUTHENTICATED } }] }; // not sent: the socket is closing
      }
      if (!result.errors?.length) return undefined;
      return { ...result, errors: result.errors.map((e) => formatError(e, deps.production, false)) };
    },

    onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatError(e, deps.production, !e.originalError)),
  };
  // Nest's type lists only some graphql-ws options, but passes every one to graphql-ws's useServer.
  return options as GraphQLWsSubscriptionsConfig;
}
