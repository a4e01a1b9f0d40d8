import { Client } from 'pg';
import { vi } from 'vitest';

/**
 * Work the server does on its own in the background, not for the request being
 * measured: the gate's webhook dispatcher polls its outbox every second, the
 * e-mail pass claims due mail every minute, and the checkpoint copy worker
 * polls its outbox every second (its statements are marked).
 */
const BACKGROUND = ['gate_webhook_deliveries', 'email_next_attempt_at', '/* checkpoint-copy-worker */'];

function textOf(args: unknown[]): string {
  const first = args[0];
  return typeof first === 'string' ? first : String((first as { text?: unknown } | undefined)?.text ?? '');
}

/**
 * The SQL statements `work` sends, counted at the driver (pg's Client, so a
 * statement sent past TypeORM — the dashboard's prepared one — counts too),
 * leaving out the server's background polling.
 */
export async function countStatements<T>(work: () => Promise<T>): Promise<{ result: T; statements: number; texts: string[] }> {
  const spy = vi.spyOn(Client.prototype, 'query');
  try {
    const result = await work();
    const texts = spy.mock.calls.map((c) => textOf(c)).filter((text) => !BACKGROUND.some((b) => text.includes(b)));
    return { result, statements: texts.length, texts };
  } finally {
    spy.mockRestore();
  }
}
