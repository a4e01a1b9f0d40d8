import type { FormattedExecutionResult as ExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { PUB_SUB, SubscriptionTrigger, type AppPubSub } from '../../apps/api/src/subscriptions/pubsub.provider';
import type { TestApp } from './test-app';

export interface Closed {
  code: number;
  reason: string;
}

/** The WebSocket URL of the app's GraphQL endpoint (ws://127.0.0.1:port/graphql). */
export function wsUrl(t: TestApp): string {
  return `${t.baseUrl.replace(/^http/, 'ws')}/graphql`;
}

/** Polls until `cond` holds; fails after `timeoutMs` (a safety net, not a speed requirement). */
export async function until(cond: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** How many subscriptions listen on `trigger` in the app (a subscription is live once counted). */
export function listeners(t: TestApp, trigger: SubscriptionTrigger): number {
  return t.app.get<AppPubSub>(PUB_SUB).listenerCount(trigger);
}

/** How many subscriptions, of any field, are live in the app. */
export function liveSubscriptions(t: TestApp): number {
  return Object.values(SubscriptionTrigger).reduce((n, trigger) => n + listeners(t, trigger), 0);
}

/**
 * A graphql-ws client and one subscription on it, recording everything it
 * gets: results, the error (GraphQL errors, or the close event of a refused
 * connection), completion, and how the socket closed. `also` opens another
 * subscription on the same connection.
 */
export class TestSubscriber<T = Record<string, unknown>> {
  readonly results: ExecutionResult<T, unknown>[] = [];
  error: unknown = undefined;
  completed = false;
  private readonly connection: { client: Client; closed: Closed | null };

  constructor(
    t: TestApp | null,
    opts: { authorization?: string | null; query: string; variables?: Record<string, unknown> },
    shared?: TestSubscriber<unknown>,
  ) {
    if (shared) {
      this.connection = shared.connection;
    } else {
      const connection: { client: Client | null; closed: Closed | null } = { client: null, closed: null };
      connection.client = createClient({
        url: wsUrl(t!),
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: true,
        connectionParams: opts.authorization ? { authorization: opts.authorization } : {},
        on: {
          closed: (e) => {
            const ev = e as { code: number; reason: string | Buffer };
            connection.closed ??= { code: ev.code, reason: String(ev.reason) };
          },
        },
      });
      this.connection = connection as { client: Client; closed: Closed | null };
    }
    this.connection.client.subscribe<T>(
      { query: opts.query, variables: opts.variables ?? {} },
      {
        next: (r) => void this.results.push(r),
        error: (e) => void (this.error = e),
        complete: () => void (this.completed = true),
      },
    );
  }

  static bearer<T = Record<string, unknown>>(t: TestApp, token: string | null, query: string, variables?: Record<string, unknown>) {
    return new TestSubscriber<T>(t, { authorization: token === null ? null : `Bearer ${token}`, query, variables });
  }

  /** Another subscription on the same (already authenticated) connection. */
  also<U = T>(query: string, variables?: Record<string, unknown>): TestSubscriber<U> {
    return new TestSubscriber<U>(null, { query, variables }, this as TestSubscriber<unknown>);
  }

  /** How the socket closed, once it has. */
  get closed(): Closed | null {
    return this.connection.closed;
  }

  get ended(): boolean {
    return this.error !== undefined || this.completed || this.closed !== null;
  }

  async waitForResults(n: number): Promise<ExecutionResult<T, unknown>[]> {
    await until(() => this.results.length >= n || this.ended, `${n} result(s)`);
    if (this.results.length < n)
      throw new Error(
        `ended after ${this.results.length} result(s): ${JSON.stringify({ error: describe(this.error), closed: this.closed })}`,
      );
    return this.results;
  }

  async waitForEnd(): Promise<void> {
    await until(() => this.ended, 'the subscription to end');
  }

  /** The GraphQL errors received (from an error message or a result), or []. */
  get graphqlErrors(): { message: string; extensions?: Record<string, unknown> }[] {
    if (Array.isArray(this.error)) return this.error as { message: string; extensions?: Record<string, unknown> }[];
    return this.results.flatMap((r) => [...(r.errors ?? [])]);
  }

  async dispose(): Promise<void> {
    await this.connection.client.dispose();
  }
}

function describe(e: unknown): unknown {
  if (e && typeof e === 'object' && 'code' in e) return { code: (e as Closed).code, reason: String((e as Closed).reason) };
  return e;
}
