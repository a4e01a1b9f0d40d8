import type { INestApplication } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import type { WebSocket, WebSocketServer } from 'ws';

/**
 * 1012 Service Restart: graphql-ws clients (6.x, `isFatalInternalCloseCode`)
 * treat 1012 like 1001/1013/1014 as not fatal and reconnect with their back-off,
 * which through a load balancer reaches another instance. (4xxx codes of the
 * protocol such as 4500 are fatal to them; 1001 Going Away would do too, but
 * says less.)
 */
export const SERVICE_RESTART = 1012;
export const SERVICE_RESTART_REASON = 'Service Restart: this instance is stopping; reconnect';

/**
 * The GraphQL WebSocket server's sockets during a drain: every open one is
 * closed with 1012, and one that still arrives (an upgrade on a connection that
 * was already open) is closed the same way.
 */
export class SubscriptionSockets {
  constructor(private readonly wss: WebSocketServer | null) {}

  /** Finds the driver's WebSocket server (as WebSocketLimits does; null when there is none). */
  static of(app: INestApplication): SubscriptionSockets {
    const graphql = app.get(GraphQLModule, { strict: false });
    const driver = graphql.graphQlAdapter as unknown as { _subscriptionService?: { wss?: WebSocketServer } };
    return new SubscriptionSockets(driver._subscriptionService?.wss ?? null);
  }

  /** Closes every socket with 1012; resolves once each one has closed. Returns how many there were, and the wait. */
  closeAll(): { count: number; closed: Promise<void> } {
    if (!this.wss) return { count: 0, closed: Promise.resolve() };
    this.wss.on('connection', (socket: WebSocket) => socket.close(SERVICE_RESTART, SERVICE_RESTART_REASON));
    const sockets = [...this.wss.clients];
    const closed = Promise.all(
      sockets.map(
        (socket) =>
          new Promise<void>((resolve) => {
            if (socket.readyState === socket.CLOSED) return resolve();
            socket.once('close', () => resolve());
            socket.close(SERVICE_RESTART, SERVICE_RESTART_REASON);
          }),
      ),
    ).then(() => undefined);
    return { count: sockets.length, closed };
  }
}
