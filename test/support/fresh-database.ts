import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { inject } from 'vitest';
import { assertTestDatabase, withDatabase } from './global-setup';

/**
 * A new database copied from the run's migrated template (CREATE DATABASE ... TEMPLATE, on the admin connection),
 * or with `opts.empty` a new empty one (no migration applied: what a first start finds); returns its URL. Its name is the run's (the template's without `_tpl`), then `opts.infix` (default `_`), then 8 random
 * hex digits: `_thr_` gives `<run>_thr_1a2b3c4d`. Nothing drops it here: the run's teardown drops every `<run>*` database.
 */
export async function freshDatabase(opts: { infix?: string; empty?: boolean } = {}): Promise<string> {
  const database = `${inject('dbTemplate').replace(/_tpl$/, '')}${opts.infix ?? '_'}${randomBytes(4).toString('hex')}`;
  assertTestDatabase(database);
  const admin = new Client({ connectionString: inject('dbServerUrl') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${database}"${opts.empty ? '' : ` TEMPLATE "${inject('dbTemplate')}"`}`);
  } finally {
    await admin.end();
  }
  return withDatabase(inject('dbServerUrl'), database);
}

/** Runs one statement on the database at `url` (a connection of its own, closed after) and returns its rows. */
export async function sqlAt<T = Record<string, unknown>>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, values)).rows as T[];
  } finally {
    await c.end();
  }
}
