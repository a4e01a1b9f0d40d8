import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { ClsServiceManager } from 'nestjs-cls';
import { Client } from 'pg';
import { vi } from 'vitest';
import { SESSION_SEEN } from '@app/identity';

/**
 * Work that a measured request wakes but that is not its own: the gate's webhook dispatcher, the e-mail pass and
 * the checkpoint copy worker, each kicked by a change (their statements are recognised by their text); and the
 * session's "last seen" mark, sent at most once a minute, so that whether a request sends it depends on the clock.
 */
const NOT_THE_REQUESTS = ['gate_webhook_deliveries', 'email_next_attempt_at', '/* checkpoint-copy-worker */', `/* ${SESSION_SEEN} */`];

/** The measurement under way (its requests' id prefix), in the async context of the measured work. */
const measuring = new AsyncLocalStorage<{ prefix: string; sent: number }>();

function textOf(args: unknown[]): string {
  const first = args[0];
  return typeof first === 'string' ? first : String((first as { text?: unknown } | undefined)?.text ?? '');
}

/**
 * The SQL statements `work` causes, counted at the driver (pg's Client, so a statement sent past TypeORM — the
 * dashboard's prepared one — counts too). A statement counts if it is sent in the work's own async context (a
 * service called directly) or while serving a request the work sent: every `fetch` the work makes carries an
 * x-request-id of this measurement, which the server keeps as its request's CLS id. Anything else the process
 * does meanwhile — a worker's timer (the bundle worker's lease look every 30 s), a request of another — is left
 * out whenever it happens to run, and so are the statements in NOT_THE_REQUESTS.
 */
export async function countStatements<T>(work: () => Promise<T>): Promise<{ result: T; statements: number; texts: string[] }> {
  const query = Client.prototype.query;
  const texts: string[] = [];
  const mine = new Set<string>();
  const spy = vi.spyOn(Client.prototype, 'query').mockImplementation(function (this: Client, ...args: unknown[]) {
    const requestId = ClsServiceManager.getClsService().isActive() ? ClsServiceManager.getClsService().getId() : undefined;
    if (measuring.getStore() || (requestId !== undefined && mine.has(requestId))) texts.push(textOf(args));
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query);
  const fetch = globalThis.fetch;
  const fetchSpy = vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
    const m = measuring.getStore();
    if (!m) return fetch(input, init);
    const id = `${m.prefix}-${++m.sent}`;
    mine.add(id);
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    headers.set('x-request-id', id);
    return fetch(input, { ...init, headers });
  });
  try {
    const result = await measuring.run({ prefix: `count-${randomUUID()}`, sent: 0 }, work);
    const counted = texts.filter((text) => !NOT_THE_REQUESTS.some((b) => text.includes(b)));
    return { result, statements: counted.length, texts: counted };
  } finally {
    spy.mockRestore();
    fetchSpy.mockRestore();
  }
}
