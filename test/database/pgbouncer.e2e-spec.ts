import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { createClient, type Client as WsClient } from 'graphql-ws';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import { poolerConnectQuery } from '@app/database';
import { sqlAt } from '../support/fresh-database';
import { assertTestDatabase, withDatabase } from '../support/global-setup';
import { startPgBouncer, type PgBouncer } from '../support/pgbouncer';
import {
  childEnv,
  ensureBuild,
  killLeftoverServers,
  newDataDir,
  signInAt,
  startServer,
  startServerFails,
  stopServer,
  type ServerChild,
} from '../support/server-child';

type Gql<T> = { data?: T | null; errors?: { message: string; extensions?: { code?: string } }[] };

const PASSWORD = 'demo-password-2026';
const ADD_EVENT = `mutation($input: AddIncidentEventInput!) { addIncidentEvent(input: $input) { id } }`;
const DASHBOARD_CHANGED = `subscription($incidentId: ID) { dashboardChanged(incidentId: $incidentId) { action incidentId } }`;

/** The app's default timeouts (DB_*_TIMEOUT_MS), which PgBouncer's connect_query must give its server connections. */
const TIMEOUTS = { statementMs: 30_000, lockMs: 10_000, idleInTransactionMs: 60_000 };

/**
 * The request path through a real PgBouncer (Debian's 1.18) in pool_mode=transaction:
 * DATABASE_URL is the pooler (2 server connections shared by the app's pool of 6, so
 * consecutive transactions of one app connection land on different server
 * connections), DATABASE_DIRECT_URL the server (migrations and their lock, LISTEN),
 * DATABASE_POOLING=transaction. Nothing the app does may rely on session state.
 */
describe('the built server behind PgBouncer in transaction pooling', () => {
  let directUrl: string;
  let bouncer: PgBouncer;
  let server: ServerChild;
  let dataDir: string;
  const sockets: WsClient[] = [];

  const gql = async <T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}, token?: string) => {
    const res = await fetch(`${server.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as Gql<T>;
  };
  const ok = <T>(res: Gql<T>): T => {
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    return res.data!;
  };
  const signIn = (email: string) => signInAt(server.baseUrl, { email, password: PASSWORD });
  const direct = <T>(text: string, values: unknown[] = []): Promise<T[]> => sqlAt<T>(directUrl, text, values);

  beforeAll(async () => {
    ensureBuild();
    // An empty database: the server migrates it (over the direct URL) and DEMO=true loads the demo case.
    const database = `${inject('dbTemplate').replace(/_tpl$/, '')}_pgb_${randomBytes(4).toString('hex')}`;
    assertTestDatabase(database);
    const admin = new Client({ connectionString: inject('dbServerUrl') });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${database}"`);
    } finally {
      await admin.end();
    }
    directUrl = withDatabase(inject('dbServerUrl'), database);
    bouncer = await startPgBouncer({ serverUrl: inject('dbServerUrl'), database, poolSize: 2, connectQuery: poolerConnectQuery(TIMEOUTS) });
    dataDir = newDataDir('rt-pgbouncer-');
    server = await startServer(
      childEnv({
        NODE_ENV: 'test',
        DATABASE_URL: bouncer.url,
        DATABASE_DIRECT_URL: directUrl,
        DATABASE_POOLING: 'transaction',
        DATABASE_POOL_SIZE: '6',
        DATA_DIR: dataDir,
        DEMO: 'true',
        LOG_LEVEL: 'warn',
      }),
    );
  }, 300_000);

  afterAll(async () => {
    for (const s of sockets) await s.dispose();
    if (server) await stopServer(server);
    killLeftoverServers();
    await bouncer?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses to start behind a pooler that does not give its connections the settings, saying what to configure', async () => {
    // The same database behind a second PgBouncer whose connect_query sets JIT alone: statement_timeout stays 0.
    const bare = await startPgBouncer({
      serverUrl: inject('dbServerUrl'),
      database: new URL(directUrl).pathname.slice(1),
      poolSize: 1,
      connectQuery: 'SET jit = off',
    });
    const otherDir = newDataDir('rt-pgbouncer-bare-');
    try {
      const { code, stderr } = await startServerFails(
        childEnv({
          NODE_ENV: 'test',
          DATABASE_URL: bare.url,
          DATABASE_DIRECT_URL: directUrl,
          DATABASE_POOLING: 'transaction',
          DATA_DIR: otherDir,
          DEMO: 'false',
          LOG_LEVEL: 'warn',
        }),
      );
      expect(code).toBe(1);
      const told = stderr.slice(stderr.lastIndexOf('The server did not start.'));
      expect(told).toContain('statement_timeout is 0, not 30000');
      expect(told).toContain(`connect_query='${poolerConnectQuery(TIMEOUTS)}'`);
    } finally {
      await bare.stop();
      fs.rmSync(otherDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('signs in, reads and changes the demo case, uploads evidence and delivers a subscription event, all through the pooler', async () => {
    const president = await signIn('president@example.com');
    const [incident] = ok(
      await gql<{ incidents: { nodes: { id: string; title: string }[] } }>(`{ incidents(first: 5) { nodes { id title } } }`, {}, president),
    ).incidents.nodes;
    expect(incident?.title).toBeTruthy();

    // Reads at once, more than PgBouncer's server connections: the dashboard's statement (a named prepared
    // statement on a direct connection) on several pooled connections, each more than once.
    const reads = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        gql<{ dashboard: { incidentId: string; totals: { total: number } } }>(
          i % 2 ? `{ dashboard { incidentId totals { total } } }` : `{ me { displayName roles } }`,
          {},
          president,
        ),
      ),
    );
    for (const r of reads) ok(r);
    const totals = reads.filter((r) => r.data && 'dashboard' in r.data).map((r) => r.data!.dashboard.totals.total);
    expect(totals[0]).toBeGreaterThan(0);
    expect(new Set(totals).size).toBe(1);

    // Writes at once (each one transaction with the trail's advisory xact lock, through the pooler).
    const before = Number(
      (await direct<{ n: string }>(`SELECT count(*) AS n FROM incident_events WHERE incident_id = $1`, [incident!.id]))[0]!.n,
    );
    const writes = await Promise.all(
      ['封じ込め確認', '調査手順の記録', '当局への報告準備', '顧客告知の下書き'].map((description) =>
        gql(
          ADD_EVENT,
          { input: { incidentId: incident!.id, kind: 'INVESTIGATION_STEP', occurredOn: '2026-07-10', description } },
          president,
        ),
      ),
    );
    for (const w of writes) ok(w);
    const after = Number(
      (await direct<{ n: string }>(`SELECT count(*) AS n FROM incident_events WHERE incident_id = $1`, [incident!.id]))[0]!.n,
    );
    expect(after).toBe(before + 4);
    // One chain: no two entries follow the same one.
    const [trail] = await direct<{ entries: string; heads: string }>(
      `SELECT count(*) AS entries, count(DISTINCT prev_hash) AS heads FROM audit_trail`,
    );
    expect(trail!.heads).toBe(trail!.entries);

    // An evidence upload by the owner of work in progress.
    const [target] = await direct<{ requirement_id: string; email: string }>(
      `SELECT r.id AS requirement_id, u.email FROM countermeasure_requirements r
         JOIN countermeasures c ON c.id = r.countermeasure_id JOIN users u ON u.id = c.owner_id
        WHERE c.status = 'IN_PROGRESS' ORDER BY c.title, r.id LIMIT 1`,
    );
    expect(target).toBeDefined();
    const ownerToken = await signIn(target!.email);
    const form = new FormData();
    form.append('requirementId', target!.requirement_id);
    form.append('effectiveOn', new Date().toISOString().slice(0, 10));
    form.append('description', 'プーラー経由の提出');
    form.append('file', new Blob([Buffer.from('項目,結果\nアクセス権限,確認済\n', 'utf8')], { type: 'text/csv' }), '確認記録.csv');
    const uploaded = await fetch(`${server.baseUrl}/evidence/files`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${ownerToken}`, 'apollo-require-preflight': 'true' },
    });
    const body = (await uploaded.json()) as { id?: string; status?: string };
    expect(uploaded.status, JSON.stringify(body)).toBe(201);
    expect(body.status).toBe('SUBMITTED');
    const content = await fetch(`${server.baseUrl}/evidence/${body.id}/content`, { headers: { authorization: `Bearer ${ownerToken}` } });
    expect(content.status).toBe(200);
    expect(await content.text()).toContain('アクセス権限');

    // A subscription (its LISTEN on the direct URL) hears a change made through the pooler. Until the
    // subscription is live a change may pass unheard: change again until one is heard.
    const heard: { action: string; incidentId: string | null }[] = [];
    let failed: unknown;
    const ws = createClient({
      url: `${server.baseUrl.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${president}` },
    });
    sockets.push(ws);
    ws.subscribe<{ dashboardChanged: { action: string; incidentId: string | null } }>(
      { query: DASHBOARD_CHANGED, variables: { incidentId: incident!.id } },
      { next: (r) => void (r.data && heard.push(r.data.dashboardChanged)), error: (e) => void (failed = e), complete: () => undefined },
    );
    for (let attempt = 1; heard.length === 0; attempt++) {
      expect(failed).toBeUndefined();
      if (attempt > 30) throw new Error('no dashboardChanged event was heard');
      ok(
        await gql(
          ADD_EVENT,
          { input: { incidentId: incident!.id, kind: 'OTHER', occurredOn: '2026-07-11', description: `購読確認 ${attempt}` } },
          president,
        ),
      );
      const deadline = Date.now() + 2_000;
      while (heard.length === 0 && failed === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    }
    expect(heard[0]!.incidentId).toBe(incident!.id);
    expect(server.output()).not.toMatch(/unsupported startup parameter|prepared statement .* does not exist/);
  }, 120_000);
});
