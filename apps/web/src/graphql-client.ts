import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange, type CombinedError } from 'urql';
import { createClient as createWsClient } from 'graphql-ws';

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
 * over one graphql-ws WebSocket that sends the token once in its
 * connectionParams. The server replays nothing missed while the socket was
 * down, so after a reconnection `onReconnected` asks the page to refetch.
 * A refused credential (an expired token: the server closes with 4403, or a
 * query answered UNAUTHENTICATED) ends the session through `onUnauthenticated`.
 */
export function createSessionClient(
  token: string,
  events: { onLive: (state: LiveState) => void; onReconnected: () => void; onUnauthenticated: () => void },
): ApiClient {
  const ws = createWsClient({
    url: webSocketUrl(window.location),
    connectionParams: { authorization: `Bearer ${token}` },
    lazy: true,
    retryAttempts: Infinity,
    shouldRetry: (e) => !(isCloseEvent(e) && e.code === 4403),
    on: {
      connecting: (isRetry) => events.onLive(isRetry ? 'reconnecting' : 'connecting'),
      connected: (_socket, _payload, wasRetry) => {
        events.onLive('connected');
        if (wasRetry) events.onReconnected();
      },
      closed: (e) => {
        if (isCloseEvent(e) && e.code === 4403) events.onUnauthenticated();
        else events.onLive('reconnecting');
      },
    },
  });
  const client = new Client({
    url: GRAPHQL_PATH,
    preferGetMethod: false,
    requestPolicy: 'cache-and-network',
    fetchOptions: () => ({ headers: { authorization: `Bearer ${token}` } }),
    exchanges: [
      mapExchange({
        onError(error) {
          if (errorCodeOf(error) === 'UNAUTHENTICATED') events.onUnauthenticated();
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
  return { client, dispose: () => void ws.dispose() };
}

function isCloseEvent(e: unknown): e is { code: number; reason: string } {
  return typeof e === 'object' && e !== null && 'code' in e && typeof (e as { code: unknown }).code === 'number';
}
