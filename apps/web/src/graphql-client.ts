import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange, type CombinedError } from 'urql';
import { createClient as createWsClient } from 'graphql-ws';
import { createAuthFetch, isCredentialRefusal, type AnswerError } from './auth-fetch';
import type { TokenKeeper } from './token-keeper';

/** State of the live (WebSocket) feed, shown in the header. */
export type LiveState = 'connecting' | 'connected' | 'reconnecting';

export interface ApiClient {
  client: Client;
  dispose(): void;
}

const GRAPHQL_PATH = '/graphql';

/** ws://host/graphql for http://host/, wss:// behind TLS: the same server that served the page. */
export function webSocketUrl(loc: Pick<Location, 'protocol' | 'host'>): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}${GRAPHQL_PATH}`;
}

/** The server's stable error code (extensions.code) of a failed operation. */
export function errorCodeOf(error: CombinedError | undefined): string | undefined {
  const code = error?.graphQLErrors[0]?.extensions?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The anonymous client: sign-in only. */
export function createAnonymousClient(): Client {
  return new Client({
    url: GRAPHQL_PATH,
    exchanges: [fetchExchange],
    // Always POST with application/json: Apollo's CSRF prevention refuses a simple GET.
    preferGetMethod: false,
    requestPolicy: 'network-only',
  });
}

/**
 * The signed-in client: queries over HTTP (POST, bearer token), subscriptions
 * over one graphql-ws WebSocket that sends the token in its connectionParams.
 * The server replays nothing missed while the socket was down, so after a
 * reconnection `onReconnected` asks the page to refetch.
 *
 * The token comes from the keeper: renewed before it expires, and once more
 * when the server refuses it (auth-fetch.ts); the socket, closed with 4403
 * once its token has expired, reconnects with a renewed one. A renewal the
 * server refuses ends the session through the keeper (back to the sign-in
 * form). An operation answered STEP_UP_REQUIRED asks `stepUp` for a fresh
 * proof and is sent again once.
 */
export function createSessionClient(
  keeper: TokenKeeper,
  events: { onLive: (state: LiveState) => void; onReconnected: () => void; onUnauthenticated: () => void; stepUp: () => Promise<boolean> },
): ApiClient {
  // Closed with 4403 twice in a row without a connection between: the token is not the problem; the session has ended.
  let refusedInARow = 0;
  // Once disposed (signed out), a socket the server closes is not reconnected.
  let disposed = false;
  const ws = createWsClient({
    url: webSocketUrl(window.location),
    connectionParams: async () => {
      const token = refusedInARow > 0 ? await keeper.renew(keeper.current.token) : await keeper.token();
      return { authorization: `Bearer ${token}` };
    },
    lazy: true,
    retryAttempts: Infinity,
    shouldRetry: (e) => !disposed && !(isCloseEvent(e) && e.code === 4403 && refusedInARow > 1),
    on: {
      connecting: (isRetry) => events.onLive(isRetry ? 'reconnecting' : 'connecting'),
      connected: (_socket, _payload, wasRetry) => {
        refusedInARow = 0;
        events.onLive('connected');
        if (wasRetry) events.onReconnected();
      },
      closed: (e) => {
        if (isCloseEvent(e) && e.code === 4403) {
          refusedInARow++;
          if (refusedInARow > 1) events.onUnauthenticated();
          else events.onLive('reconnecting');
        } else events.onLive('reconnecting');
      },
    },
  });
  const client = new Client({
    url: GRAPHQL_PATH,
    preferGetMethod: false,
    requestPolicy: 'cache-and-network',
    fetch: createAuthFetch({ keeper, fetch: (input, init) => window.fetch(input, init), stepUp: events.stepUp }) as typeof fetch,
    exchanges: [
      mapExchange({
        onError(error) {
          // Sent again with a renewed token already (auth-fetch.ts): refused twice, the session is over.
          if (isCredentialRefusal(answerErrorOf(error))) events.onUnauthenticated();
        },
      }),
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query || '' };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });
  return {
    client,
    dispose: () => {
      disposed = true;
      void ws.dispose();
    },
  };
}

/** The code and the domain reason of a failed operation's first error. */
export function answerErrorOf(error: CombinedError | undefined): AnswerError | undefined {
  const ext = error?.graphQLErrors[0]?.extensions;
  if (!ext) return undefined;
  return {
    code: typeof ext['code'] === 'string' ? ext['code'] : undefined,
    reason: typeof ext['reason'] === 'string' ? ext['reason'] : undefined,
  };
}

function isCloseEvent(e: unknown): e is { code: number; reason: string } {
  return typeof e === 'object' && e !== null && 'code' in e && typeof (e as { code: unknown }).code === 'number';
}
