import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCountermeasure, makeIncident } from '../support/remediation-factory';
import { errorCode, TestApp } from '../support/test-app';

const LIST = `query($first: Int, $after: String, $filter: CountermeasureFilterInput, $orderBy: CountermeasureOrder) {
  countermeasures(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    totalCount pageInfo { hasNextPage endCursor } nodes { key title priority dueDate status overdue }
  }
}`;
type Node = { key: string; title: string; priority: string; dueDate: string; status: string; overdue: boolean };
type Res = { countermeasures: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: Node[] } };

describe('listing countermeasures: filters, orders, pages', () => {
  let t: TestApp;
  let token: string;
  let incidentId: string;

  beforeAll(async () => {
    t = await TestApp.start();
    const ctx = await makeIncident(t);
    incidentId = ctx.incident.id;
    const a = await ctx.addMember();
    const b = await ctx.addMember();
    token = await a.token();
    const plan: [string, string, string, string][] = [
      ['アクセス権限の絞り込み', 'HIGH', '2026-09-30', a.user.id],
      ['持ち出し制限の強化', 'CRITICAL', '2027-01-31', a.user.id],
      ['常時監視の導入', 'MEDIUM', '2026-08-15', b.user.id],
      ['注意喚起の掲載', 'LOW', '2027-03-01', b.user.id],
      ['専用ダイヤルの設置', 'CRITICAL', '2026-07-15', a.user.id],
      ['監査の実施', 'HIGH', '2027-02-28', b.user.id],
    ];
    for (const [title, priority, dueDate, ownerId] of plan) {
      await makeCountermeasure(t, incidentId, ownerId, { title, priority: priority as never, dueDate });
    }
  });
  afterAll(async () => t?.close());

  const all = async (variables: Record<string, unknown>, first = 2) => {
    const out: Node[] = [];
    let after: string | null = null;
    for (let i = 0; i < 20; i++) {
      const res: Res = (await t.gql<Res>(LIST, { ...variables, first, after }, token)).data!;
      out.push(...res.countermeasures.nodes);
      if (!res.countermeasures.pageInfo.hasNextPage) break;
      after = res.countermeasures.pageInfo.endCursor;
    }
    return out;
  };

  it('orders by priority (CRITICAL first, then by key) across pages', async () => {
    const nodes = await all({ orderBy: 'PRIORITY' });
    expect(nodes.map((n) => n.priority)).toEqual(['CRITICAL', 'CRITICAL', 'HIGH', 'HIGH', 'MEDIUM', 'LOW']);
    expect(nodes.map((n) => n.key)).toEqual(['CM-002', 'CM-005', 'CM-001', 'CM-006', 'CM-003', 'CM-004']);
  });

  it('orders by due date across pages, and filters by overdue and due-before', async () => {
    expect((await all({ orderBy: 'DUE_DATE' })).map((n) => n.dueDate)).toEqual([
      '2026-07-15',
      '2026-08-15',
      '2026-09-30',
      '2027-01-31',
      '2027-02-28',
      '2027-03-01',
    ]);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo' }).format(new Date());
    const overdue = await all({ filter: { overdue: true } });
    expect(overdue.every((n) => n.overdue && n.dueDate < today)).toBe(true);
    expect(overdue.length).toBe(
      ['2026-07-15', '2026-08-15', '2026-09-30', '2027-01-31', '2027-02-28', '2027-03-01'].filter((d) => d < today).length,
    );
    expect((await all({ filter: { dueBefore: '2027-01-01' } })).map((n) => n.key).sort()).toEqual(['CM-001', 'CM-003', 'CM-005']);
  });

  it('finds Japanese text by any part of the title, and keys', async () => {
    expect((await all({ filter: { search: '制限' } })).map((n) => n.title)).toEqual(['持ち出し制限の強化']);
    expect((await all({ filter: { search: 'ダイヤル' } })).map((n) => n.key)).toEqual(['CM-005']);
    expect((await all({ filter: { search: 'cm-003' } })).map((n) => n.key)).toEqual(['CM-003']);
    expect(await all({ filter: { search: '100%' } })).toEqual([]);
  });

  it('refuses an impossible dueBefore and a cursor of another order', async () => {
    expect(errorCode(await t.gql(LIST, { filter: { dueBefore: '2027-02-30' } }, token))).toBe('BAD_USER_INPUT');
    const page = (await t.gql<Res>(LIST, { first: 1, orderBy: 'KEY' }, token)).data!;
    expect(errorCode(await t.gql(LIST, { first: 1, orderBy: 'PRIORITY', after: page.countermeasures.pageInfo.endCursor }, token))).toBe(
      'BAD_USER_INPUT',
    );
    // Same arity, other order: a due-date cursor given to the priority order.
    const byDue = (await t.gql<Res>(LIST, { first: 1, orderBy: 'DUE_DATE' }, token)).data!;
    expect(errorCode(await t.gql(LIST, { first: 1, orderBy: 'PRIORITY', after: byDue.countermeasures.pageInfo.endCursor }, token))).toBe(
      'BAD_USER_INPUT',
    );
  });

  it('pages across incidents without skipping items that share a key (CM-001 in each)', async () => {
    const other = await makeIncident(t, '別の事案');
    const m = await other.addMember();
    await makeCountermeasure(t, other.incident.id, m.user.id, { title: '別事案の対策1', dueDate: '2026-09-30', priority: 'HIGH' });
    await makeCountermeasure(t, other.incident.id, m.user.id, { title: '別事案の対策2', dueDate: '2026-07-15', priority: 'CRITICAL' });
    for (const orderBy of ['KEY', 'DUE_DATE', 'PRIORITY']) {
      const nodes = await all({ orderBy }, 1);
      expect({ orderBy, n: nodes.length }).toEqual({ orderBy, n: 8 });
      expect(new Set(nodes.map((n) => n.title)).size).toBe(8);
    }
  });
});
