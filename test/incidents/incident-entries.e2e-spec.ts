import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Actor } from '@app/common';
import { CountermeasureTargetsService } from '@app/countermeasures';
import { makeCountermeasure, makeIncident } from '../support/remediation-factory';
import { errorCode, TestApp, type GqlResponse } from '../support/test-app';

/**
 * Correcting and removing entries of an incident's timeline and inventory: a
 * compliance record never loses history, so every correction names the
 * incident's version and a reason, the trail keeps the entry before and after,
 * and a removed entry stays (hidden from the lists unless asked for).
 */
const REMOVAL = 'removedAt removedByLabel removalReason';
const LISTS = (args = '') => `
  timeline${args} { id occurredOn kind description ${REMOVAL} }
  systems${args} { id name description leakSource holdsCustomerData ${REMOVAL} }
  dataCategories${args} { id name leaked ${REMOVAL} }
  parties${args} { id kind name role ${REMOVAL} }`;
const INCIDENT = `id version ${LISTS()}`;
const m = (name: string, input: string) => `mutation($input: ${input}!) { ${name}(input: $input) { ${INCIDENT} } }`;
const ADD_EVENT = m('addIncidentEvent', 'AddIncidentEventInput');
const ADD_SYSTEM = m('addIncidentSystem', 'AddIncidentSystemInput');
const ADD_CATEGORY = m('addIncidentDataCategory', 'AddIncidentDataCategoryInput');
const ADD_PARTY = m('addIncidentParty', 'AddIncidentPartyInput');
const UPDATE_EVENT = m('updateIncidentEvent', 'UpdateIncidentEventInput');
const UPDATE_SYSTEM = m('updateIncidentSystem', 'UpdateIncidentSystemInput');
const UPDATE_CATEGORY = m('updateIncidentDataCategory', 'UpdateIncidentDataCategoryInput');
const UPDATE_PARTY = m('updateIncidentParty', 'UpdateIncidentPartyInput');
const REMOVE_EVENT = m('removeIncidentEvent', 'RemoveIncidentEventInput');
const REMOVE_SYSTEM = m('removeIncidentSystem', 'RemoveIncidentSystemInput');
const REMOVE_CATEGORY = m('removeIncidentDataCategory', 'RemoveIncidentDataCategoryInput');
const REMOVE_PARTY = m('removeIncidentParty', 'RemoveIncidentPartyInput');
const VERIFY = `{ verifyAuditTrail { intact entriesChecked } }`;

interface Removal {
  removedAt: string | null;
  removedByLabel: string | null;
  removalReason: string | null;
}
type Event = { id: string; occurredOn: string; kind: string; description: string } & Removal;
type System = { id: string; name: string; description: string; leakSource: boolean; holdsCustomerData: boolean } & Removal;
type Category = { id: string; name: string; leaked: boolean } & Removal;
type Party = { id: string; kind: string; name: string; role: string } & Removal;
interface Incident {
  id: string;
  version: number;
  timeline: Event[];
  systems: System[];
  dataCategories: Category[];
  parties: Party[];
}
type User = Awaited<ReturnType<TestApp['createUser']>>;
type Ctx = Awaited<ReturnType<typeof makeIncident>>;
type Trail = {
  action: string;
  actor_label: string;
  entity_type: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
};

const UNKNOWN = '00000000-0000-4000-8000-00000000abcd';
const NOT_REMOVED: Removal = { removedAt: null, removedByLabel: null, removalReason: null };

function only<T>(res: GqlResponse<Record<string, T>>): T {
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return Object.values(res.data!)[0]!;
}

describe('incidents: correcting and removing timeline and inventory entries', () => {
  let t: TestApp;
  let ctx: Ctx;
  let chiefToken: string;
  let member: User;
  let memberToken: string;
  let executive: User;
  let executiveToken: string;
  let adminToken: string;
  let outsiderToken: string;
  let auditorToken: string;
  // The entries of the incident under test, by name.
  let ids: Record<string, string>;

  /** Every row a correction could touch, and the trail, to prove a refused call wrote nothing. */
  const stateOf = async (incidentId: string) => ({
    incident: await t.sql('SELECT * FROM incidents WHERE id = $1', [incidentId]),
    events: await t.sql('SELECT * FROM incident_events WHERE incident_id = $1 ORDER BY id', [incidentId]),
    systems: await t.sql('SELECT * FROM incident_systems WHERE incident_id = $1 ORDER BY id', [incidentId]),
    categories: await t.sql('SELECT * FROM incident_data_categories WHERE incident_id = $1 ORDER BY id', [incidentId]),
    parties: await t.sql('SELECT * FROM incident_parties WHERE incident_id = $1 ORDER BY id', [incidentId]),
    targets: await t.sql('SELECT * FROM countermeasure_targets ORDER BY id'),
    trail: await t.sql('SELECT count(*)::int AS n, max(seq)::text AS head FROM audit_trail'),
  });
  const trailOf = (incidentId: string, action: string) =>
    t.sql<Trail>(
      'SELECT action, actor_label, entity_type, before, after FROM audit_trail WHERE entity_id = $1 AND action = $2 ORDER BY seq',
      [incidentId, action],
    );
  const versionOf = async (incidentId: string) =>
    (await t.sql<{ version: number }>('SELECT version FROM incidents WHERE id = $1', [incidentId]))[0]!.version;
  const incidentOf = async (id: string, token: string, args = '') =>
    only(await t.gql<{ incident: Incident }>(`query($id: ID!) { incident(id: $id) { id version ${LISTS(args)} } }`, { id }, token));

  beforeAll(async () => {
    t = await TestApp.start();
    adminToken = await (await t.createUser(['ADMIN'])).token();
    executive = await t.createUser(['EXECUTIVE'], { displayName: '佐藤 一郎', displayNameKana: 'さとう いちろう' });
    executiveToken = await executive.token();
    auditorToken = await (await t.createUser(['AUDITOR'])).token();
    outsiderToken = await (await t.createUser(['TASK_FORCE'])).token(); // on no task force of this incident

    ctx = await makeIncident(t, '訂正テスト事案');
    chiefToken = await ctx.chief.token();
    member = await ctx.addMember(['TASK_FORCE'], '顧客対応担当');
    memberToken = await member.token();
    const incidentId = ctx.incident.id;
    let incident!: Incident;
    for (const [doc, input] of [
      [ADD_EVENT, { occurredOn: '2026-06-22', kind: 'DETECTED', description: 'お問い合わせが急増。調査を開始' }],
      [ADD_EVENT, { occurredOn: '2026-07-09', kind: 'PUBLIC_DISCLOSURE', description: '個人情報漏えいについて公表' }],
      [ADD_EVENT, { occurredOn: '2026-07-01', kind: 'OTHER', description: '誤って登録した出来事' }],
      [ADD_SYSTEM, { name: '当該データベース（漏えい元）', leakSource: true }],
      [ADD_SYSTEM, { name: '受講者管理ＤＢ', description: '現在の受講者' }],
      [ADD_SYSTEM, { name: '会員Webサイト', description: 'アカウント情報' }],
      [ADD_CATEGORY, { name: '郵便番号', leaked: true }],
      [ADD_CATEGORY, { name: '成績情報', leaked: true }],
      [ADD_CATEGORY, { name: 'メールアドレス', leaked: true }],
      [ADD_PARTY, { kind: 'POLICE', name: '警察', role: '捜査' }],
      [ADD_PARTY, { kind: 'OTHER', name: '調査会社', role: '名簿の入手' }],
    ] as const) {
      incident = only(await t.gql<Record<string, Incident>>(doc, { input: { incidentId, ...input } }, chiefToken));
    }
    ids = Object.fromEntries(
      [...incident.timeline.map((e) => [e.description, e.id]), ...incident.systems, ...incident.dataCategories, ...incident.parties].map(
        (x) => (Array.isArray(x) ? x : [x.name, x.id]),
      ),
    );
    expect(incident.version).toBe(1);
  });
  afterAll(async () => t?.close());

  describe('corrections', () => {
    it('the chief corrects a system (name and a flag) with the incident version and a reason; the version moves on; the trail keeps before, after and why', async () => {
      const id = ctx.incident.id;
      const res = await t.gql<{ updateIncidentSystem: Incident }>(
        UPDATE_SYSTEM,
        {
          input: {
            incidentId: id,
            systemId: ids['受講者管理ＤＢ'],
            expectedVersion: 1,
            reason: '正式名称に訂正（社内台帳による）',
            name: ' 受講者管理データベース ',
            holdsCustomerData: true,
            leakSource: false,
          },
        },
        chiefToken,
      );
      const incident = only(res);
      expect(incident.version).toBe(2);
      expect(incident.systems.find((s) => s.id === ids['受講者管理ＤＢ'])).toEqual({
        id: ids['受講者管理ＤＢ'],
        name: '受講者管理データベース',
        description: '現在の受講者',
        leakSource: false,
        holdsCustomerData: true,
        ...NOT_REMOVED,
      });
      const [entry] = await trailOf(id, 'incident.system_updated');
      expect(entry).toEqual({
        action: 'incident.system_updated',
        actor_label: ctx.chief.user.email,
        entity_type: 'Incident',
        before: {
          system: {
            id: ids['受講者管理ＤＢ'],
            name: '受講者管理ＤＢ',
            description: '現在の受講者',
            leakSource: false,
            holdsCustomerData: true,
          },
        },
        after: {
          system: {
            id: ids['受講者管理ＤＢ'],
            name: '受講者管理データベース',
            description: '現在の受講者',
            leakSource: false,
            holdsCustomerData: true,
          },
          reason: '正式名称に訂正（社内台帳による）',
          incidentVersion: 2,
        },
      });
    });

    it('a task-force member corrects the day and text of an event; the timeline is re-sorted; an executive corrects a data category and a party (an empty role clears it)', async () => {
      const id = ctx.incident.id;
      let incident = only(
        await t.gql<{ updateIncidentEvent: Incident }>(
          UPDATE_EVENT,
          {
            input: {
              incidentId: id,
              eventId: ids['お問い合わせが急増。調査を開始'],
              expectedVersion: 2,
              reason: '受付記録で日付を確認',
              occurredOn: '2026-06-20',
              kind: 'DETECTED',
            },
          },
          memberToken,
        ),
      );
      expect(incident.version).toBe(3);
      expect(incident.timeline.map((e) => [e.occurredOn, e.kind, e.description])).toEqual([
        ['2026-06-20', 'DETECTED', 'お問い合わせが急増。調査を開始'],
        ['2026-07-01', 'OTHER', '誤って登録した出来事'],
        ['2026-07-09', 'PUBLIC_DISCLOSURE', '個人情報漏えいについて公表'],
      ]);
      const [eventEntry] = await trailOf(id, 'incident.event_updated');
      expect(eventEntry).toMatchObject({
        actor_label: member.user.email,
        before: { event: { occurredOn: '2026-06-22', kind: 'DETECTED' } },
        after: { event: { occurredOn: '2026-06-20', kind: 'DETECTED' }, reason: '受付記録で日付を確認', incidentVersion: 3 },
      });

      incident = only(
        await t.gql<{ updateIncidentDataCategory: Incident }>(
          UPDATE_CATEGORY,
          {
            input: {
              incidentId: id,
              dataCategoryId: ids['成績情報'],
              expectedVersion: 3,
              reason: '調査会社の照合結果：成績情報は含まれていない',
              leaked: false,
            },
          },
          executiveToken,
        ),
      );
      expect(incident.dataCategories.map((c) => [c.name, c.leaked])).toEqual([
        ['メールアドレス', true],
        ['郵便番号', true],
        ['成績情報', false],
      ]);
      incident = only(
        await t.gql<{ updateIncidentParty: Incident }>(
          UPDATE_PARTY,
          {
            input: {
              incidentId: id,
              partyId: ids['調査会社'],
              expectedVersion: 4,
              reason: '役割の記載は不要',
              kind: 'INVESTIGATION_FIRM',
              role: '',
            },
          },
          executiveToken,
        ),
      );
      expect(incident.version).toBe(5);
      expect(incident.parties.find((p) => p.id === ids['調査会社'])).toMatchObject({
        kind: 'INVESTIGATION_FIRM',
        name: '調査会社',
        role: '',
      });
      const [partyEntry] = await trailOf(id, 'incident.party_updated');
      expect(partyEntry).toMatchObject({
        actor_label: executive.user.email,
        before: { party: { kind: 'OTHER', role: '名簿の入手' } },
        after: { party: { kind: 'INVESTIGATION_FIRM', role: '' }, reason: '役割の記載は不要', incidentVersion: 5 },
      });
    });

    it('refuses bad input, strangers and stale versions with a clear code, and changes nothing (rows and trail)', async () => {
      const id = ctx.incident.id;
      const other = await makeIncident(t, '別の事案');
      const otherSystem = only(
        await t.gql<{ addIncidentSystem: Incident }>(
          ADD_SYSTEM,
          { input: { incidentId: other.incident.id, name: '他事案のＤＢ' } },
          adminToken,
        ),
      ).systems[0]!.id;
      const v = await versionOf(id);
      const sys = ids['会員Webサイト'];
      const ev = ids['個人情報漏えいについて公表'];
      const why = '訂正';
      const before = await stateOf(id);
      const cases: [string, Record<string, unknown>, string, string, string | undefined, Record<string, unknown>?][] = [
        [
          UPDATE_SYSTEM,
          { incidentId: id, systemId: UNKNOWN, expectedVersion: v, reason: why, name: 'x' },
          adminToken,
          'NOT_FOUND',
          'ENTRY_NOT_FOUND',
          { list: 'systems', id: UNKNOWN },
        ],
        [
          UPDATE_EVENT,
          { incidentId: id, eventId: sys, expectedVersion: v, reason: why, description: 'x' },
          adminToken,
          'NOT_FOUND',
          'ENTRY_NOT_FOUND',
          { list: 'timeline' },
        ],
        [
          UPDATE_SYSTEM,
          { incidentId: UNKNOWN, systemId: sys, expectedVersion: v, reason: why, name: 'x' },
          adminToken,
          'NOT_FOUND',
          'INCIDENT_NOT_FOUND',
        ],
        [
          UPDATE_SYSTEM,
          { incidentId: id, systemId: otherSystem, expectedVersion: v, reason: why, name: 'x' },
          adminToken,
          'BAD_USER_INPUT',
          'ENTRY_OF_ANOTHER_INCIDENT',
          { list: 'systems', id: otherSystem, incidentId: id },
        ],
        [
          UPDATE_EVENT,
          { incidentId: id, eventId: ev, expectedVersion: v, reason: why, occurredOn: '2026-02-30' },
          chiefToken,
          'BAD_USER_INPUT',
          'INVALID_FIELD',
          { field: 'occurredOn', value: '2026-02-30' },
        ],
        [
          UPDATE_EVENT,
          { incidentId: id, eventId: ev, expectedVersion: v, reason: why, occurredOn: '2026/07/09' },
          chiefToken,
          'BAD_USER_INPUT',
          'INVALID_FIELD',
          { field: 'occurredOn' },
        ],
        [
          UPDATE_EVENT,
          { incidentId: id, eventId: ev, expectedVersion: v, reason: '　 ', description: '公表' },
          chiefToken,
          'BAD_USER_INPUT',
          'INVALID_FIELD',
          { field: 'reason' },
        ],
        [
          UPDATE_EVENT,
          { incidentId: id, eventId: ev, expectedVersion: v, reason: why, description: '   ' },
          chiefToken,
          'BAD_USER_INPUT',
          'INVALID_FIELD',
          { field: 'description' },
        ],
        [
          UPDATE_SYSTEM,
          { incidentId: id, systemId: sys, expectedVersion: v, reason: why, name: '漢'.repeat(201) },
          chiefToken,
          'BAD_USER_INPUT',
          undefined,
          { validationErrors: [expect.stringContaining('name')] },
        ],
        [
          UPDATE_SYSTEM,
          { incidentId: id, systemId: sys, expectedVersion: v, reason: 'り'.repeat(2001), name: '会員サイト' },
          chiefToken,
          'BAD_USER_INPUT',
          undefined,
          { validationErrors: [expect.stringContaining('reason')] },
        ],
        [
          UPDATE_PARTY,
          { incidentId: id, partyId: ids['警察'], expectedVersion: v, reason: why, role: 'ロ'.repeat(501) },
          chiefToken,
          'BAD_USER_INPUT',
          undefined,
          { validationErrors: [expect.stringContaining('role')] },
        ],
        // A value equal to the current one is no change; the full-width/half-width twin of another system is a duplicate.
        [
          UPDATE_SYSTEM,
          { incidentId: id, systemId: sys, expectedVersion: v, reason: why, name: '会員Webサイト', leakSource: false },
          chiefToken,
          'BAD_USER_INPUT',
          'INVALID_FIELD',
          { field: null },
        ],
        [
          UPDATE_CATEGORY,
          { incidentId: id, dataCategoryId: ids['郵便番号'], expectedVersion: v, reason: why },
          chiefToken,
          'BAD_USER_INPUT',
          'INVALID_FIELD',
          { field: null },
        ],
        [
          UPDATE_SYSTEM,
          { incidentId: id, systemId: sys, expectedVersion: v, reason: why, name: '受講者管理データベース' },
          chiefToken,
          'CONFLICT',
          'ALREADY_LISTED',
        ],
        [
          UPDATE_CATEGORY,
          { incidentId: id, dataCategoryId: ids['成績情報'], expectedVersion: v, reason: why, name: ' 郵便番号 ' },
          chiefToken,
          'CONFLICT',
          'ALREADY_LISTED',
        ],
        [
          UPDATE_SYSTEM,
          { incidentId: id, systemId: sys, expectedVersion: v - 1, reason: why, name: '会員サイト' },
          chiefToken,
          'CONFLICT',
          'STALE_VERSION',
          { currentVersion: v, expectedVersion: v - 1 },
        ],
        [
          REMOVE_EVENT,
          { incidentId: id, eventId: ev, expectedVersion: v + 1, reason: why },
          chiefToken,
          'CONFLICT',
          'STALE_VERSION',
          { currentVersion: v },
        ],
        [
          REMOVE_PARTY,
          { incidentId: id, partyId: ids['警察'], expectedVersion: v, reason: '' },
          chiefToken,
          'BAD_USER_INPUT',
          'INVALID_FIELD',
          { field: 'reason' },
        ],
        [
          REMOVE_CATEGORY,
          { incidentId: id, dataCategoryId: UNKNOWN, expectedVersion: v, reason: why },
          chiefToken,
          'NOT_FOUND',
          'ENTRY_NOT_FOUND',
        ],
        // Who may: members keep the timeline, not the inventory; outsiders and auditors neither.
        [
          UPDATE_SYSTEM,
          { incidentId: id, systemId: sys, expectedVersion: v, reason: why, name: '会員サイト' },
          memberToken,
          'FORBIDDEN',
          'NOT_PERMITTED',
        ],
        [
          REMOVE_CATEGORY,
          { incidentId: id, dataCategoryId: ids['郵便番号'], expectedVersion: v, reason: why },
          memberToken,
          'FORBIDDEN',
          'NOT_PERMITTED',
        ],
        [
          UPDATE_EVENT,
          { incidentId: id, eventId: ev, expectedVersion: v, reason: why, description: '部外者の訂正' },
          outsiderToken,
          'FORBIDDEN',
          'NOT_PERMITTED',
        ],
        [REMOVE_EVENT, { incidentId: id, eventId: ev, expectedVersion: v, reason: why }, outsiderToken, 'FORBIDDEN', 'NOT_PERMITTED'],
        [
          UPDATE_EVENT,
          { incidentId: id, eventId: ev, expectedVersion: v, reason: why, description: '監査人の訂正' },
          auditorToken,
          'FORBIDDEN',
          'PERMISSION_DENIED',
        ],
      ];
      for (const [doc, input, token, code, reason, details] of cases) {
        const res = await t.gql(doc, { input }, token);
        const ext = res.errors?.[0]?.extensions ?? {};
        expect({ input, code: errorCode(res), reason: ext.reason }).toEqual({ input, code, reason });
        if (details) expect(ext).toMatchObject(details);
        expect(res.data ?? null).toBeNull();
      }
      expect(await stateOf(id)).toEqual(before);
    });

    it('two corrections from the same version: one wins, the other gets CONFLICT (STALE_VERSION) and nothing of it is written', async () => {
      const id = ctx.incident.id;
      const v = await versionOf(id);
      const input = (description: string) => ({
        incidentId: id,
        systemId: ids['会員Webサイト'],
        expectedVersion: v,
        reason: '説明の補足',
        description,
      });
      const results = await Promise.all([
        t.gql(UPDATE_SYSTEM, { input: input('会員サイトのアカウント情報（社長の修正）') }, chiefToken),
        t.gql(UPDATE_SYSTEM, { input: input('会員サイトのアカウント情報（役員の修正）') }, executiveToken),
      ]);
      expect(results.map((r) => r.errors?.[0]?.extensions?.reason).sort()).toEqual(['STALE_VERSION', undefined].sort());
      const winner = results.find((r) => !r.errors) as GqlResponse<{ updateIncidentSystem: Incident }>;
      const [row] = await t.sql<{ description: string }>('SELECT description FROM incident_systems WHERE id = $1', [ids['会員Webサイト']]);
      expect(row!.description).toBe(winner.data!.updateIncidentSystem.systems.find((s) => s.id === ids['会員Webサイト'])!.description);
      expect(await versionOf(id)).toBe(v + 1);
      expect(await trailOf(id, 'incident.system_updated')).toHaveLength(2);
    });
  });

  describe('removals', () => {
    it('a removed data category leaves the list but stays as history (who, when, why); the trail keeps the row; it cannot be changed or removed again; the name may be listed anew', async () => {
      const id = ctx.incident.id;
      const v = await versionOf(id);
      const reason = '登録誤り：メールアドレスは保有していない';
      const incident = only(
        await t.gql<{ removeIncidentDataCategory: Incident }>(
          REMOVE_CATEGORY,
          { input: { incidentId: id, dataCategoryId: ids['メールアドレス'], expectedVersion: v, reason } },
          chiefToken,
        ),
      );
      expect(incident.version).toBe(v + 1);
      expect(incident.dataCategories.map((c) => c.name)).toEqual(['郵便番号', '成績情報']);

      const all = await incidentOf(id, auditorToken, '(includeRemoved: true)');
      const removed = all.dataCategories.find((c) => c.id === ids['メールアドレス'])!;
      expect(removed).toMatchObject({ name: 'メールアドレス', leaked: true, removedByLabel: ctx.chief.user.email, removalReason: reason });
      expect(Date.now() - Date.parse(removed.removedAt!)).toBeLessThan(60_000);
      expect(all.dataCategories.filter((c) => c.removedAt === null).map((c) => c.name)).toEqual(['郵便番号', '成績情報']);

      const [entry] = await trailOf(id, 'incident.data_category_removed');
      expect(entry).toEqual({
        action: 'incident.data_category_removed',
        actor_label: ctx.chief.user.email,
        entity_type: 'Incident',
        before: { dataCategory: { id: ids['メールアドレス'], name: 'メールアドレス', leaked: true } },
        after: {
          dataCategory: {
            id: ids['メールアドレス'],
            name: 'メールアドレス',
            leaked: true,
            removedAt: removed.removedAt,
            removedByLabel: ctx.chief.user.email,
            removalReason: reason,
          },
          reason,
          incidentVersion: v + 1,
        },
      });

      const before = await stateOf(id);
      for (const res of [
        await t.gql(
          REMOVE_CATEGORY,
          { input: { incidentId: id, dataCategoryId: ids['メールアドレス'], expectedVersion: v + 1, reason: '再削除' } },
          chiefToken,
        ),
        await t.gql(
          UPDATE_CATEGORY,
          { input: { incidentId: id, dataCategoryId: ids['メールアドレス'], expectedVersion: v + 1, reason: '復活', leaked: false } },
          chiefToken,
        ),
      ]) {
        expect(res.errors![0]!.extensions).toMatchObject({
          code: 'CONFLICT',
          reason: 'ENTRY_REMOVED',
          list: 'dataCategories',
          id: ids['メールアドレス'],
          removedAt: removed.removedAt,
        });
      }
      expect(await stateOf(id)).toEqual(before);

      // A removed entry does not block listing the same name again (a new entry, with its own history).
      const again = only(
        await t.gql<{ addIncidentDataCategory: Incident }>(
          ADD_CATEGORY,
          { input: { incidentId: id, name: 'メールアドレス', leaked: false } },
          chiefToken,
        ),
      );
      expect(again.dataCategories.find((c) => c.name === 'メールアドレス')).toMatchObject({ leaked: false, ...NOT_REMOVED });
      expect(again.dataCategories.find((c) => c.name === 'メールアドレス')!.id).not.toBe(ids['メールアドレス']);
    });

    it('a member removes an event recorded by mistake and an executive removes a party; lists with includeRemoved show them in a page of incidents too', async () => {
      const id = ctx.incident.id;
      let v = await versionOf(id);
      let incident = only(
        await t.gql<{ removeIncidentEvent: Incident }>(
          REMOVE_EVENT,
          { input: { incidentId: id, eventId: ids['誤って登録した出来事'], expectedVersion: v, reason: '重複登録' } },
          memberToken,
        ),
      );
      expect(incident.timeline.map((e) => e.description)).toEqual(['お問い合わせが急増。調査を開始', '個人情報漏えいについて公表']);
      v++;
      incident = only(
        await t.gql<{ removeIncidentParty: Incident }>(
          REMOVE_PARTY,
          { input: { incidentId: id, partyId: ids['警察'], expectedVersion: v, reason: '誤登録' } },
          executiveToken,
        ),
      );
      expect(incident.parties.map((p) => p.name)).toEqual(['調査会社']);
      expect(incident.version).toBe(v + 1);
      expect((await trailOf(id, 'incident.event_removed'))[0]).toMatchObject({
        actor_label: member.user.email,
        after: { reason: '重複登録', event: { removedByLabel: member.user.email } },
      });
      expect((await trailOf(id, 'incident.party_removed'))[0]).toMatchObject({
        actor_label: executive.user.email,
        after: { reason: '誤登録', party: { name: '警察' } },
      });

      const page = await t.gql<{ incidents: { nodes: Incident[] } }>(
        `{ incidents(first: 10) { nodes { id ${LISTS('(includeRemoved: true)')} } } }`,
        {},
        auditorToken,
      );
      const node = page.data!.incidents.nodes.find((n) => n.id === id)!;
      expect(node.timeline.find((e) => e.id === ids['誤って登録した出来事'])).toMatchObject({
        removalReason: '重複登録',
        removedByLabel: member.user.email,
      });
      expect(node.parties.map((p) => [p.name, p.removalReason])).toEqual([
        ['調査会社', null],
        ['警察', '誤登録'],
      ]);
      // Without the argument, the same page lists only the current entries.
      const current = await t.gql<{ incidents: { nodes: Incident[] } }>(
        `{ incidents(first: 10) { nodes { id ${LISTS()} } } }`,
        {},
        auditorToken,
      );
      expect(current.data!.incidents.nodes.find((n) => n.id === id)!.parties.map((p) => p.name)).toEqual(['調査会社']);
    });

    it('a system that countermeasures target cannot be removed (CONFLICT naming their keys, nothing changed); once untargeted it can', async () => {
      const id = ctx.incident.id;
      const systemId = ids['当該データベース（漏えい元）'];
      const targets = t.app.get(CountermeasureTargetsService);
      let cm1 = await makeCountermeasure(t, id, member.user.id); // CM-001
      const cm2 = await makeCountermeasure(t, id, member.user.id); // CM-002
      cm1 = await targets.setTargets(Actor.system('test'), cm1.id, cm1.version, [systemId]);
      await targets.setTargets(Actor.system('test'), cm2.id, cm2.version, [systemId, ids['会員Webサイト']]);

      const v = await versionOf(id);
      const before = await stateOf(id);
      const res = await t.gql(
        REMOVE_SYSTEM,
        { input: { incidentId: id, systemId, expectedVersion: v, reason: '稼働停止済み' } },
        chiefToken,
      );
      expect(res.errors![0]!.extensions).toMatchObject({
        code: 'CONFLICT',
        reason: 'SYSTEM_IN_USE',
        systemId,
        countermeasures: ['CM-001', 'CM-002'],
      });
      expect(res.errors![0]!.message).toContain('CM-001, CM-002');
      expect(await stateOf(id)).toEqual(before);

      // Correcting a targeted system is fine (the countermeasures still point at the same system).
      only(
        await t.gql(
          UPDATE_SYSTEM,
          { input: { incidentId: id, systemId, expectedVersion: v, reason: '説明の追記', description: '7月4日に稼働停止' } },
          chiefToken,
        ),
      );

      await targets.setTargets(Actor.system('test'), cm1.id, cm1.version, []);
      const cm2Now = (await t.sql<{ version: number }>('SELECT version FROM countermeasures WHERE id = $1', [cm2.id]))[0]!;
      await targets.setTargets(Actor.system('test'), cm2.id, cm2Now.version, [ids['会員Webサイト']]);
      const incident = only(
        await t.gql<{ removeIncidentSystem: Incident }>(
          REMOVE_SYSTEM,
          { input: { incidentId: id, systemId, expectedVersion: v + 1, reason: '稼働停止済み' } },
          chiefToken,
        ),
      );
      expect(incident.systems.map((s) => s.name)).toEqual(['会員Webサイト', '受講者管理データベース']);
      expect((await incidentOf(id, chiefToken, '(includeRemoved: true)')).systems.find((s) => s.id === systemId)).toMatchObject({
        name: '当該データベース（漏えい元）',
        leakSource: true,
        removalReason: '稼働停止済み',
      });
    });

    it('a member of the task force may not remove a system, and no one may remove from a list of another incident', async () => {
      const id = ctx.incident.id;
      const other = await makeIncident(t, '三つ目の事案');
      const otherEvent = only(
        await t.gql<{ addIncidentEvent: Incident }>(
          ADD_EVENT,
          { input: { incidentId: other.incident.id, occurredOn: '2026-08-01', kind: 'OTHER', description: '別事案の出来事' } },
          adminToken,
        ),
      ).timeline[0]!.id;
      const v = await versionOf(id);
      const before = await stateOf(id);
      const otherBefore = await stateOf(other.incident.id);
      expect(
        errorCode(
          await t.gql(
            REMOVE_SYSTEM,
            { input: { incidentId: id, systemId: ids['会員Webサイト'], expectedVersion: v, reason: '不要' } },
            memberToken,
          ),
        ),
      ).toBe('FORBIDDEN');
      const wrong = await t.gql(
        REMOVE_EVENT,
        { input: { incidentId: id, eventId: otherEvent, expectedVersion: v, reason: '不要' } },
        memberToken,
      );
      expect(wrong.errors![0]!.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        reason: 'ENTRY_OF_ANOTHER_INCIDENT',
        list: 'timeline',
        id: otherEvent,
        incidentId: id,
      });
      expect(await stateOf(id)).toEqual(before);
      expect(await stateOf(other.incident.id)).toEqual(otherBefore);
    });
  });

  it('after all of the above the audit trail is one unbroken chain', async () => {
    const res = await t.gql<{ verifyAuditTrail: { intact: boolean; entriesChecked: number } }>(VERIFY, {}, auditorToken);
    expect(res.data!.verifyAuditTrail.intact).toBe(true);
  });
});
