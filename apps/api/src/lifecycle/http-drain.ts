import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * The HTTP side of a drain: which requests are in flight, and the connections
 * under them.
 *
 * Installed on the server before it listens. Once `stopAccepting()` is called:
 * the listening socket is closed (new connections are refused: a load balancer
 * sends them to another instance), idle keep-alive connections are closed, and
 * every response not yet started, or still to come on a connection that is open,
 * carries `Connection: close`, so each connection ends after its current
 * response. Requests in flight (an upload half received, say) go on to the end.
 */
export class HttpDrain {
  /** Each response not yet finished, with "METHOD /path" for the log. */
  private readonly inFlight = new Map<ServerResponse, string>();
  /** Every open TCP connection, WebSocket ones (after the upgrade) included. */
  private readonly sockets = new Set<Socket>();
  private draining = false;
  private readonly idleWaiters = new Set<() => void>();

  constructor(private readonly server: Server) {
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    // Before the app's own listener, so that the header is set before any handler answers.
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => this.track(req, res));
  }

  /** Requests in flight now ("METHOD /path", without the query). */
  get pending(): string[] {
    return [...this.inFlight.values()];
  }

  /** Stops taking connections; each open one ends after its current response. */
  stopAccepting(): void {
    if (this.draining) return;
    this.draining = true;
    for (const res of this.inFlight.keys()) closeAfter(res);
    // A signal before the port is open (still starting): close it as soon as it opens.
    if (this.server.listening) this.server.close();
    else this.server.once('listening', () => this.server.close());
    this.server.closeIdleConnections();
    this.wakeIfIdle();
  }

  /** Resolves once no request is in flight (at once when none is). */
  settled(): Promise<void> {
    if (this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.add(resolve));
  }

  /** Ends every connection that is still open, requests in flight or not; returns what was cut. */
  cutAll(): string[] {
    const cut = this.pending;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    return cut;
  }

  private track(req: IncomingMessage, res: ServerResponse): void {
    this.inFlight.set(res, `${req.method ?? '?'} ${(req.url ?? '').split('?')[0]}`);
    if (this.draining) closeAfter(res);
    // 'close': the response was sent, or its connection ended first.
    res.once('close', () => {
      this.inFlight.delete(res);
      if (!this.draining) return;
      // A connection whose response had begun before the drain may be idle now.
      this.server.closeIdleConnections();
      this.wakeIfIdle();
    });
  }

  private wakeIfIdle(): void {
    if (this.inFlight.size > 0) return;
    for (const wake of this.idleWaiters) wake();
    this.idleWaiters.clear();
  }
}

/** The connection ends after this response (if its headers are not sent yet). */
function closeAfter(res: ServerResponse): void {
  if (!res.headersSent) res.setHeader('connection', 'close');
}
