import { getDataSourceToken } from '@nestjs/typeorm';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { classifyDatabaseFailure } from '@app/database';
import { TestApp, type GqlResponse } from '../support/test-app';

/** The audit trail's advisory lock (libs/audit-trail/src/audit-trail.service.ts): every write takes it before commit. */
const TRAIL_LOCK_KEY = 7_264_110_001;

const CREATE_INCIDENT = `mutation($input: CreateIncidentInput!) { createIncident(input: $input) { id title } }`;

async function settingsOf(
  ds: DataSource,
): Promise<{ statement_timeout: string; lock_timeout: string; idle_in_transaction_session_timeout: string }> {
  const [row] = (await ds.query(
    `SELECT current_setting('statement_timeout') AS statement_timeout, current_setting('lock_timeout') AS lock_timeout,
            current_setting('idle_in_transaction_session_timeout') AS idle_in_transaction_session_timeout`,
  )) as { statement_timeout: string; lock_timeout: string; idle_in_transaction_session_timeout: string }[];
  return row!;
}

describe('database timeouts: the defaults on every connection of the app', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(async () => t?.close());

  it('statement 30 s, lock 10 s, idle in transaction 60 s, on each pooled connection and inside transactions', async () => {
    const ds = t.app.get<DataSource>(getDataSourceToken());
    // Several at once, so that several pooled connections answer.
    const seen = await Promise.all([1, 2, 3, 4].map(() => settingsOf(ds)));
    for (const s of seen) expect(s).toEqual({ statement_timeout: '30s', lock_timeout: '10s', idle_in_transaction_session_timeout: '1min' });
    const inTx = await ds.transaction(async (em) => (await em.query(`SHOW lock_timeout`)) as { lock_timeout: string }[]);
    expect(inTx[0]!.lock_timeout).toBe('10s');
  });
});

describe('database timeouts: a transaction left idle while holding the audit trail lock does not stop every write', () => {
  let t: TestApp;
  beforeAll(async () => {
    // A short idle limit for the test (long enough for the write's own pauses between
    // statements on a busy machine); no lock or statement limit, so that the write
    // below waits for the lock as long as it is held (without the idle limit: forever).
    t = await TestApp.start({ DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '3000', DB_LOCK_TIMEOUT_MS: '0', DB_STATEMENT_TIMEOUT_MS: '0' });
  });
  afterAll(async () => t?.close());

  const runners: { release(): Promise<void>; isReleased: boolean }[] = [];
  afterEach(async () => {
    for (const r of runners.splice(0)) if (!r.isReleased) await r.release().catch(() => undefined);
  });

  it('the settings given are the ones on the app’s connections', async () => {
    const ds = t.app.get<DataSource>(getDataSourceToken());
    expect(await settingsOf(ds)).toEqual({ statement_timeout: '0', lock_timeout: '0', idle_in_transaction_session_timeout: '3s' });
  });

  it('the server ends the stuck session, its lock goes with it, and a write through GraphQL then succeeds', async () => {
    const admin = await t.createUser(['ADMIN']);
    const token = await admin.token();

    // One of the app's own connections opens a transaction, takes the trail's lock and goes quiet
    // (as a request stuck on a slow call inside a transaction would).
    const ds = t.app.get<DataSource>(getDataSourceToken());
    const stuck = ds.createQueryRunner();
    runners.push(stuck);
    await stuck.startTransaction();
    const [{ pid }] = (await stuck.query('SELECT pg_backend_pid() AS pid')) as { pid: number }[];
    await stuck.query('SELECT pg_advisory_xact_lock($1)', [TRAIL_LOCK_KEY]);

    // Every write appends to the trail and so needs that lock.
    const res = await t.gql<{ createIncident: { id: string; title: string } }>(
      CREATE_INCIDENT,
      { input: { title: '止まった取引の後の事案', detectedOn: '2026-06-22' } },
      token,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.createIncident.title).toBe('止まった取引の後の事案');
    const trail = await t.sql(`SELECT action FROM audit_trail WHERE entity_id = $1`, [res.data!.createIncident.id]);
    expect(trail.length).toBeGreaterThan(0);

    // The stuck session was ended by the server (not merely outwaited), and nothing it held remains.
    const alive = await t.sql(`SELECT pid FROM pg_stat_activity WHERE pid = $1`, [pid]);
    expect(alive).toEqual([]);
    const locks = await t.sql(`SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND pid = $1`, [pid]);
    expect(locks).toEqual([]);

    // The pool replaced the ended connection: the app keeps answering.
    expect((await fetch(`${t.baseUrl}/health`)).status).toBe(200);
  });

  it('the stuck transaction’s own next statement fails with an error classified as the database unavailable (SERVICE_UNAVAILABLE, not an internal error)', async () => {
    const ds = t.app.get<DataSource>(getDataSourceToken());
    const failure = await ds
      .transaction(async (em) => {
        const [{ pid }] = (await em.query('SELECT pg_backend_pid() AS pid')) as { pid: number }[];
        // Quiet inside the transaction until the server has ended the session.
        while ((await t.sql(`SELECT pid FROM pg_stat_activity WHERE pid = $1`, [pid])).length > 0)
          await new Promise((r) => setTimeout(r, 200));
        await em.query('SELECT 1');
      })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(failure).toBeInstanceOf(Error);
    expect(classifyDatabaseFailure(failure)).toBe('DATABASE_UNAVAILABLE');
  });
});

describe('database timeouts: a write that cannot get its lock in time is told to try again', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start({ DB_LOCK_TIMEOUT_MS: '300' });
  });
  afterAll(async () => t?.close());

  it('SERVICE_UNAVAILABLE with reason DATABASE_TIMEOUT (not an internal error), nothing written, and the next write succeeds', async () => {
    const admin = await t.createUser(['ADMIN']);
    const token = await admin.token();
    const holder = new Client({ connectionString: t.databaseUrl });
    await holder.connect();
    let res: GqlResponse<{ createIncident: { id: string } }>;
    try {
      // Another session (say, an operator's psql) holds the trail's lock and does not let go.
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock($1)', [TRAIL_LOCK_KEY]);
      res = await t.gql(CREATE_INCIDENT, { input: { title: '待たされる事案' } }, token);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    }
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'DATABASE_TIMEOUT' });
    expect(await t.sql(`SELECT id FROM incidents WHERE title = $1`, ['待たされる事案'])).toEqual([]);

    const again = await t.gql<{ createIncident: { id: string; title: string } }>(
      CREATE_INCIDENT,
      { input: { title: '待たされる事案' } },
      token,
    );
    expect(again.errors).toBeUndefined();
    expect(again.data!.createIncident.title).toBe('待たされる事案');
  });
});
