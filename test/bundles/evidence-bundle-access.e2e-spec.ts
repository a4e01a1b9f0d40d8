import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BundleBuilder, BundleWorker } from '@app/bundles';
import { makeCountermeasure, makeIncident } from '../support/remediation-factory';
import { errorCode, TestApp } from '../support/test-app';
import { download, EXPORT, exportBundle, LIST, ONE, waitFor, type ApiBundle } from './bundle-support';

/**
 * Who may export and download evidence bundles, what is refused (and leaves
 * nothing behind), one export of a scope at a time, and a build interrupted by
 * a stop that is picked up again at the next start.
 */
describe('evidence bundles: access, refusals, one export per scope, restart', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-bundles-'));
  let t: TestApp;
  let executive: string;
  let admin: string;
  let taskForce: string;
  let incidentId: string;
  let countermeasureId: string;
  const bundleCount = async () => (await t.sql<{ n: number }>('SELECT count(*)::int AS n FROM evidence_bundles'))[0]!.n;

  beforeAll(async () => {
    t = await TestApp.start({ DATA_DIR: dataDir });
    const ctx = await makeIncident(t, '個人情報漏えい事案（証跡バンドル）');
    incidentId = ctx.incident.id;
    const owner = await ctx.addMember();
    countermeasureId = (await makeCountermeasure(t, incidentId, owner.user.id, { title: 'DB サーバーの停止と隔離' })).id;
    [executive, admin, taskForce] = await Promise.all([
      t.createUser(['EXECUTIVE']).then((u) => u.token()),
      t.createUser(['ADMIN']).then((u) => u.token()),
      owner.token(),
    ]);
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await t?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses a task-force member (FORBIDDEN) and anyone signed out (UNAUTHENTICATED), on the API and the download; nothing is written', async () => {
    const input = { scope: 'INCIDENT', id: incidentId };
    const id = '00000000-0000-4000-8000-000000000000';
    expect(errorCode(await t.gql(EXPORT, { input }, taskForce))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(ONE, { id }, taskForce))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(LIST, {}, taskForce))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(EXPORT, { input }))).toBe('UNAUTHENTICATED');
    expect(errorCode(await t.gql(ONE, { id }))).toBe('UNAUTHENTICATED');
    expect(errorCode(await t.gql(LIST, {}))).toBe('UNAUTHENTICATED');
    expect((await download(t, `/bundles/${id}`, taskForce)).status).toBe(403);
    expect((await download(t, `/bundles/${id}`)).status).toBe(401);
    expect(await bundleCount()).toBe(0);
  });

  it('refuses an as-of in the future (BAD_USER_INPUT), an unknown incident, engagement or countermeasure (NOT_FOUND), an id that is not one (BAD_USER_INPUT)', async () => {
    const unknown = '6f1c2b1e-0000-4000-8000-00000000abcd';
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const res = await t.gql(EXPORT, { input: { scope: 'INCIDENT', id: incidentId, asOf: future } }, executive);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0]!.extensions).toMatchObject({ field: 'asOf' });
    for (const scope of ['INCIDENT', 'ENGAGEMENT', 'COUNTERMEASURE']) {
      expect(errorCode(await t.gql(EXPORT, { input: { scope, id: unknown } }, executive))).toBe('NOT_FOUND');
    }
    expect(errorCode(await t.gql(EXPORT, { input: { scope: 'INCIDENT', id: 'CM-001' } }, executive))).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.gql(ONE, { id: unknown }, executive))).toBe('NOT_FOUND');
    expect((await download(t, `/bundles/${unknown}`, executive)).status).toBe(404);
    expect(await bundleCount()).toBe(0);
  });

  it('allows one export of a scope at a time: a second while the first builds is CONFLICT; other scopes queue; READY downloads', async () => {
    const builder = t.app.get(BundleBuilder);
    const build = builder.build.bind(builder);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    vi.spyOn(builder, 'build').mockImplementationOnce(async (...args) => {
      await held;
      return build(...args);
    });
    let first: ApiBundle;
    let other: ApiBundle;
    try {
      first = await exportBundle(t, executive, { scope: 'COUNTERMEASURE', id: countermeasureId });
      expect(first).toMatchObject({ status: 'QUEUED', scope: 'COUNTERMEASURE', scopeId: countermeasureId, incidentId, sha256: null });
      await waitFor(t, executive, first.id, ['BUILDING']);

      const second = await t.gql(EXPORT, { input: { scope: 'COUNTERMEASURE', id: countermeasureId } }, admin);
      expect(errorCode(second)).toBe('CONFLICT');
      expect(second.errors![0]!.extensions).toMatchObject({ bundleId: first.id });
      expect((await download(t, `/bundles/${first.id}`, executive)).status).toBe(404);
      other = await exportBundle(t, admin, { scope: 'INCIDENT', id: incidentId });
      expect(other.status).toBe('QUEUED');

      const list = await t.gql<{ evidenceBundles: { totalCount: number; nodes: { id: string; status: string }[] } }>(LIST, {}, executive);
      expect(list.data!.evidenceBundles.totalCount).toBe(2);
      expect(list.data!.evidenceBundles.nodes.map((n) => [n.id, n.status])).toEqual([
        [other.id, 'QUEUED'],
        [first.id, 'BUILDING'],
      ]);
    } finally {
      // Never left held (a failed assertion would otherwise hang the app's shutdown).
      release();
    }
    const done = await waitFor(t, executive, first.id);
    expect(done).toMatchObject({ status: 'READY', downloadPath: `/bundles/${first.id}` });
    expect((await waitFor(t, admin, other.id)).status).toBe('READY');
    const res = await download(t, done.downloadPath!, admin);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).length).toBe(done.size);
    // Once READY, the scope may be exported again.
    const third = await exportBundle(t, admin, { scope: 'COUNTERMEASURE', id: countermeasureId });
    expect((await waitFor(t, admin, third.id)).status).toBe('READY');
  });

  it('pages the list newest first', async () => {
    const page1 = await t.gql<{ evidenceBundles: { pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: { id: string }[] } }>(
      LIST,
      { first: 2 },
      executive,
    );
    const page2 = await t.gql<{ evidenceBundles: { pageInfo: { hasNextPage: boolean }; nodes: { id: string }[] } }>(
      LIST,
      { first: 2, after: page1.data!.evidenceBundles.pageInfo.endCursor },
      executive,
    );
    const rows = await t.sql<{ id: string }>('SELECT id FROM evidence_bundles ORDER BY requested_at DESC, id DESC');
    expect(page1.data!.evidenceBundles.pageInfo.hasNextPage).toBe(true);
    expect([...page1.data!.evidenceBundles.nodes, ...page2.data!.evidenceBundles.nodes].map((n) => n.id)).toEqual(rows.map((r) => r.id));
    expect(page2.data!.evidenceBundles.pageInfo.hasNextPage).toBe(false);
  });

  it('builds again, at the next start, a bundle a stop left BUILDING', async () => {
    const before = await t.sql<{ id: string }>(`SELECT id FROM evidence_bundles`);
    await t.close();
    // What a crash in the middle of a build leaves: the row BUILDING, a half-written temp file, no zip.
    const [left] = await t.sql<{ id: string }>(
      `INSERT INTO evidence_bundles (scope, scope_id, incident_id, as_of, status, requested_by_label, requested_at, started_at, files_done, bytes_done)
       VALUES ('COUNTERMEASURE', $1, $2, now(), 'BUILDING', 'auditor@example.com', now(), now(), 3, 1000) RETURNING id`,
      [countermeasureId, incidentId],
    );
    const partial = path.join(dataDir, 'bundles', `${left!.id}.zip.4242.1.part`);
    fs.mkdirSync(path.dirname(partial), { recursive: true });
    fs.writeFileSync(partial, 'PK half a zip');
    const closed = t;
    t = await TestApp.start({ DATA_DIR: dataDir }, { restartOf: closed });
    const token = await (await t.createUser(['AUDITOR'])).token();
    const rebuilt: ApiBundle = await waitFor(t, token, left!.id);
    expect(rebuilt).toMatchObject({ status: 'READY', error: null });
    const res = await download(t, rebuilt.downloadPath!, token);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).length).toBe(rebuilt.size);
    expect((await t.sql(`SELECT id FROM evidence_bundles`)).length).toBe(before.length + 1);
    expect(fs.existsSync(partial)).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'bundles', `${left!.id}.zip`))).toBe(true);
  });

  it("leaves another instance's build in progress alone at a start, and builds it again once that instance's lease runs out", async () => {
    // Another instance (sharing BUNDLE_DIR) is building this one: its lease runs for an hour, its temp file is there.
    const [other] = await t.sql<{ id: string }>(
      `INSERT INTO evidence_bundles (scope, scope_id, incident_id, as_of, status, requested_by_label, requested_at, started_at, files_done, bytes_done, lease_expires_at)
       VALUES ('COUNTERMEASURE', $1, $2, now(), 'BUILDING', 'auditor@example.com', now(), now(), 3, 1000, now() + interval '1 hour') RETURNING id`,
      [countermeasureId, incidentId],
    );
    const partial = path.join(dataDir, 'bundles', `${other!.id}.zip.4243.1.part`);
    fs.writeFileSync(partial, 'PK the other instance is writing');
    await t.close();
    const closed = t;
    t = await TestApp.start({ DATA_DIR: dataDir }, { restartOf: closed });
    await t.app.get(BundleWorker).requeueAbandoned();
    const [held] = await t.sql<{ status: string }>(`SELECT status FROM evidence_bundles WHERE id = $1`, [other!.id]);
    expect(held!.status).toBe('BUILDING');
    expect(fs.existsSync(partial)).toBe(true);

    // That instance died: its lease runs out, and the next look (any instance's) queues the build again.
    await t.sql(`UPDATE evidence_bundles SET lease_expires_at = now() - interval '1 second' WHERE id = $1`, [other!.id]);
    await t.app.get(BundleWorker).requeueAbandoned();
    const token = await (await t.createUser(['AUDITOR'])).token();
    expect(await waitFor(t, token, other!.id)).toMatchObject({ status: 'READY', error: null });
    expect(fs.existsSync(partial)).toBe(false);
    const [done] = await t.sql<{ lease_expires_at: Date | null }>(`SELECT lease_expires_at FROM evidence_bundles WHERE id = $1`, [
      other!.id,
    ]);
    expect(done!.lease_expires_at).toBeNull();
  });

  it('a build whose lease another instance took over writes nothing more: not READY, not FAILED, no export on the trail', async () => {
    const builder = t.app.get(BundleBuilder);
    const original = builder.build.bind(builder);
    let finished!: Promise<unknown>;
    vi.spyOn(builder, 'build').mockImplementationOnce((req, onPlan, onProgress) => {
      // While this build runs, its lease runs out and another instance's look queues it again and claims it.
      finished = t
        .sql(`UPDATE evidence_bundles SET lease_owner = gen_random_uuid() WHERE id = $1`, [req.id])
        .then(() => original(req, onPlan, onProgress));
      return finished as ReturnType<typeof original>;
    });
    // A token of the app as restarted by the tests above.
    const token = await (await t.createUser(['EXECUTIVE'])).token();
    const asked = await exportBundle(t, token, { scope: 'COUNTERMEASURE', id: countermeasureId });
    await vi.waitFor(() => expect(finished).toBeDefined(), { timeout: 60_000 });
    await finished.catch(() => undefined);
    await t.app.get(BundleWorker).kick();
    const [row] = await t.sql<{ status: string; error: string | null }>(`SELECT status, error FROM evidence_bundles WHERE id = $1`, [
      asked.id,
    ]);
    expect(row).toEqual({ status: 'BUILDING', error: null });
    expect(await t.sql(`SELECT 1 FROM audit_trail WHERE entity_id = $1 AND action = 'evidence_bundle.exported'`, [asked.id])).toEqual([]);
    expect(fs.existsSync(path.join(dataDir, 'bundles', `${asked.id}.zip`))).toBe(false);
  });

  // Last: it stops this app's worker.
  it('a build in progress when the server stops goes back to the queue at once, and the next start builds it', async () => {
    const worker = t.app.get(BundleWorker);
    const builder = t.app.get(BundleBuilder);
    const original = builder.build.bind(builder);
    let stopping: Promise<void> | undefined;
    vi.spyOn(builder, 'build').mockImplementationOnce((req, onPlan, onProgress) =>
      original(
        req,
        (plan) => {
          stopping = worker.onModuleDestroy(); // the shutdown arrives while the build runs
          return onPlan(plan);
        },
        onProgress,
      ),
    );
    const token = await (await t.createUser(['EXECUTIVE'])).token();
    const asked = await exportBundle(t, token, { scope: 'INCIDENT', id: incidentId });
    await vi.waitFor(() => expect(stopping).toBeDefined(), { timeout: 60_000 });
    await stopping;
    const [row] = await t.sql<{ status: string; error: string | null; lease_owner: string | null }>(
      `SELECT status, error, lease_owner FROM evidence_bundles WHERE id = $1`,
      [asked.id],
    );
    expect(row).toEqual({ status: 'QUEUED', error: null, lease_owner: null });
    expect(fs.readdirSync(path.join(dataDir, 'bundles')).filter((n) => n.startsWith(asked.id))).toEqual([]);

    await t.close();
    const closed = t;
    t = await TestApp.start({ DATA_DIR: dataDir }, { restartOf: closed });
    const auditor = await (await t.createUser(['AUDITOR'])).token();
    expect(await waitFor(t, auditor, asked.id)).toMatchObject({ status: 'READY', error: null });
  });
});
