import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Actor } from '@app/common';
import { CountermeasureLinksService, countermeasureKey, type CountermeasureEntity } from '@app/countermeasures';
import { makeCountermeasure, makeIncident } from '../support/remediation-factory';
import { countStatements } from '../support/statement-counter';
import { errorCode, TestApp, type GqlResponse } from '../support/test-app';

const FIELDS = 'id key version parent { key } children { key } dependsOn { key } dependents { key }';
const SET_PARENT = `mutation($input: SetCountermeasureParentInput!) { setCountermeasureParent(input: $input) { ${FIELDS} } }`;
const ADD_DEPENDENCY = `mutation($input: AddCountermeasureDependencyInput!) { addCountermeasureDependency(input: $input) { ${FIELDS} } }`;
const REMOVE_DEPENDENCY = `mutation($input: RemoveCountermeasureDependencyInput!) { removeCountermeasureDependency(input: $input) { ${FIELDS} } }`;
const GET = `query($id: ID) { countermeasure(id: $id) { ${FIELDS} } }`;

type Ref = { key: string };
type Cm = { id: string; key: string; version: number; parent: Ref | null; children: Ref[]; dependsOn: Ref[]; dependents: Ref[] };
type Trail = { action: string; actor_label: string; before: Record<string, unknown>; after: Record<string, unknown> };

const UNKNOWN = '00000000-0000-4000-8000-00000000dead';
const TITLES = [
  'アクセス権限の絞り込み',
  '委託先管理の強化',
  '監視体制の構築',
  '全社員へのセキュリティ教育',
  '問い合わせ窓口の設置',
  '退職者アカウントの棚卸し',
];

describe('the structure of the plan: sub-actions and dependencies', () => {
  let t: TestApp;
  let ctx: Awaited<ReturnType<typeof makeIncident>>;
  let chiefToken: string;
  let owner: Awaited<ReturnType<TestApp['createUser']>>;
  let ownerToken: string;
  let n = 0;

  beforeAll(async () => {
    t = await TestApp.start();
    ctx = await makeIncident(t, '受講者情報漏えい事案');
    chiefToken = await ctx.chief.token();
    owner = await ctx.addMember(['TASK_FORCE'], '情報セキュリティ担当');
    ownerToken = await owner.token();
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await t?.close();
  });

  /** A countermeasure of the main incident owned by `owner`, with a Japanese title. */
  const item = (over: Parameters<typeof makeCountermeasure>[3] = {}) =>
    makeCountermeasure(t, ctx.incident.id, owner.user.id, { title: `${TITLES[n++ % TITLES.length]}（${n}）`, ...over });

  const versionOf = async (id: string) =>
    (await t.sql<{ version: number }>('SELECT version FROM countermeasures WHERE id = $1', [id]))[0]!.version;

  const setParent = async (id: string, parentId: string | null, token: string, expectedVersion?: number) =>
    t.gql<{ setCountermeasureParent: Cm }>(
      SET_PARENT,
      { input: { id, parentId, expectedVersion: expectedVersion ?? (await versionOf(id)) } },
      token,
    );
  const addDependency = async (id: string, dependsOnId: string, token: string, expectedVersion?: number) =>
    t.gql<{ addCountermeasureDependency: Cm }>(
      ADD_DEPENDENCY,
      { input: { id, dependsOnId, expectedVersion: expectedVersion ?? (await versionOf(id)) } },
      token,
    );
  const removeDependency = async (id: string, dependsOnId: string, token: string, expectedVersion?: number) =>
    t.gql<{ removeCountermeasureDependency: Cm }>(
      REMOVE_DEPENDENCY,
      { input: { id, dependsOnId, expectedVersion: expectedVersion ?? (await versionOf(id)) } },
      token,
    );
  const get = async (id: string) => (await t.gql<{ countermeasure: Cm }>(GET, { id }, ownerToken)).data!.countermeasure;
  const trailOf = (id: string) =>
    t.sql<Trail>('SELECT action, actor_label, before, after FROM audit_trail WHERE entity_id = $1 ORDER BY seq', [id]);

  /** Everything a link change could touch: every countermeasure row, every dependency, the whole trail. */
  const everything = async () => ({
    countermeasures: await t.sql('SELECT * FROM countermeasures ORDER BY id'),
    dependencies: await t.sql('SELECT * FROM countermeasure_dependencies ORDER BY countermeasure_id, depends_on_id'),
    trail: await t.sql('SELECT seq, action, entity_id, hash FROM audit_trail ORDER BY seq'),
  });

  /** Runs a change that must be refused with this code and reason, and proves that nothing was written. */
  async function refused(change: () => Promise<GqlResponse>, code: string, reason: string) {
    const before = await everything();
    const res = await change();
    expect(res.data ?? null).toBeNull();
    expect({ code: errorCode(res), reason: res.errors?.[0]?.extensions?.reason }).toEqual({ code, reason });
    expect(await everything()).toEqual(before);
    return res.errors![0]!;
  }

  const keyOf = (c: CountermeasureEntity) => countermeasureKey(c.seq);

  it('the chief makes a countermeasure a sub-action of an action plan, then top-level again; each change bumps its version and is in the trail', async () => {
    const plan = await item();
    const sub = await item();

    const set = await setParent(sub.id, plan.id, chiefToken);
    expect(set.errors).toBeUndefined();
    expect(set.data!.setCountermeasureParent).toMatchObject({ id: sub.id, version: 2, parent: { key: keyOf(plan) } });
    expect(await get(plan.id)).toMatchObject({ version: 1, parent: null, children: [{ key: keyOf(sub) }] });

    const cleared = await setParent(sub.id, null, chiefToken);
    expect(cleared.data!.setCountermeasureParent).toMatchObject({ version: 3, parent: null });
    expect((await get(plan.id)).children).toEqual([]);

    const trail = (await trailOf(sub.id)).filter((e) => e.action === 'countermeasure.parent_changed');
    expect(trail.map((e) => [e.actor_label, e.before.parentId, e.after.parentId, e.before.version, e.after.version])).toEqual([
      [ctx.chief.user.email, null, plan.id, 1, 2],
      [ctx.chief.user.email, plan.id, null, 2, 3],
    ]);
    const [row] = await t.sql<{ parent_id: string | null }>('SELECT parent_id FROM countermeasures WHERE id = $1', [sub.id]);
    expect(row!.parent_id).toBeNull();
  });

  it('an admin may also restructure the plan; setting the parent it already has is refused', async () => {
    const plan = await item();
    const sub = await item();
    const admin = await t.createUser(['ADMIN']);
    const adminToken = await admin.token();
    expect((await setParent(sub.id, plan.id, adminToken)).data!.setCountermeasureParent.parent).toEqual({ key: keyOf(plan) });
    await refused(() => setParent(sub.id, plan.id, adminToken), 'BAD_USER_INPUT', 'INVALID_FIELD');
    await refused(() => setParent(plan.id, null, adminToken), 'BAD_USER_INPUT', 'INVALID_FIELD');
  });

  it('refuses a parent cycle: with A above B above C, C cannot become the parent of A; nor can an item be its own parent', async () => {
    const [a, b, c] = [await item(), await item(), await item()];
    expect((await setParent(b.id, a.id, chiefToken)).errors).toBeUndefined();
    expect((await setParent(c.id, b.id, chiefToken)).errors).toBeUndefined();

    const cycle = await refused(() => setParent(a.id, c.id, chiefToken), 'CONFLICT', 'PARENT_CYCLE');
    expect(cycle.extensions!.cycle).toEqual([keyOf(a), keyOf(c), keyOf(b), keyOf(a)]);
    expect(cycle.message).toContain(`${keyOf(a)} → ${keyOf(b)} → ${keyOf(c)}`);
    // Directly below, too.
    await refused(() => setParent(a.id, b.id, chiefToken), 'CONFLICT', 'PARENT_CYCLE');
    const self = await refused(() => setParent(a.id, a.id, chiefToken), 'CONFLICT', 'PARENT_CYCLE');
    expect(self.extensions!.cycle).toEqual([keyOf(a), keyOf(a)]);

    // Moving C to another branch is no cycle.
    const d = await item();
    expect((await setParent(c.id, d.id, chiefToken)).data!.setCountermeasureParent.parent).toEqual({ key: keyOf(d) });
  });

  it('the owner adds and removes a dependency; only the waiting item’s version moves; both ends show it; the trail keeps before and after', async () => {
    const a = await item();
    const b = await item();

    const added = await addDependency(a.id, b.id, ownerToken);
    expect(added.errors).toBeUndefined();
    expect(added.data!.addCountermeasureDependency).toMatchObject({ version: 2, dependsOn: [{ key: keyOf(b) }], dependents: [] });
    expect(await get(b.id)).toMatchObject({ version: 1, dependsOn: [], dependents: [{ key: keyOf(a) }] });
    expect(await t.sql('SELECT * FROM countermeasure_dependencies WHERE countermeasure_id = $1', [a.id])).toEqual([
      { countermeasure_id: a.id, depends_on_id: b.id },
    ]);

    await refused(() => addDependency(a.id, b.id, ownerToken), 'CONFLICT', 'DEPENDENCY_EXISTS');

    const removed = await removeDependency(a.id, b.id, ownerToken);
    expect(removed.data!.removeCountermeasureDependency).toMatchObject({ version: 3, dependsOn: [] });
    expect((await get(b.id)).dependents).toEqual([]);
    await refused(() => removeDependency(a.id, b.id, ownerToken), 'NOT_FOUND', 'DEPENDENCY_NOT_FOUND');

    const trail = (await trailOf(a.id)).filter((e) => e.action.startsWith('countermeasure.dependency_'));
    expect(
      trail.map((e) => [e.action, e.actor_label, e.before.dependsOnIds, e.after.dependsOnIds, e.after.dependsOnKey, e.after.version]),
    ).toEqual([
      ['countermeasure.dependency_added', owner.user.email, [], [b.id], keyOf(b), 2],
      ['countermeasure.dependency_removed', owner.user.email, [b.id], [], keyOf(b), 3],
    ]);
    expect(await trailOf(b.id)).toHaveLength(1); // only its creation
  });

  it('refuses a dependency cycle: with A → B → C, C cannot depend on A; nor can an item depend on itself', async () => {
    const [a, b, c] = [await item(), await item(), await item()];
    expect((await addDependency(a.id, b.id, ownerToken)).errors).toBeUndefined();
    expect((await addDependency(b.id, c.id, ownerToken)).errors).toBeUndefined();

    const cycle = await refused(() => addDependency(c.id, a.id, ownerToken), 'CONFLICT', 'DEPENDENCY_CYCLE');
    expect(cycle.extensions!.cycle).toEqual([keyOf(c), keyOf(a), keyOf(b), keyOf(c)]);
    expect(cycle.message).toContain(`${keyOf(c)} → ${keyOf(a)} → ${keyOf(b)} → ${keyOf(c)}`);
    await refused(() => addDependency(b.id, a.id, ownerToken), 'CONFLICT', 'DEPENDENCY_CYCLE');
    const self = await refused(() => addDependency(a.id, a.id, ownerToken), 'CONFLICT', 'DEPENDENCY_CYCLE');
    expect(self.extensions!.cycle).toEqual([keyOf(a), keyOf(a)]);

    // A shortcut along the same direction is no cycle.
    expect((await addDependency(a.id, c.id, ownerToken)).data!.addCountermeasureDependency.dependsOn).toEqual([
      { key: keyOf(b) },
      { key: keyOf(c) },
    ]);
  });

  it('refuses links to a countermeasure of another incident', async () => {
    const other = await makeIncident(t, '別の事案');
    const foreign = await makeCountermeasure(t, other.incident.id, (await other.addMember()).user.id, { title: '別事案の対策' });
    const mine = await item();
    const byParent = await refused(() => setParent(mine.id, foreign.id, chiefToken), 'BAD_USER_INPUT', 'DIFFERENT_INCIDENT');
    expect(byParent.extensions).toMatchObject({ incidentId: ctx.incident.id, otherIncidentId: other.incident.id });
    await refused(() => addDependency(mine.id, foreign.id, ownerToken), 'BAD_USER_INPUT', 'DIFFERENT_INCIDENT');
    await refused(() => removeDependency(mine.id, foreign.id, ownerToken), 'BAD_USER_INPUT', 'DIFFERENT_INCIDENT');
  });

  it('answers NOT_FOUND for an unknown countermeasure on either end', async () => {
    const mine = await item();
    await refused(() => setParent(UNKNOWN, mine.id, chiefToken, 1), 'NOT_FOUND', 'COUNTERMEASURE_NOT_FOUND');
    await refused(() => setParent(mine.id, UNKNOWN, chiefToken), 'NOT_FOUND', 'COUNTERMEASURE_NOT_FOUND');
    await refused(() => addDependency(UNKNOWN, mine.id, ownerToken, 1), 'NOT_FOUND', 'COUNTERMEASURE_NOT_FOUND');
    await refused(() => addDependency(mine.id, UNKNOWN, ownerToken), 'NOT_FOUND', 'COUNTERMEASURE_NOT_FOUND');
    await refused(() => removeDependency(UNKNOWN, mine.id, ownerToken, 1), 'NOT_FOUND', 'COUNTERMEASURE_NOT_FOUND');
    await refused(() => removeDependency(mine.id, UNKNOWN, ownerToken), 'NOT_FOUND', 'COUNTERMEASURE_NOT_FOUND');
  });

  it('refuses a change sent with a stale version, with CONFLICT and the current version', async () => {
    const [a, b, c] = [await item(), await item(), await item()];
    expect((await addDependency(a.id, b.id, ownerToken)).errors).toBeUndefined(); // a is now at version 2
    for (const change of [
      () => setParent(a.id, c.id, chiefToken, 1),
      () => addDependency(a.id, c.id, ownerToken, 1),
      () => removeDependency(a.id, b.id, ownerToken, 1),
    ]) {
      const error = await refused(change, 'CONFLICT', 'STALE_VERSION');
      expect(error.extensions).toMatchObject({ expectedVersion: 1, currentVersion: 2 });
    }
  });

  it('refuses the structure to members who are neither owner, contributor nor chief (FORBIDDEN); the owner may not restructure parents', async () => {
    const plan = await item();
    const a = await item();
    const b = await item();
    expect((await addDependency(a.id, b.id, ownerToken)).errors).toBeUndefined();
    const member = await ctx.addMember(['TASK_FORCE'], '法務担当');
    const memberToken = await member.token();
    const executive = await t.createUser(['EXECUTIVE']); // an executive who is not the chief
    const executiveToken = await executive.token();
    const auditor = await t.createUser(['AUDITOR']);
    const auditorToken = await auditor.token();

    for (const token of [memberToken, executiveToken, auditorToken]) {
      await refused(() => setParent(a.id, plan.id, token), 'FORBIDDEN', token === auditorToken ? 'PERMISSION_DENIED' : 'NOT_PERMITTED');
      await refused(() => addDependency(b.id, plan.id, token), 'FORBIDDEN', token === auditorToken ? 'PERMISSION_DENIED' : 'NOT_PERMITTED');
      await refused(() => removeDependency(a.id, b.id, token), 'FORBIDDEN', token === auditorToken ? 'PERMISSION_DENIED' : 'NOT_PERMITTED');
    }
    // The owner plans the dependencies of their own item, but not where it sits in the plan.
    await refused(() => setParent(a.id, plan.id, ownerToken), 'FORBIDDEN', 'NOT_PERMITTED');

    // A contributor and the chief may change dependencies.
    const contributor = await ctx.addMember();
    const shared = await item({ contributorIds: [contributor.user.id] });
    expect((await addDependency(shared.id, plan.id, await contributor.token())).errors).toBeUndefined();
    expect((await removeDependency(shared.id, plan.id, chiefToken)).errors).toBeUndefined();
  });

  it('two dependencies added at the same moment that together would form a cycle (A → B and B → A): exactly one succeeds', async () => {
    const pairs = [];
    for (let i = 0; i < 5; i++) pairs.push([await item(), await item()] as const);
    const tokens = [ownerToken, chiefToken];
    const results = await Promise.all(
      pairs.flatMap(([a, b]) => [addDependency(a.id, b.id, tokens[0]!, 1), addDependency(b.id, a.id, tokens[1]!, 1)]),
    );
    for (let i = 0; i < pairs.length; i++) {
      const [a, b] = pairs[i]!;
      const [ab, ba] = [results[2 * i]!, results[2 * i + 1]!];
      const outcomes = [ab, ba].map((r) => (r.errors ? `${errorCode(r)}/${String(r.errors[0]!.extensions!.reason)}` : 'ok')).sort();
      expect(outcomes).toEqual(['CONFLICT/DEPENDENCY_CYCLE', 'ok']);
      const edges = await t.sql('SELECT * FROM countermeasure_dependencies WHERE countermeasure_id = ANY($1)', [[a.id, b.id]]);
      expect(edges).toHaveLength(1);
      const trail = await t.sql('SELECT entity_id FROM audit_trail WHERE action = $1 AND entity_id = ANY($2)', [
        'countermeasure.dependency_added',
        [a.id, b.id],
      ]);
      expect(trail).toEqual([{ entity_id: (edges[0] as { countermeasure_id: string }).countermeasure_id }]);
    }
  });

  it('two parents set at the same moment that together would form a cycle (A under B and B under A): exactly one succeeds', async () => {
    const a = await item();
    const b = await item();
    const results = await Promise.all([setParent(a.id, b.id, chiefToken, 1), setParent(b.id, a.id, chiefToken, 1)]);
    const outcomes = results.map((r) => (r.errors ? `${errorCode(r)}/${String(r.errors[0]!.extensions!.reason)}` : 'ok')).sort();
    expect(outcomes).toEqual(['CONFLICT/PARENT_CYCLE', 'ok']);
    const rows = await t.sql<{ parent_id: string | null }>(
      'SELECT parent_id FROM countermeasures WHERE id = ANY($1) AND parent_id IS NOT NULL',
      [[a.id, b.id]],
    );
    expect(rows).toHaveLength(1);
  });

  /**
   * No N+1 on the structure: parent, children, dependsOn and dependents of a
   * page load in a fixed number of batches, whatever the page size.
   */
  describe('a page of countermeasures with their structure', () => {
    let token: string;
    let incidentId: string;

    beforeAll(async () => {
      const other = await makeIncident(t, '構造の一覧');
      incidentId = other.incident.id;
      const member = await other.addMember();
      token = await member.token();
      const links = t.app.get(CountermeasureLinksService);
      const system = Actor.system('test-factory');
      const items: CountermeasureEntity[] = [];
      for (let i = 0; i < 40; i++)
        items.push(await makeCountermeasure(t, incidentId, member.user.id, { title: `${TITLES[i % TITLES.length]}（${i}）` }));
      // A binary tree of sub-actions (CM-001 above CM-002 and CM-003, ...) and a chain of dependencies (CM-002 waits for CM-001, ...).
      for (let i = 1; i < items.length; i++) {
        await links.setCountermeasureParent(system, items[i]!.id, 1, items[Math.floor((i - 1) / 2)]!.id);
        await links.addCountermeasureDependency(system, items[i]!.id, 2, items[i - 1]!.id);
      }
    });

    const PAGE = `query($first: Int, $incidentId: ID) {
      countermeasures(first: $first, filter: { incidentId: $incidentId }) {
        nodes { key parent { key } children { key } dependsOn { key dependsOn { key } } dependents { key } }
      }
    }`;

    async function statementsFor(first: number) {
      const { result: res, statements } = await countStatements(() =>
        t.gql<{ countermeasures: { nodes: { key: string; parent: Ref | null; children: Ref[]; dependsOn: Ref[]; dependents: Ref[] }[] } }>(
          PAGE,
          { first, incidentId },
          token,
        ),
      );
      expect(res.errors).toBeUndefined();
      return { nodes: res.data!.countermeasures.nodes, statements };
    }

    it('shows each item’s parent, children and dependencies, at the same number of SQL statements for 5 items as for 40', async () => {
      const small = await statementsFor(5);
      const large = await statementsFor(40);
      expect(large.nodes).toHaveLength(40);
      expect(large.nodes[1]).toMatchObject({
        key: 'CM-002',
        parent: { key: 'CM-001' },
        dependsOn: [{ key: 'CM-001' }],
        dependents: [{ key: 'CM-003' }],
      });
      expect(large.nodes[0]).toMatchObject({ parent: null, children: [{ key: 'CM-002' }, { key: 'CM-003' }], dependsOn: [] });
      expect(large.nodes[39]).toMatchObject({ key: 'CM-040', parent: { key: 'CM-020' }, children: [], dependents: [] });
      expect(small.statements).toBeGreaterThanOrEqual(5);
      // DataLoader merges the loads that fall in one tick; whether the nested level's loads share a
      // tick with the first level's depends on timing, so the count may differ by one batch, never
      // by the page size (an N+1 would add dozens of statements for 40 items against 5).
      expect(Math.abs(large.statements - small.statements)).toBeLessThanOrEqual(1);
      // Authentication, count + page; then children, the two kinds of edges and the items at their ends, and the nested dependsOn level.
      expect(large.statements).toBeLessThanOrEqual(10);
    });
  });
});
