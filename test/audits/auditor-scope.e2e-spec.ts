import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditEngagementsService } from '@app/audits';
import { Actor, addDays, CASE_TIME_ZONE, todayIn } from '@app/common';
import { makeCountermeasure, makeIncident } from '../support/remediation-factory';
import { TestSubscriber } from '../support/graphql-ws-client';
import { errorCode, TestApp, type GqlResponse } from '../support/test-app';

/**
 * Issue 16: an auditor's access limited to their engagements' incidents and to each engagement's end date.
 * An admin sets the limit; a limited auditor reads within scope, is refused another incident (FORBIDDEN
 * OUTSIDE_ENGAGEMENT) and everything after the end (FORBIDDEN ENGAGEMENT_ENDED) but reading themselves; lists
 * leave other incidents out; an auditor who is not limited is unaffected.
 */
const LIMIT = `mutation($input: LimitAuditorAccessInput!) { limitAuditorAccess(input: $input) { userId limited limitedAt } }`;
const reason = (res: GqlResponse) => res.errors?.[0]?.extensions?.['reason'];

describe('auditors limited to their engagements', () => {
  let t: TestApp;
  let a: Awaited<ReturnType<typeof makeIncident>>;
  let b: Awaited<ReturnType<typeof makeIncident>>;
  let cmA: { id: string };
  let cmB: { id: string };
  let engagementA: { id: string };
  let limited: { id: string; token: string };
  let unlimited: { id: string; token: string };
  let admin: string;
  const today = () => todayIn(CASE_TIME_ZONE, new Date());

  beforeAll(async () => {
    t = await TestApp.start();
    a = await makeIncident(t, '事案A（監査対象）');
    b = await makeIncident(t, '事案B（対象外）');
    const ownerA = await a.addMember();
    const ownerB = await b.addMember();
    cmA = await makeCountermeasure(t, a.incident.id, ownerA.user.id, { title: '対策A' });
    cmB = await makeCountermeasure(t, b.incident.id, ownerB.user.id, { title: '対策B' });
    const lead = await t.createUser(['AUDITOR'], { displayName: '外部 監査人' });
    const other = await t.createUser(['AUDITOR'], { displayName: '内部 監査人' });
    limited = { id: lead.user.id, token: (await lead.token())! };
    unlimited = { id: other.user.id, token: (await other.token())! };
    admin = (await (await t.createUser(['ADMIN'])).token())!;
    engagementA = await t.app.get(AuditEngagementsService).create(Actor.system('test'), {
      incidentId: a.incident.id,
      title: '外部監査',
      firm: '株式会社セキュアオーディット',
      leadAuditorId: lead.user.id,
      endsOn: addDays(today(), 30),
    });
  });
  afterAll(async () => t?.close());

  const limitRows = () => t.sql(`SELECT user_id FROM auditor_access_limits`);

  it('only an admin limits an account, only an auditor’s, and the change is in the trail', async () => {
    const byAuditor = await t.gql(LIMIT, { input: { userId: limited.id, limited: true } }, unlimited.token);
    expect(errorCode(byAuditor)).toBe('FORBIDDEN');
    const chief = a.chief.user.id;
    const notAuditor = await t.gql(LIMIT, { input: { userId: chief, limited: true } }, admin);
    expect([errorCode(notAuditor), reason(notAuditor)]).toEqual(['BAD_USER_INPUT', 'NOT_AN_AUDITOR']);
    expect(await limitRows()).toEqual([]);

    const res = await t.gql<{ limitAuditorAccess: { userId: string; limited: boolean; limitedAt: string | null } }>(
      LIMIT,
      { input: { userId: limited.id, limited: true } },
      admin,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.limitAuditorAccess).toMatchObject({ userId: limited.id, limited: true });
    expect(res.data!.limitAuditorAccess.limitedAt).not.toBeNull();
    expect(await limitRows()).toEqual([{ user_id: limited.id }]);
    const shown = await t.gql<{ users: { nodes: { id: string; accessLimitedToEngagements: boolean }[] } }>(
      `{ users(first: 100) { nodes { id accessLimitedToEngagements } } }`,
      {},
      admin,
    );
    expect(shown.errors).toBeUndefined();
    const flags = new Map(shown.data!.users.nodes.map((u) => [u.id, u.accessLimitedToEngagements]));
    expect([flags.get(limited.id), flags.get(unlimited.id)]).toEqual([true, false]);
    const trail = await t.sql(`SELECT action, after FROM audit_trail WHERE entity_id = $1 AND action LIKE 'auditor_access.%'`, [
      limited.id,
    ]);
    expect(trail).toEqual([{ action: 'auditor_access.limited', after: { limitedToEngagements: true } }]);
  });

  it('reads and lists within the engagement’s incident; lists leave the other incident out', async () => {
    const one = await t.gql<{ incident: { title: string } }>(
      `query($id: ID!) { incident(id: $id) { title } }`,
      { id: a.incident.id },
      limited.token,
    );
    expect(one.data?.incident.title).toBe('事案A（監査対象）');
    const cm = await t.gql<{ countermeasure: { title: string } }>(
      `query($id: ID) { countermeasure(id: $id) { title } }`,
      { id: cmA.id },
      limited.token,
    );
    expect(cm.data?.countermeasure.title).toBe('対策A');

    const incidents = await t.gql<{ incidents: { nodes: { id: string }[]; totalCount: number } }>(
      `{ incidents(first: 50) { nodes { id } totalCount } }`,
      {},
      limited.token,
    );
    expect(incidents.data!.incidents.nodes.map((n) => n.id)).toEqual([a.incident.id]);
    expect(incidents.data!.incidents.totalCount).toBe(1);
    const cms = await t.gql<{ countermeasures: { nodes: { id: string }[] } }>(
      `{ countermeasures(first: 50) { nodes { id } } }`,
      {},
      limited.token,
    );
    expect(cms.data!.countermeasures.nodes.map((n) => n.id)).toEqual([cmA.id]);
  });

  it('refuses the other incident, its records and the whole trail with OUTSIDE_ENGAGEMENT; an unlimited auditor reads them', async () => {
    const attempts: [string, Record<string, unknown>][] = [
      [`query($id: ID!) { incident(id: $id) { title } }`, { id: b.incident.id }],
      [`query($id: ID) { countermeasure(id: $id) { title } }`, { id: cmB.id }],
      [`query($f: CountermeasureFilterInput) { countermeasures(filter: $f) { totalCount } }`, { f: { incidentId: b.incident.id } }],
      [`query($i: ID!) { auditStanding(incidentId: $i) { __typename } }`, { i: b.incident.id }],
      [`{ auditTrail(first: 5) { totalCount } }`, {}],
    ];
    for (const [doc, vars] of attempts) {
      const res = await t.gql(doc, vars, limited.token);
      expect([errorCode(res), reason(res)], doc).toEqual(['FORBIDDEN', 'OUTSIDE_ENGAGEMENT']);
      expect(
        Object.values(res.data ?? {}).filter((v) => v !== null),
        doc,
      ).toEqual([]);
      const free = await t.gql(doc, vars, unlimited.token);
      expect(free.errors, doc).toBeUndefined();
    }
  });

  it('answers an id that names no record as bad input, not as an internal error', async () => {
    const res = await t.gql(`query($id: ID) { countermeasure(id: $id) { title } }`, { id: 'CM-001' }, limited.token);
    expect([errorCode(res), reason(res)]).toEqual(['BAD_USER_INPUT', 'INVALID_INPUT']);
  });

  it('refuses a sign-off on the other incident before it runs: nothing written', async () => {
    const before = await t.sql(`SELECT count(*)::int AS n FROM audit_trail`);
    const res = await t.gql(
      `mutation($input: SignOffCountermeasureInput!) { signOffCountermeasure(input: $input) { id } }`,
      { input: { countermeasureId: cmB.id, expectedVersion: 1, statement: '確認しました' } },
      limited.token,
    );
    expect([errorCode(res), reason(res)]).toEqual(['FORBIDDEN', 'OUTSIDE_ENGAGEMENT']);
    expect(await t.sql(`SELECT count(*)::int AS n FROM audit_trail`)).toEqual(before);
    expect(await t.sql(`SELECT count(*)::int AS n FROM countermeasure_sign_offs WHERE countermeasure_id = $1`, [cmB.id])).toEqual([
      { n: 0 },
    ]);
  });

  it('does not let a limited lead move the end date that bounds their own access', async () => {
    const res = await t.gql(
      `mutation($input: UpdateAuditEngagementInput!) { updateAuditEngagement(input: $input) { endsOn } }`,
      { input: { id: engagementA.id, expectedVersion: 1, endsOn: '2099-12-31' } },
      limited.token,
    );
    expect([errorCode(res), reason(res)]).toEqual(['FORBIDDEN', 'NOT_PERMITTED']);
    expect(await t.sql(`SELECT to_char(ends_on, 'YYYY-MM-DD') AS d FROM audit_engagements WHERE id = $1`, [engagementA.id])).toEqual([
      { d: addDays(today(), 30) },
    ]);
  });

  it('refuses the status report of the other incident over HTTP, and asks for the incident when none is named', async () => {
    const get = (query: string) =>
      fetch(`${t.baseUrl}/reports/status.csv${query}`, { headers: { authorization: `Bearer ${limited.token}` } });
    const other = await get(`?incidentId=${b.incident.id}`);
    expect(other.status).toBe(403);
    expect(JSON.stringify(await other.json())).toContain('OUTSIDE_ENGAGEMENT');
    const unnamed = await get('');
    expect(unnamed.status).toBe(400);
    expect(JSON.stringify(await unnamed.json())).toContain('INCIDENT_NOT_NAMED');
  });

  it('refuses a subscription to the other incident, or to every incident, before any event is sent', async () => {
    const CM_CHANGED = `subscription($incidentId: ID) { countermeasureChanged(incidentId: $incidentId) { countermeasureId } }`;
    const cases: [Record<string, unknown>, string][] = [
      [{ incidentId: b.incident.id }, 'OUTSIDE_ENGAGEMENT'],
      [{}, 'INCIDENT_NOT_NAMED'],
    ];
    for (const [variables, expected] of cases) {
      const sub = TestSubscriber.bearer(t, limited.token, CM_CHANGED, variables);
      try {
        await sub.waitForEnd();
        expect(sub.graphqlErrors.map((e) => e.extensions?.['reason'])).toEqual([expected]);
        expect(sub.results.filter((r) => r.data)).toEqual([]);
      } finally {
        await sub.dispose();
      }
    }
  });

  it('after the engagement’s last day (Japan time), refuses everything but reading oneself', async () => {
    await t.sql(`UPDATE audit_engagements SET starts_on = NULL, ends_on = $2 WHERE id = $1`, [engagementA.id, addDays(today(), -1)]);
    try {
      for (const doc of [
        `query($id: ID!) { incident(id: $id) { title } }`,
        `{ incidents(first: 5) { totalCount } }`,
        `{ users(first: 1) { totalCount } }`,
      ]) {
        const res = await t.gql(doc, { id: a.incident.id }, limited.token);
        expect([errorCode(res), reason(res)], doc).toEqual(['FORBIDDEN', 'ENGAGEMENT_ENDED']);
        expect(res.errors![0]!.extensions!['endedOn']).toBe(addDays(today(), -1));
      }
      const me = await t.gql<{ me: { id: string } }>(`{ me { id } }`, {}, limited.token);
      expect(me.data?.me.id).toBe(limited.id);
      // The last day itself is still inside.
      await t.sql(`UPDATE audit_engagements SET ends_on = $2 WHERE id = $1`, [engagementA.id, today()]);
      const onLastDay = await t.gql(`query($id: ID!) { incident(id: $id) { title } }`, { id: a.incident.id }, limited.token);
      expect(onLastDay.errors).toBeUndefined();
    } finally {
      await t.sql(`UPDATE audit_engagements SET ends_on = $2 WHERE id = $1`, [engagementA.id, addDays(today(), 30)]);
    }
  });

  it('lifting the limit gives every incident back', async () => {
    const res = await t.gql(LIMIT, { input: { userId: limited.id, limited: false } }, admin);
    expect(res.errors).toBeUndefined();
    const other = await t.gql(`query($id: ID!) { incident(id: $id) { title } }`, { id: b.incident.id }, limited.token);
    expect(other.data).toEqual({ incident: { title: '事案B（対象外）' } });
    expect(await limitRows()).toEqual([]);
  });
});
