import { Logger, type INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';
import { DrainState } from './drain-state';
import { HttpDrain } from './http-drain';
import { SubscriptionSockets, SERVICE_RESTART } from './subscription-sockets';

export interface GracefulShutdownOptions {
  /** SHUTDOWN_GRACE_SECONDS: how long requests in flight may take to finish once the drain starts. */
  graceSeconds: number;
  /** Ends the process (process.exit by default). */
  exit?: (code: number) => void;
}

/**
 * SIGTERM (a service manager, a rolling restart) or SIGINT (Ctrl-C) drains the
 * instance, then stops it:
 *
 * 1. `/health/ready` answers 503 "draining" at once (DrainState); `/health` stays 200.
 * 2. The listening socket is closed (new connections are refused), idle
 *    keep-alive connections are closed, and every further response carries
 *    `Connection: close` (HttpDrain).
 * 3. GraphQL subscriptions are closed with 1012 Service Restart, which
 *    graphql-ws clients retry (SubscriptionSockets).
 * 4. Requests in flight, uploads included, finish, for up to
 *    SHUTDOWN_GRACE_SECONDS; what is still in flight then is cut, and the log
 *    names it.
 * 5. The Nest app is closed (onModuleDestroy / onApplicationShutdown: jobs,
 *    database pool, embedded PostgreSQL), and the process exits with 0.
 *
 * A repeated SIGTERM does not start another drain, nor shorten it (service
 * managers and `npm` may pass a signal on more than once). A second SIGINT
 * (Ctrl-C twice; under `npm start` one Ctrl-C can arrive twice) stops waiting:
 * what is in flight is cut and the app is closed at once, the embedded database
 * still stopped cleanly. A third SIGINT exits at once, with 1, closing nothing
 * (an embedded PostgreSQL left running is taken over by the next start).
 */
export function installGracefulShutdown(app: INestApplication, options: GracefulShutdownOptions): void {
  const logger = new Logger('Shutdown');
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const grace = options.graceSeconds;
  const state = app.get(DrainState);
  const http = new HttpDrain(app.getHttpServer() as Server);
  let stage: 'serving' | 'draining' | 'closing' = 'serving';
  let interrupts = 0;
  let stopWaiting: (() => void) | null = null;

  async function drain(signal: NodeJS.Signals): Promise<void> {
    state.begin(signal);
    http.stopAccepting();
    const subscriptions = SubscriptionSockets.of(app).closeAll();
    const inFlight = http.pending;
    logger.log(
      `${signal}: draining: /health/ready answers 503, new connections are refused, ` +
        `${subscriptions.count} subscription socket(s) closed with ${SERVICE_RESTART} (clients reconnect), ` +
        `${inFlight.length} request(s) in flight have up to ${grace} s to finish${list(inFlight)}`,
    );
    let timer: NodeJS.Timeout | undefined;
    const cut = new Promise<'grace' | 'interrupt'>((resolve) => {
      timer = setTimeout(() => resolve('grace'), grace * 1000);
      stopWaiting = () => resolve('interrupt');
    });
    const finished = Promise.all([http.settled(), subscriptions.closed]).then(() => 'finished' as const);
    const outcome = await Promise.race([finished, cut]);
    clearTimeout(timer);
    stopWaiting = null;
    stage = 'closing';
    const cutRequests = http.cutAll();
    if (outcome === 'finished') logger.log('every request in flight has finished: closing');
    else {
      const why = outcome === 'grace' ? `the shutdown grace of ${grace} s (SHUTDOWN_GRACE_SECONDS) ran out` : 'a second SIGINT';
      logger.warn(`${why}: ${cutRequests.length} request(s) still in flight were cut${list(cutRequests)}; closing`);
    }
    try {
      await app.close();
    } catch (err) {
      logger.error(`stopping failed: ${(err as Error)?.stack ?? String(err)}`);
      exit(1);
      return;
    }
    logger.log(
      outcome === 'finished' ? `stopped (${signal})` : `stopped (${signal}) after cutting ${cutRequests.length} request(s) in flight`,
    );
    exit(0);
  }

  const onSignal = (signal: NodeJS.Signals): void => {
    if (signal === 'SIGINT') interrupts += 1;
    if (stage === 'serving') {
      stage = 'draining';
      drain(signal).catch((err: unknown) => {
        logger.error(`the drain failed: ${(err as Error)?.stack ?? String(err)}`);
        exit(1);
      });
      return;
    }
    if (signal === 'SIGINT' && interrupts >= 3) {
      logger.warn('SIGINT a third time: exiting at once, without closing the database');
      exit(1);
      return;
    }
    if (signal === 'SIGINT' && stage === 'draining' && stopWaiting) {
      stopWaiting();
      return;
    }
    logger.log(`${signal} again: already stopping (since ${state.since ?? signal})`);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

function list(requests: string[]): string {
  if (requests.length === 0) return '';
  const shown = requests.slice(0, 10).join(', ');
  return ` (${shown}${requests.length > 10 ? `, and ${requests.length - 10} more` : ''})`;
}
