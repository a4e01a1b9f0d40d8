import type { DataSource } from 'typeorm';
import { poolerConnectQuery, sessionSettings, type DatabaseTimeouts } from './data-source-options';
import { DatabaseStartupError } from './migration-lock';

/**
 * Under DATABASE_POOLING=transaction the pool sends no startup options: the
 * pooler's connect_query must give its server connections the settings a direct
 * connection starts with (JIT off, the three timeouts). Read on a pooled
 * connection at start; a difference refuses the start, saying what to put in
 * the pooler's configuration (without it, a stuck transaction could hold the
 * trail's lock, which every write waits on, for ever).
 */
export async function checkPooledSessionSettings(ds: DataSource, timeouts: DatabaseTimeouts): Promise<void> {
  const wanted = sessionSettings(timeouts);
  const rows = (await ds.query(`SELECT name, setting FROM pg_settings WHERE name = ANY($1::text[])`, [wanted.map(([name]) => name)])) as {
    name: string;
    setting: string;
  }[];
  const found = new Map(rows.map((r) => [r.name, r.setting]));
  const wrong = wanted.filter(([name, value]) => found.has(name) && found.get(name) !== value);
  if (wrong.length === 0) return;
  throw new DatabaseStartupError(
    `DATABASE_POOLING=transaction: the connections through the pooler (DATABASE_URL) do not have the settings this server needs: ` +
      wrong.map(([name, value]) => `${name} is ${found.get(name)}, not ${value}`).join('; ') +
      '.\nA transaction pooler passes no startup options, so set them on the database entry in pgbouncer.ini, e.g.\n' +
      `  <db> = host=... dbname=... connect_query='${poolerConnectQuery(timeouts)}'\n` +
      'then reload PgBouncer (RELOAD, and RECONNECT or restart so that its open server connections get them).',
  );
}
