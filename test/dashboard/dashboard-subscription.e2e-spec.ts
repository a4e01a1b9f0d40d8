import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Actor } from '@app/common';
import { ApiKeysService } from '@app/identity';
import { listeners, TestSubscriber, until } from '../support/graphql-ws-client';
import { makeCountermeasure, makeIncident } from '../support/remediation-factory';
import { errorCode, TestApp } from '../support/test-app';

const CM_CHANGED = `subscription($incidentId: ID) { countermeasureChanged(incidentId: $incidentId) { countermeasureId key incidentId action at } }`;
const DASHBOARD_CHANGED = `subscription($incidentId: ID) { dashboardChanged(incidentId: $incidentId) { at action entityType incidentId changes } }`;
const MOVE = `mutation($input: MoveCountermeasureInput!) { moveCountermeasure(input: $input) { version status } }`;

type CmChanged = { countermeasureChanged: { countermeasureId: string; key: string; incidentId: string; action: string; at: string } };
type DashChanged = { dashboardChanged: { at: string; action: string; entityType: string; incidentId: string | null; changes: number } };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** DASHBOARD_CHANGED_WINDOW_MS: a burst of changes to one incident within it gives one dashboardChanged. */
const WINDOW_MS = 500;

/**
 * countermeasureChanged and dashboardChanged over graphql-ws: fed by the audit
 * trail's notifications at commit (a refused change sends nothing), filtered by
 * incident, and a burst of changes gives one "refetch now".
 */
describe('dashboard subscriptions (graphql-ws)', () => {
  let t: TestApp;
  let ctx: Awaited<ReturnType<typeof makeIncident>>;
  let other: Awaited<ReturnType<typeof makeIncident>>;
  let ownerToken: string;
  let ownerId: string;
  let otherOwnerId: string;
  const open: TestSubscriber<unknown>[] = [];
  const subscribe = <T>(token: string | null, query: string, variables: Record<string, unknown>) => {
    const s = TestSubscriber.bearer<T>(t, token, query, variables);
    open.push(s as TestSubscriber<unknown>);
    return s;
  };

  beforeAll(async () => {
    t = await TestApp.start();
    ctx = await makeIncident(t, '事案 A');
    other = await makeIncident(t, '事案 B');
    const owner = await ctx.addMember();
    ownerId = owner.user.id;
    ownerToken = await owner.token();
    otherOwnerId = (await other.addMember()).user.id;
  });
  afterAll(async () => {
    await Promise.all(open.map((s) => s.dispose()));
    await t?.close();
  });

  it('sends a committed move, not a refused one; one dashboardChanged for the burst; only for its incident', async () => {
    const cm = await makeCountermeasure(t, ctx.incident.id, ownerId, { title: 'アクセス権限の絞り込み' });
    const before = [listeners(t, 'countermeasureChanged'), listeners(t, 'dashboardChanged')];
    const cmSub = subscribe<CmChanged>(ownerToken, CM_CHANGED, { incidentId: ctx.incident.id });
    const dashSub = subscribe<DashChanged>(ownerToken, DASHBOARD_CHANGED, { incidentId: ctx.incident.id });
    const otherSub = subscribe<DashChanged>(ownerToken, DASHBOARD_CHANGED, { incidentId: other.incident.id });
    await until(
      () =>
        (listeners(t, 'countermeasureChanged') > before[0]! && listeners(t, 'dashboardChanged') >= before[1]! + 2) ||
        [cmSub, dashSub, otherSub].some((s) => s.ended),
      'the subscriptions to be live',
    );
    for (const s of [cmSub, dashSub, otherSub]) expect(s.ended, JSON.stringify({ closed: s.closed, error: s.error })).toBe(false);

    // Refused (PLANNED → IMPLEMENTED is no move): nothing committed, nothing sent.
    const refused = await t.gql(MOVE, { input: { id: cm.id, expectedVersion: cm.version, to: 'IMPLEMENTED' } }, ownerToken);
    expect(errorCode(refused)).toBe('CONFLICT');
    await sleep(1_200);
    expect(cmSub.results).toEqual([]);
    expect(dashSub.results).toEqual([]);

    // Committed: the move, and the blocking that follows at once (a burst of two changes).
    const moved = await t.gql<{ moveCountermeasure: { version: number } }>(
      MOVE,
      { input: { id: cm.id, expectedVersion: cm.version, to: 'IN_PROGRESS' } },
      ownerToken,
    );
    expect(moved.errors).toBeUndefined();
    const blocked = await t.gql(
      MOVE,
      { input: { id: cm.id, expectedVersion: moved.data!.moveCountermeasure.version, to: 'BLOCKED', reason: '調達待ち' } },
      ownerToken,
    );
    expect(blocked.errors).toBeUndefined();

    const changes = (await cmSub.waitForResults(2)).map((r) => r.data!.countermeasureChanged);
    expect(changes).toEqual([
      {
        countermeasureId: cm.id,
        key: 'CM-001',
        incidentId: ctx.incident.id,
        action: 'countermeasure.status_changed',
        at: expect.any(String),
      },
      {
        countermeasureId: cm.id,
        key: 'CM-001',
        incidentId: ctx.incident.id,
        action: 'countermeasure.status_changed',
        at: expect.any(String),
      },
    ]);
    // The refetches account for both commits, each change once.
    const counted = () => dashSub.results.reduce((n, r) => n + r.data!.dashboardChanged.changes, 0);
    await until(() => counted() >= 2, 'refetches for both changes');
    await sleep(2 * WINDOW_MS);
    expect(counted()).toBe(2); // and nothing more came
    const refetches = dashSub.results.map((r) => r.data!.dashboardChanged);
    for (const refetch of refetches) {
      expect(refetch).toMatchObject({ action: 'countermeasure.status_changed', entityType: 'Countermeasure', incidentId: ctx.incident.id });
    }
    // Two commits well inside one window are one burst: one refetch. (On a machine so loaded that the
    // second request committed after the window had closed, two refetches of one change each are right.)
    const gapMs = Date.parse(changes[1]!.at) - Date.parse(changes[0]!.at);
    if (gapMs < WINDOW_MS / 2) expect(refetches).toEqual([expect.objectContaining({ changes: 2 })]);
    expect(otherSub.results).toEqual([]); // another incident's subscriber heard nothing

    // A change of the other incident reaches its subscriber only.
    await makeCountermeasure(t, other.incident.id, otherOwnerId);
    const [b] = (await otherSub.waitForResults(1)).map((r) => r.data!.dashboardChanged);
    expect(b).toMatchObject({ action: 'countermeasure.created', incidentId: other.incident.id, changes: 1 });
    await sleep(700);
    expect(cmSub.results).toHaveLength(2);
    expect(dashSub.results).toHaveLength(refetches.length);
    expect([cmSub, dashSub, otherSub].flatMap((s) => s.graphqlErrors)).toEqual([]);
  });

  it('refuses a bad token at connection (4403, nothing sent, nothing leaked), an API key (FORBIDDEN) and an unknown incident (NOT_FOUND)', async () => {
    for (const query of [CM_CHANGED, DASHBOARD_CHANGED]) {
      const s = new TestSubscriber(t, { authorization: 'Bearer not-a-token', query, variables: {} });
      open.push(s);
      await s.waitForEnd();
      expect(s.closed?.code).toBe(4403);
      expect(s.closed?.reason).toBe('Forbidden: The access token is not valid');
      expect(s.results).toEqual([]);
    }
    const key = await t.app.get(ApiKeysService).create(Actor.system('test'), { name: '販促配信システム' });
    const service = subscribe(key.secret, DASHBOARD_CHANGED, {});
    await service.waitForEnd();
    expect(service.graphqlErrors.map((e) => e.extensions?.['code'])).toEqual(['FORBIDDEN']);
    const unknown = subscribe(ownerToken, CM_CHANGED, { incidentId: '00000000-0000-4000-8000-000000000000' });
    await unknown.waitForEnd();
    expect(unknown.graphqlErrors.map((e) => e.extensions?.['code'])).toEqual(['NOT_FOUND']);
  });
});
