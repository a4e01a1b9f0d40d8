import { IncidentEntity } from '@app/incidents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeIncident } from '../support/remediation-factory';
import { errorCode, TestApp } from '../support/test-app';

const PAGE = `query($first: Int, $after: String) { incidents(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id title } } }`;
type Res = {
  incidents: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: { id: string; title: string }[] };
};

describe('reading incidents', () => {
  let t: TestApp;
  let ctx: Awaited<ReturnType<typeof makeIncident>>;
  let token: string;
  beforeAll(async () => {
    t = await TestApp.start();
    ctx = await makeIncident(t, '第一の事案');
    token = await ctx.chief.token();
    // Three incidents created in one transaction share created_at to the microsecond.
    await ctx.ds.getRepository(IncidentEntity).save([
      { title: '事案A', summary: '' },
      { title: '事案B', summary: '' },
      { title: '事案C', summary: '' },
    ]);
  });
  afterAll(async () => t?.close());

  it('pages one by one through incidents created at the same instant, none skipped or repeated', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 10; i++) {
      const res: Res = (await t.gql<Res>(PAGE, { first: 1, after }, token)).data!;
      seen.push(...res.incidents.nodes.map((n) => n.title));
      if (!res.incidents.pageInfo.hasNextPage) break;
      after = res.incidents.pageInfo.endCursor;
    }
    expect(seen.sort()).toEqual(['事案A', '事案B', '事案C', '第一の事案'].sort());
  });

  it('refuses a cursor it did not issue with BAD_USER_INPUT', async () => {
    const forged = Buffer.from(JSON.stringify(['x', 'y'])).toString('base64url');
    expect(errorCode(await t.gql(PAGE, { after: forged }, token))).toBe('BAD_USER_INPUT');
  });

  it('two changes in one request: the second answer includes both', async () => {
    const res = await t.gql<{ a: { timeline: { description: string }[] }; b: { timeline: { description: string }[] } }>(
      `mutation($a: AddIncidentEventInput!, $b: AddIncidentEventInput!) {
        a: addIncidentEvent(input: $a) { timeline { description } }
        b: addIncidentEvent(input: $b) { timeline { description } }
      }`,
      {
        a: { incidentId: ctx.incident.id, occurredOn: '2026-07-09', kind: 'PUBLIC_DISCLOSURE', description: '公表' },
        b: { incidentId: ctx.incident.id, occurredOn: '2026-07-10', kind: 'CUSTOMER_NOTICE', description: 'お詫び状送付' },
      },
      token,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.a.timeline.map((e) => e.description)).toEqual(['公表']);
    expect(res.data!.b.timeline.map((e) => e.description)).toEqual(['公表', 'お詫び状送付']);
  });
});

describe('updating an incident with the values it already has', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(async () => t?.close());

  it('is refused as no change: the version and the trail stay as they were', async () => {
    const ctx = await makeIncident(t, '変更なし確認');
    const token = await ctx.chief.token();
    const before = {
      row: await t.sql('SELECT version FROM incidents WHERE id = $1', [ctx.incident.id]),
      trail: await t.sql('SELECT seq FROM audit_trail'),
    };
    const res = await t.gql(
      `mutation($input: UpdateIncidentInput!) { updateIncident(input: $input) { version } }`,
      { input: { id: ctx.incident.id, expectedVersion: ctx.incident.version, title: '変更なし確認' } },
      token,
    );
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect({
      row: await t.sql('SELECT version FROM incidents WHERE id = $1', [ctx.incident.id]),
      trail: await t.sql('SELECT seq FROM audit_trail'),
    }).toEqual(before);
    const changed = await t.gql<{ updateIncident: { version: number } }>(
      `mutation($input: UpdateIncidentInput!) { updateIncident(input: $input) { version } }`,
      { input: { id: ctx.incident.id, expectedVersion: ctx.incident.version, title: '変更なし確認', summary: '新しい概要' } },
      token,
    );
    expect(changed.data!.updateIncident.version).toBe(ctx.incident.version + 1);
  });
});
