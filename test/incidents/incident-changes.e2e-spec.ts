import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Actor } from '@app/common';
import { CountermeasuresService } from '@app/countermeasures';
import { UsersService } from '@app/identity';
import { makeCountermeasure, makeIncident } from '../support/remediation-factory';
import { errorCode, TestApp, type GqlResponse } from '../support/test-app';

const INCIDENT = `id title summary detectedOn policeReportedOn regulatorReportedOn disclosedOn version
  timeline { id occurredOn kind description }
  systems { id name description leakSource holdsCustomerData }
  dataCategories { id name leaked }
  parties { id kind name role }
  taskForce { id roleTitle isChief joinedOn leftOn user { id displayName } }`;
const m = (name: string, input: string) => `mutation($input: ${input}!) { ${name}(input: $input) { ${INCIDENT} } }`;
const CREATE = m('createIncident', 'CreateIncidentInput');
const UPDATE = m('updateIncident', 'UpdateIncidentInput');
const ADD_EVENT = m('addIncidentEvent', 'AddIncidentEventInput');
const ADD_SYSTEM = m('addIncidentSystem', 'AddIncidentSystemInput');
const ADD_CATEGORY = m('addIncidentDataCategory', 'AddIncidentDataCategoryInput');
const ADD_PARTY = m('addIncidentParty', 'AddIncidentPartyInput');
const ADD_MEMBER = m('addTaskForceMember', 'AddTaskForceMemberInput');
const CHANGE_ROLE = m('changeTaskForceRole', 'ChangeTaskForceRoleInput');
const REMOVE_MEMBER = m('removeTaskForceMember', 'RemoveTaskForceMemberInput');
const DESIGNATE = m('designateTaskForceChief', 'DesignateTaskForceChiefInput');
const ASSIGN_OWNER = `mutation($input: AssignCountermeasureOwnerInput!) { assignCountermeasureOwner(input: $input) { id key version owner { id } } }`;
const VERIFY = `{ verifyAuditTrail { intact entriesChecked } }`;

interface Member {
  id: string;
  roleTitle: string;
  isChief: boolean;
  joinedOn: string;
  leftOn: string | null;
  user: { id: string; displayName: string };
}
interface Incident {
  id: string;
  title: string;
  summary: string;
  detectedOn: string | null;
  policeReportedOn: string | null;
  regulatorReportedOn: string | null;
  disclosedOn: string | null;
  version: number;
  timeline: { id: string; occurredOn: string; kind: string; description: string }[];
  systems: { id: string; name: string; description: string; leakSource: boolean; holdsCustomerData: boolean }[];
  dataCategories: { id: string; name: string; leaked: boolean }[];
  parties: { id: string; kind: string; name: string; role: string }[];
  taskForce: Member[];
}
type User = Awaited<ReturnType<TestApp['createUser']>>;
type Ctx = Awaited<ReturnType<typeof makeIncident>>;
type Trail = {
  action: string;
  actor_label: string;
  entity_type: string;
  entity_id: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
};

const UNKNOWN = '00000000-0000-4000-8000-00000000abcd';
const todayInTokyo = () =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());

/** The only field of a mutation's data. */
function only<T>(res: GqlResponse<Record<string, T>>): T {
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return Object.values(res.data!)[0]!;
}

describe('incidents: the case, its timeline and inventory, and its task force', () => {
  let t: TestApp;
  let admin: User;
  let adminToken: string;
  let executive: User;
  let executiveToken: string;
  let auditorToken: string;

  const person = (roles: Parameters<TestApp['createUser']>[0], displayName: string, displayNameKana: string) =>
    t.createUser(roles, { displayName, displayNameKana });

  /** Everything an incident change could touch, to prove a refused change wrote nothing. */
  const stateOf = async (incidentId: string) => ({
    incident: await t.sql('SELECT * FROM incidents WHERE id = $1', [incidentId]),
    events: await t.sql('SELECT * FROM incident_events WHERE incident_id = $1 ORDER BY id', [incidentId]),
    systems: await t.sql('SELECT * FROM incident_systems WHERE incident_id = $1 ORDER BY id', [incidentId]),
    categories: await t.sql('SELECT * FROM incident_data_categories WHERE incident_id = $1 ORDER BY id', [incidentId]),
    parties: await t.sql('SELECT * FROM incident_parties WHERE incident_id = $1 ORDER BY id', [incidentId]),
    members: await t.sql('SELECT * FROM task_force_members WHERE incident_id = $1 ORDER BY id', [incidentId]),
    countermeasures: await t.sql('SELECT id, owner_id, status, version FROM countermeasures WHERE incident_id = $1 ORDER BY seq', [
      incidentId,
    ]),
    trail: await t.sql('SELECT count(*)::int AS n, max(seq)::text AS head FROM audit_trail'),
    incidentCount: await t.sql('SELECT count(*)::int AS n FROM incidents'),
  });

  const trailOf = (incidentId: string, action?: string) =>
    t.sql<Trail>(
      `SELECT action, actor_label, entity_type, entity_id, before, after FROM audit_trail WHERE entity_id = $1 ${action ? 'AND action = $2' : ''} ORDER BY seq`,
      action ? [incidentId, action] : [incidentId],
    );

  const incidentOf = async (id: string, token: string) =>
    only(await t.gql<{ incident: Incident }>(`query($id: ID!) { incident(id: $id) { ${INCIDENT} } }`, { id }, token));

  const versionOf = async (incidentId: string) =>
    (await t.sql<{ version: number }>('SELECT version FROM incidents WHERE id = $1', [incidentId]))[0]!.version;
  const memberIdOf = async (incidentId: string, userId: string) =>
    (
      await t.sql<{ id: string }>('SELECT id FROM task_force_members WHERE incident_id = $1 AND user_id = $2 AND left_on IS NULL', [
        incidentId,
        userId,
      ])
    )[0]?.id;

  beforeAll(async () => {
    t = await TestApp.start();
    admin = await person(['ADMIN'], '管理 花子', 'かんり はなこ');
    adminToken = await admin.token();
    executive = await person(['EXECUTIVE'], '佐藤 一郎', 'さとう いちろう');
    executiveToken = await executive.token();
    auditorToken = await (await person(['AUDITOR'], '監査 次郎', 'かんさ じろう')).token();
  });
  afterAll(async () => t?.close());

  describe('createIncident', () => {
    it('an executive opens a case with its dates and seats the president as chief; both are in the audit trail', async () => {
      const res = await t.gql<{ createIncident: Incident }>(
        CREATE,
        {
          input: {
            title: '  お客様情報漏えい事案（特定データベースからの持ち出し） ',
            summary: '名簿事業者のリストを照合した結果、弊社しか保有しないデータを含み大半が一致。',
            detectedOn: '2026-06-22',
            policeReportedOn: '2026-06-26',
            regulatorReportedOn: '2026-06-26',
            disclosedOn: '2026-07-09',
            chief: { userId: executive.user.id, joinedOn: '2026-07-10' },
          },
        },
        executiveToken,
      );
      const incident = only(res);
      expect(incident).toMatchObject({
        title: 'お客様情報漏えい事案（特定データベースからの持ち出し）',
        detectedOn: '2026-06-22',
        policeReportedOn: '2026-06-26',
        regulatorReportedOn: '2026-06-26',
        disclosedOn: '2026-07-09',
        version: 1,
        timeline: [],
        taskForce: [
          {
            roleTitle: '最高責任者',
            isChief: true,
            joinedOn: '2026-07-10',
            leftOn: null,
            user: { id: executive.user.id, displayName: '佐藤 一郎' },
          },
        ],
      });
      const trail = await trailOf(incident.id);
      expect(trail.map((e) => [e.action, e.actor_label, e.entity_type])).toEqual([
        ['incident.created', executive.user.email, 'Incident'],
        ['task_force.member_added', executive.user.email, 'Incident'],
      ]);
      expect(trail[0]!.after).toMatchObject({ title: incident.title, disclosedOn: '2026-07-09', version: 1 });
      expect(trail[1]!.after).toEqual({
        member: {
          memberId: incident.taskForce[0]!.id,
          userId: executive.user.id,
          roleTitle: '最高責任者',
          isChief: true,
          joinedOn: '2026-07-10',
          leftOn: null,
        },
      });
    });

    it('an admin opens a case with only a title: no dates, no task force yet', async () => {
      const incident = only(await t.gql<{ createIncident: Incident }>(CREATE, { input: { title: '第二の事案' } }, adminToken));
      expect(incident).toMatchObject({ title: '第二の事案', summary: '', detectedOn: null, disclosedOn: null, taskForce: [], version: 1 });
    });

    it('refuses task-force members and auditors (FORBIDDEN), impossible dates and ineligible chiefs (BAD_USER_INPUT), and writes nothing', async () => {
      const member = await person(['TASK_FORCE'], '鈴木 次郎', 'すずき じろう');
      const auditorUser = await person(['AUDITOR'], '監査 三郎', 'かんさ さぶろう');
      const before = await t.sql('SELECT count(*)::int AS n, (SELECT count(*)::int FROM audit_trail) AS trail FROM incidents');
      const cases: [Record<string, unknown>, string, string, string | undefined][] = [
        [{ title: '事案' }, await member.token(), 'FORBIDDEN', 'NOT_PERMITTED'],
        [{ title: '事案' }, auditorToken, 'FORBIDDEN', 'PERMISSION_DENIED'],
        [{ title: '事案', detectedOn: '2026-02-30' }, executiveToken, 'BAD_USER_INPUT', 'INVALID_FIELD'],
        [{ title: '事案', disclosedOn: '2026/07/09' }, executiveToken, 'BAD_USER_INPUT', 'INVALID_FIELD'],
        [{ title: '   ' }, executiveToken, 'BAD_USER_INPUT', 'INVALID_FIELD'],
        [{ title: '事案', chief: { userId: auditorUser.user.id } }, executiveToken, 'BAD_USER_INPUT', 'USER_NOT_ELIGIBLE'],
        [{ title: '事案', chief: { userId: UNKNOWN } }, executiveToken, 'NOT_FOUND', 'USER_NOT_FOUND'],
        [
          { title: '事案', chief: { userId: executive.user.id, joinedOn: '2999-01-01' } },
          executiveToken,
          'BAD_USER_INPUT',
          'INVALID_FIELD',
        ],
      ];
      for (const [input, token, code, reason] of cases) {
        const res = await t.gql(CREATE, { input }, token);
        expect({ input, code: errorCode(res), reason: res.errors?.[0]?.extensions?.reason }).toEqual({ input, code, reason });
      }
      expect(await t.sql('SELECT count(*)::int AS n, (SELECT count(*)::int FROM audit_trail) AS trail FROM incidents')).toEqual(before);
    });
  });

  describe('updateIncident', () => {
    let ctx: Ctx;
    let chiefToken: string;
    let memberToken: string;
    beforeAll(async () => {
      ctx = await makeIncident(t, '更新テスト事案');
      chiefToken = await ctx.chief.token();
      memberToken = await (await ctx.addMember(['TASK_FORCE'], '法務担当')).token();
    });

    it('the chief sets the summary and dates; the version moves on and the trail keeps before and after', async () => {
      const res = await t.gql<{ updateIncident: Incident }>(
        UPDATE,
        {
          input: {
            id: ctx.incident.id,
            expectedVersion: 1,
            summary: '警察が捜査中。',
            detectedOn: '2026-06-22',
            disclosedOn: '2026-07-09',
          },
        },
        chiefToken,
      );
      expect(only(res)).toMatchObject({
        title: '更新テスト事案',
        summary: '警察が捜査中。',
        detectedOn: '2026-06-22',
        disclosedOn: '2026-07-09',
        policeReportedOn: null,
        version: 2,
      });
      const [entry] = await trailOf(ctx.incident.id, 'incident.updated');
      expect(entry).toMatchObject({
        actor_label: ctx.chief.user.email,
        before: { summary: '概要', detectedOn: null, disclosedOn: null, version: 1 },
        after: { summary: '警察が捜査中。', detectedOn: '2026-06-22', disclosedOn: '2026-07-09', version: 2 },
      });
    });

    it('an omitted field is kept, null clears a date; an executive who is not on the task force may edit too', async () => {
      const res = await t.gql<{ updateIncident: Incident }>(
        UPDATE,
        { input: { id: ctx.incident.id, expectedVersion: 2, title: '更新テスト事案（改）', detectedOn: null } },
        executiveToken,
      );
      expect(only(res)).toMatchObject({
        title: '更新テスト事案（改）',
        summary: '警察が捜査中。',
        detectedOn: null,
        disclosedOn: '2026-07-09',
        version: 3,
      });
    });

    it('refuses a stale version (CONFLICT with currentVersion), an impossible date, an empty change, a plain member, an unknown id, and changes nothing', async () => {
      const before = await stateOf(ctx.incident.id);
      const stale = await t.gql(UPDATE, { input: { id: ctx.incident.id, expectedVersion: 2, title: '上書き' } }, chiefToken);
      expect(errorCode(stale)).toBe('CONFLICT');
      expect(stale.errors![0]!.extensions).toMatchObject({ reason: 'STALE_VERSION', currentVersion: 3, expectedVersion: 2 });
      const impossible = await t.gql(UPDATE, { input: { id: ctx.incident.id, expectedVersion: 3, disclosedOn: '2026-02-29' } }, chiefToken);
      expect(impossible.errors![0]!.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        reason: 'INVALID_FIELD',
        field: 'disclosedOn',
        value: '2026-02-29',
      });
      expect(errorCode(await t.gql(UPDATE, { input: { id: ctx.incident.id, expectedVersion: 3 } }, chiefToken))).toBe('BAD_USER_INPUT');
      expect(
        errorCode(await t.gql(UPDATE, { input: { id: ctx.incident.id, expectedVersion: 3, title: '担当者の書き換え' } }, memberToken)),
      ).toBe('FORBIDDEN');
      expect(errorCode(await t.gql(UPDATE, { input: { id: ctx.incident.id, expectedVersion: 3, title: 'x' } }, auditorToken))).toBe(
        'FORBIDDEN',
      );
      expect(errorCode(await t.gql(UPDATE, { input: { id: UNKNOWN, expectedVersion: 1, title: 'x' } }, adminToken))).toBe('NOT_FOUND');
      expect(await stateOf(ctx.incident.id)).toEqual(before);
    });

    it('two edits from the same version: one wins, the other gets CONFLICT and nothing of it is written', async () => {
      const v = await versionOf(ctx.incident.id);
      const results = await Promise.all([
        t.gql(UPDATE, { input: { id: ctx.incident.id, expectedVersion: v, summary: '社長の修正' } }, chiefToken),
        t.gql(UPDATE, { input: { id: ctx.incident.id, expectedVersion: v, summary: '役員の修正' } }, executiveToken),
      ]);
      expect(results.map(errorCode).sort()).toEqual(['CONFLICT', undefined].sort());
      const winner = results.find((r) => !r.errors)! as GqlResponse<{ updateIncident: Incident }>;
      const [row] = await t.sql<{ summary: string; version: number }>('SELECT summary, version FROM incidents WHERE id = $1', [
        ctx.incident.id,
      ]);
      expect(row).toEqual({ summary: winner.data!.updateIncident.summary, version: v + 1 });
      expect(await trailOf(ctx.incident.id, 'incident.updated')).toHaveLength(3);
    });
  });

  describe('timeline and inventory', () => {
    let ctx: Ctx;
    let chiefToken: string;
    let member: User;
    let memberToken: string;
    let outsiderToken: string;
    beforeAll(async () => {
      ctx = await makeIncident(t, '時系列テスト事案');
      chiefToken = await ctx.chief.token();
      member = await ctx.addMember(['TASK_FORCE'], '顧客対応担当');
      memberToken = await member.token();
      outsiderToken = await (await person(['TASK_FORCE'], '他事案 担当', 'たじあん たんとう')).token(); // on no task force of this incident
    });

    it('a current member records a dated event; the timeline is oldest first; the trail names the incident', async () => {
      only(
        await t.gql(
          ADD_EVENT,
          {
            input: {
              incidentId: ctx.incident.id,
              occurredOn: '2026-07-09',
              kind: 'PUBLIC_DISCLOSURE',
              description: '個人情報漏えいについて公表',
            },
          },
          memberToken,
        ),
      );
      const res = await t.gql<{ addIncidentEvent: Incident }>(
        ADD_EVENT,
        {
          input: {
            incidentId: ctx.incident.id,
            occurredOn: '2026-06-22',
            kind: 'DETECTED',
            description: '  お問い合わせが急増。調査を開始 ',
          },
        },
        chiefToken,
      );
      const incident = only(res);
      expect(incident.timeline.map((e) => [e.occurredOn, e.kind, e.description])).toEqual([
        ['2026-06-22', 'DETECTED', 'お問い合わせが急増。調査を開始'],
        ['2026-07-09', 'PUBLIC_DISCLOSURE', '個人情報漏えいについて公表'],
      ]);
      expect(incident.version).toBe(1); // additions do not move the incident's version
      const trail = await trailOf(ctx.incident.id, 'incident.event_added');
      expect(trail.map((e) => [e.actor_label, e.entity_type, e.before, (e.after as { event: { kind: string } }).event.kind])).toEqual([
        [member.user.email, 'Incident', null, 'PUBLIC_DISCLOSURE'],
        [ctx.chief.user.email, 'Incident', null, 'DETECTED'],
      ]);
    });

    it('the chief lists systems, data categories (leaked or confirmed not leaked) and parties; each is in the trail', async () => {
      only(
        await t.gql(
          ADD_SYSTEM,
          {
            input: { incidentId: ctx.incident.id, name: '当該データベース（漏えい元）', description: '7月4日に稼働停止', leakSource: true },
          },
          chiefToken,
        ),
      );
      only(await t.gql(ADD_SYSTEM, { input: { incidentId: ctx.incident.id, name: '受講者管理ＤＢ' } }, executiveToken));
      only(await t.gql(ADD_CATEGORY, { input: { incidentId: ctx.incident.id, name: 'クレジットカード番号', leaked: false } }, chiefToken));
      only(await t.gql(ADD_CATEGORY, { input: { incidentId: ctx.incident.id, name: '郵便番号', leaked: true } }, chiefToken));
      const incident = only(
        await t.gql<{ addIncidentParty: Incident }>(
          ADD_PARTY,
          { input: { incidentId: ctx.incident.id, kind: 'REGULATOR', name: '経済産業省', role: '監督官庁' } },
          adminToken,
        ),
      );
      expect(incident.systems.map((s) => [s.name, s.leakSource, s.holdsCustomerData])).toEqual([
        ['受講者管理ＤＢ', false, true],
        ['当該データベース（漏えい元）', true, true],
      ]);
      expect(incident.dataCategories.map((c) => [c.name, c.leaked])).toEqual([
        ['郵便番号', true],
        ['クレジットカード番号', false],
      ]);
      expect(incident.parties).toEqual([{ id: expect.any(String), kind: 'REGULATOR', name: '経済産業省', role: '監督官庁' }]);
      expect((await trailOf(ctx.incident.id)).map((e) => e.action).filter((a) => /system|category|party/.test(a))).toEqual([
        'incident.system_added',
        'incident.system_added',
        'incident.data_category_added',
        'incident.data_category_added',
        'incident.party_added',
      ]);
    });

    it('refuses outsiders, members editing the inventory, duplicates, impossible dates and unknown incidents, and changes nothing', async () => {
      const before = await stateOf(ctx.incident.id);
      const id = ctx.incident.id;
      const cases: [string, Record<string, unknown>, string, string, string | undefined][] = [
        [
          ADD_EVENT,
          { incidentId: id, occurredOn: '2026-07-10', kind: 'OTHER', description: '部外者の記録' },
          outsiderToken,
          'FORBIDDEN',
          'NOT_PERMITTED',
        ],
        [
          ADD_EVENT,
          { incidentId: id, occurredOn: '2026-07-10', kind: 'OTHER', description: '監査人の記録' },
          auditorToken,
          'FORBIDDEN',
          'PERMISSION_DENIED',
        ],
        [
          ADD_EVENT,
          { incidentId: id, occurredOn: '2026-06-31', kind: 'OTHER', description: '存在しない日' },
          memberToken,
          'BAD_USER_INPUT',
          'INVALID_FIELD',
        ],
        [
          ADD_EVENT,
          { incidentId: id, occurredOn: '2026-07-10', kind: 'OTHER', description: '   ' },
          memberToken,
          'BAD_USER_INPUT',
          'INVALID_FIELD',
        ],
        [
          ADD_EVENT,
          { incidentId: id, occurredOn: '2026-07-10', kind: 'TELEPORTATION', description: 'x' },
          memberToken,
          'BAD_USER_INPUT',
          undefined,
        ],
        [
          ADD_EVENT,
          { incidentId: UNKNOWN, occurredOn: '2026-07-10', kind: 'OTHER', description: 'x' },
          adminToken,
          'NOT_FOUND',
          'INCIDENT_NOT_FOUND',
        ],
        [ADD_SYSTEM, { incidentId: id, name: '会員Webサイト' }, memberToken, 'FORBIDDEN', 'NOT_PERMITTED'],
        [ADD_SYSTEM, { incidentId: id, name: ' 受講者管理DB ' }, chiefToken, 'CONFLICT', 'ALREADY_LISTED'],
        [ADD_SYSTEM, { incidentId: UNKNOWN, name: 'x' }, adminToken, 'NOT_FOUND', 'INCIDENT_NOT_FOUND'],
        [ADD_CATEGORY, { incidentId: id, name: '郵便番号', leaked: false }, chiefToken, 'CONFLICT', 'ALREADY_LISTED'],
        [ADD_CATEGORY, { incidentId: id, name: '成績情報', leaked: false }, memberToken, 'FORBIDDEN', 'NOT_PERMITTED'],
        [ADD_PARTY, { incidentId: id, kind: 'REGULATOR', name: '経済産業省' }, chiefToken, 'CONFLICT', 'ALREADY_LISTED'],
        [ADD_PARTY, { incidentId: id, kind: 'POLICE', name: '警察' }, outsiderToken, 'FORBIDDEN', 'NOT_PERMITTED'],
      ];
      for (const [doc, input, token, code, reason] of cases) {
        const res = await t.gql(doc, { input }, token);
        expect({ input, code: errorCode(res), reason: res.errors?.[0]?.extensions?.reason }).toEqual({ input, code, reason });
      }
      expect(await stateOf(ctx.incident.id)).toEqual(before);
    });
  });

  describe('the task force', () => {
    let ctx: Ctx;
    let chiefToken: string;
    let lead: User; // 情報セキュリティ担当, owns countermeasures
    let leadToken: string;
    let successor: User; // takes over the lead's work
    beforeAll(async () => {
      ctx = await makeIncident(t, 'タスクフォーステスト事案');
      chiefToken = await ctx.chief.token();
      lead = await person(['TASK_FORCE'], '高橋 誠', 'たかはし まこと');
      leadToken = await lead.token();
      successor = await ctx.addMember(['TASK_FORCE'], 'システム運用担当');
    });

    it('the chief adds an active TASK_FORCE user with a role; joinedOn defaults to today in Japan; the trail keeps the membership', async () => {
      const res = await t.gql<{ addTaskForceMember: Incident }>(
        ADD_MEMBER,
        { input: { incidentId: ctx.incident.id, userId: lead.user.id, roleTitle: '情報セキュリティ担当' } },
        chiefToken,
      );
      const added = only(res).taskForce.find((x) => x.user.id === lead.user.id)!;
      expect(added).toMatchObject({
        roleTitle: '情報セキュリティ担当',
        isChief: false,
        joinedOn: todayInTokyo(),
        leftOn: null,
        user: { displayName: '高橋 誠' },
      });
      const [entry] = await trailOf(ctx.incident.id, 'task_force.member_added');
      expect(entry).toMatchObject({
        actor_label: ctx.chief.user.email,
        before: null,
        after: { member: { memberId: added.id, userId: lead.user.id, roleTitle: '情報セキュリティ担当', isChief: false, leftOn: null } },
      });
    });

    it('an admin adds an executive with a past joining day', async () => {
      const director = await person(['EXECUTIVE'], '田中 取締役', 'たなか とりしまりやく');
      const incident = only(
        await t.gql<{ addTaskForceMember: Incident }>(
          ADD_MEMBER,
          { input: { incidentId: ctx.incident.id, userId: director.user.id, roleTitle: 'ガバナンス担当役員', joinedOn: '2026-07-15' } },
          adminToken,
        ),
      );
      expect(incident.taskForce.find((x) => x.user.id === director.user.id)).toMatchObject({ joinedOn: '2026-07-15', isChief: false });
    });

    it('refuses: a plain member or a non-chief executive adding, an inactive user, an auditor, a current member again, a future day, unknown ids; and changes nothing', async () => {
      const inactive = await person(['TASK_FORCE'], '退職 太郎', 'たいしょく たろう');
      await t.app.get(UsersService).deactivate(Actor.system('test'), inactive.user.id, inactive.user.version);
      const auditorUser = await person(['AUDITOR'], '監査 四郎', 'かんさ しろう');
      const candidate = await person(['TASK_FORCE'], '候補 五郎', 'こうほ ごろう');
      const id = ctx.incident.id;
      const before = await stateOf(id);
      const cases: [Record<string, unknown>, string, string, string | undefined][] = [
        [{ incidentId: id, userId: candidate.user.id, roleTitle: '担当' }, leadToken, 'FORBIDDEN', 'NOT_PERMITTED'],
        [{ incidentId: id, userId: candidate.user.id, roleTitle: '担当' }, executiveToken, 'FORBIDDEN', 'NOT_PERMITTED'],
        [{ incidentId: id, userId: candidate.user.id, roleTitle: '担当' }, auditorToken, 'FORBIDDEN', 'PERMISSION_DENIED'],
        [{ incidentId: id, userId: inactive.user.id, roleTitle: '担当' }, chiefToken, 'BAD_USER_INPUT', 'USER_INACTIVE'],
        [{ incidentId: id, userId: auditorUser.user.id, roleTitle: '担当' }, chiefToken, 'BAD_USER_INPUT', 'USER_NOT_ELIGIBLE'],
        [{ incidentId: id, userId: lead.user.id, roleTitle: '二重登録' }, chiefToken, 'CONFLICT', 'ALREADY_MEMBER'],
        [
          { incidentId: id, userId: candidate.user.id, roleTitle: '担当', joinedOn: '2999-04-01' },
          chiefToken,
          'BAD_USER_INPUT',
          'INVALID_FIELD',
        ],
        [
          { incidentId: id, userId: candidate.user.id, roleTitle: '担当', joinedOn: '2026-04-31' },
          chiefToken,
          'BAD_USER_INPUT',
          'INVALID_FIELD',
        ],
        [{ incidentId: id, userId: candidate.user.id, roleTitle: ' ' }, chiefToken, 'BAD_USER_INPUT', 'INVALID_FIELD'],
        [{ incidentId: id, userId: UNKNOWN, roleTitle: '担当' }, chiefToken, 'NOT_FOUND', 'USER_NOT_FOUND'],
        [{ incidentId: UNKNOWN, userId: candidate.user.id, roleTitle: '担当' }, adminToken, 'NOT_FOUND', 'INCIDENT_NOT_FOUND'],
      ];
      for (const [input, token, code, reason] of cases) {
        const res = await t.gql(ADD_MEMBER, { input }, token);
        expect({ input, code: errorCode(res), reason: res.errors?.[0]?.extensions?.reason }).toEqual({ input, code, reason });
      }
      expect(await stateOf(id)).toEqual(before);
    });

    it("the chief changes a member's role with the incident's version; a stale version or the same title is refused", async () => {
      const memberId = (await memberIdOf(ctx.incident.id, lead.user.id))!;
      const v = await versionOf(ctx.incident.id);
      const res = await t.gql<{ changeTaskForceRole: Incident }>(
        CHANGE_ROLE,
        { input: { memberId, expectedVersion: v, roleTitle: '情報セキュリティ責任者' } },
        chiefToken,
      );
      const incident = only(res);
      expect(incident.version).toBe(v + 1);
      expect(incident.taskForce.find((x) => x.id === memberId)!.roleTitle).toBe('情報セキュリティ責任者');
      const [entry] = await trailOf(ctx.incident.id, 'task_force.role_changed');
      expect(entry).toMatchObject({
        before: { member: { memberId, roleTitle: '情報セキュリティ担当' } },
        after: { member: { memberId, roleTitle: '情報セキュリティ責任者' }, incidentVersion: v + 1 },
      });

      const before = await stateOf(ctx.incident.id);
      const stale = await t.gql(CHANGE_ROLE, { input: { memberId, expectedVersion: v, roleTitle: '上書き' } }, chiefToken);
      expect(stale.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', reason: 'STALE_VERSION', currentVersion: v + 1 });
      const same = await t.gql(
        CHANGE_ROLE,
        { input: { memberId, expectedVersion: v + 1, roleTitle: '情報セキュリティ責任者' } },
        chiefToken,
      );
      expect(errorCode(same)).toBe('BAD_USER_INPUT');
      expect(errorCode(await t.gql(CHANGE_ROLE, { input: { memberId, expectedVersion: v + 1, roleTitle: '自分で昇格' } }, leadToken))).toBe(
        'FORBIDDEN',
      );
      expect(
        errorCode(await t.gql(CHANGE_ROLE, { input: { memberId: UNKNOWN, expectedVersion: v + 1, roleTitle: 'x' } }, chiefToken)),
      ).toBe('NOT_FOUND');
      expect(await stateOf(ctx.incident.id)).toEqual(before);
    });

    it('removing a member who owns open countermeasures is refused with their keys, and nothing changes', async () => {
      const cms = t.app.get(CountermeasuresService);
      const a = await makeCountermeasure(t, ctx.incident.id, lead.user.id); // CM-001, PLANNED
      const b = await makeCountermeasure(t, ctx.incident.id, lead.user.id); // CM-002, IN_PROGRESS
      await cms.transition(Actor.system('test'), b.id, b.version, 'IN_PROGRESS', null);
      const c = await makeCountermeasure(t, ctx.incident.id, lead.user.id); // CM-003, CANCELLED: not open
      await cms.transition(Actor.system('test'), c.id, c.version, 'CANCELLED', '対策2に統合');
      await makeCountermeasure(t, ctx.incident.id, successor.user.id); // CM-004, someone else's
      const memberId = (await memberIdOf(ctx.incident.id, lead.user.id))!;

      const before = await stateOf(ctx.incident.id);
      const res = await t.gql(REMOVE_MEMBER, { input: { memberId } }, chiefToken);
      expect(errorCode(res)).toBe('CONFLICT');
      expect(res.errors![0]!.extensions).toMatchObject({
        reason: 'OWNS_OPEN_COUNTERMEASURES',
        memberId,
        userId: lead.user.id,
        countermeasures: ['CM-001', 'CM-002'],
      });
      expect(res.errors![0]!.message).toContain('CM-001, CM-002');
      expect(res.data?.removeTaskForceMember ?? null).toBeNull();
      expect(await stateOf(ctx.incident.id)).toEqual(before);
      expect(a.status).toBe('PLANNED');
    });

    it('after their items are reassigned the member is removed (leftOn set, history kept) and can no longer be made owner or record events', async () => {
      const memberId = (await memberIdOf(ctx.incident.id, lead.user.id))!;
      const open = await t.sql<{ id: string; version: number }>(
        `SELECT id, version FROM countermeasures WHERE incident_id = $1 AND owner_id = $2 AND status <> 'CANCELLED' ORDER BY seq`,
        [ctx.incident.id, lead.user.id],
      );
      for (const cm of open)
        only(await t.gql(ASSIGN_OWNER, { input: { id: cm.id, expectedVersion: cm.version, ownerId: successor.user.id } }, chiefToken));

      const today = todayInTokyo(); // the lead joined today (the default), so today is the earliest day they can leave
      const res = await t.gql<{ removeTaskForceMember: Incident }>(REMOVE_MEMBER, { input: { memberId, leftOn: today } }, chiefToken);
      const incident = only(res);
      expect(incident.taskForce.find((x) => x.id === memberId)).toMatchObject({ leftOn: today, user: { id: lead.user.id } });
      const [entry] = await trailOf(ctx.incident.id, 'task_force.member_removed');
      expect(entry).toMatchObject({
        actor_label: ctx.chief.user.email,
        before: { member: { memberId, leftOn: null } },
        after: { member: { memberId, leftOn: today } },
      });

      // Only current members can own countermeasures.
      const [cm] = await t.sql<{ id: string; version: number }>(
        'SELECT id, version FROM countermeasures WHERE incident_id = $1 ORDER BY seq LIMIT 1',
        [ctx.incident.id],
      );
      const assign = await t.gql(ASSIGN_OWNER, { input: { id: cm!.id, expectedVersion: cm!.version, ownerId: lead.user.id } }, chiefToken);
      expect(assign.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'NOT_A_MEMBER', userIds: [lead.user.id] });
      await expect(makeCountermeasure(t, ctx.incident.id, lead.user.id)).rejects.toMatchObject({ code: 'NOT_A_MEMBER' });
      const event = await t.gql(
        ADD_EVENT,
        { input: { incidentId: ctx.incident.id, occurredOn: '2026-10-01', kind: 'OTHER', description: '退任後の記録' } },
        leadToken,
      );
      expect(errorCode(event)).toBe('FORBIDDEN');

      // An ended membership is history: removing it again is a CONFLICT; the user may be added again as a new membership.
      const again = await t.gql(REMOVE_MEMBER, { input: { memberId } }, chiefToken);
      expect(again.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', reason: 'MEMBER_HAS_LEFT', leftOn: today });
      const back = only(
        await t.gql<{ addTaskForceMember: Incident }>(
          ADD_MEMBER,
          { input: { incidentId: ctx.incident.id, userId: lead.user.id, roleTitle: '顧問' } },
          chiefToken,
        ),
      );
      expect(back.taskForce.filter((x) => x.user.id === lead.user.id).map((x) => [x.roleTitle, x.leftOn])).toEqual(
        expect.arrayContaining([
          ['情報セキュリティ責任者', today],
          ['顧問', null],
        ]),
      );
    });

    it('refuses removing the chief, a day before joining or in the future, by a non-chief, an unknown id; and changes nothing', async () => {
      const chiefMemberId = (await memberIdOf(ctx.incident.id, ctx.chief.user.id))!;
      const successorMemberId = (await memberIdOf(ctx.incident.id, successor.user.id))!;
      const before = await stateOf(ctx.incident.id);
      const cases: [Record<string, unknown>, string, string, string | undefined][] = [
        [{ memberId: chiefMemberId }, adminToken, 'CONFLICT', 'CHIEF_MUST_BE_REPLACED'],
        [{ memberId: successorMemberId, leftOn: '2026-07-01' }, chiefToken, 'BAD_USER_INPUT', 'INVALID_FIELD'], // joined 2026-07-10
        [{ memberId: successorMemberId, leftOn: '2999-12-31' }, chiefToken, 'BAD_USER_INPUT', 'INVALID_FIELD'],
        [{ memberId: successorMemberId, leftOn: '2026-13-01' }, chiefToken, 'BAD_USER_INPUT', 'INVALID_FIELD'],
        [{ memberId: successorMemberId }, executiveToken, 'FORBIDDEN', 'NOT_PERMITTED'],
        [{ memberId: successorMemberId }, await successor.token(), 'FORBIDDEN', 'NOT_PERMITTED'],
        [{ memberId: UNKNOWN }, chiefToken, 'NOT_FOUND', 'MEMBER_NOT_FOUND'],
      ];
      for (const [input, token, code, reason] of cases) {
        const res = await t.gql(REMOVE_MEMBER, { input }, token);
        expect({ input, code: errorCode(res), reason: res.errors?.[0]?.extensions?.reason }).toEqual({ input, code, reason });
      }
      expect(await stateOf(ctx.incident.id)).toEqual(before);
    });

    it('an executive designates a new chief: the previous chief stays a member, and the new chief now runs the membership', async () => {
      const newChief = await ctx.addMember(['EXECUTIVE'], '副社長');
      const newChiefMemberId = (await memberIdOf(ctx.incident.id, newChief.user.id))!;
      const oldChiefMemberId = (await memberIdOf(ctx.incident.id, ctx.chief.user.id))!;
      const v = await versionOf(ctx.incident.id);

      const refusedBefore = await stateOf(ctx.incident.id);
      expect(
        errorCode(await t.gql(DESIGNATE, { input: { memberId: newChiefMemberId, expectedVersion: v } }, await successor.token())),
      ).toBe('FORBIDDEN');
      expect(
        (await t.gql(DESIGNATE, { input: { memberId: oldChiefMemberId, expectedVersion: v } }, executiveToken)).errors![0]!.extensions,
      ).toMatchObject({
        code: 'CONFLICT',
        reason: 'ALREADY_CHIEF',
      });
      expect(
        (await t.gql(DESIGNATE, { input: { memberId: newChiefMemberId, expectedVersion: v - 1 } }, executiveToken)).errors![0]!.extensions,
      ).toMatchObject({
        code: 'CONFLICT',
        reason: 'STALE_VERSION',
        currentVersion: v,
      });
      expect(errorCode(await t.gql(DESIGNATE, { input: { memberId: UNKNOWN, expectedVersion: v } }, executiveToken))).toBe('NOT_FOUND');
      expect(await stateOf(ctx.incident.id)).toEqual(refusedBefore);

      const incident = only(
        await t.gql<{ designateTaskForceChief: Incident }>(
          DESIGNATE,
          { input: { memberId: newChiefMemberId, expectedVersion: v } },
          executiveToken,
        ),
      );
      expect(incident.version).toBe(v + 1);
      const current = incident.taskForce.filter((x) => x.leftOn === null);
      expect(current.filter((x) => x.isChief).map((x) => x.user.id)).toEqual([newChief.user.id]);
      expect(current.find((x) => x.id === oldChiefMemberId)).toMatchObject({ isChief: false, roleTitle: '最高責任者', leftOn: null });
      expect(incident.taskForce[0]!.id).toBe(newChiefMemberId); // the chief first
      const [entry] = await trailOf(ctx.incident.id, 'task_force.chief_designated');
      expect(entry).toMatchObject({
        actor_label: executive.user.email,
        before: { chief: { memberId: oldChiefMemberId, isChief: true }, member: { memberId: newChiefMemberId, isChief: false } },
        after: {
          chief: { memberId: newChiefMemberId, isChief: true },
          previousChief: { memberId: oldChiefMemberId, isChief: false },
          incidentVersion: v + 1,
        },
      });

      // The new chief adds members; the former chief no longer may.
      const helper = await person(['TASK_FORCE'], '伊藤 美咲', 'いとう みさき');
      expect(
        errorCode(
          await t.gql(ADD_MEMBER, { input: { incidentId: ctx.incident.id, userId: helper.user.id, roleTitle: '広報担当' } }, chiefToken),
        ),
      ).toBe('FORBIDDEN');
      only(
        await t.gql(
          ADD_MEMBER,
          { input: { incidentId: ctx.incident.id, userId: helper.user.id, roleTitle: '広報担当' } },
          await newChief.token(),
        ),
      );
      // And the former chief, now a plain member, can leave (on a day of their choosing, between joining and today).
      const left = only(
        await t.gql<{ removeTaskForceMember: Incident }>(
          REMOVE_MEMBER,
          { input: { memberId: oldChiefMemberId, leftOn: '2026-10-31' } },
          await newChief.token(),
        ),
      );
      expect(left.taskForce.find((x) => x.id === oldChiefMemberId)).toMatchObject({ joinedOn: '2026-07-10', leftOn: '2026-10-31' });
    });
  });

  describe('concurrent changes', () => {
    it('removing a member while the chief makes them owner: never both (no removed member owns open work)', async () => {
      const ctx = await makeIncident(t, '同時実行テスト事案');
      const chiefToken = await ctx.chief.token();
      const holder = await ctx.addMember(['TASK_FORCE'], '現担当');
      for (let round = 0; round < 6; round++) {
        const target = await ctx.addMember(['TASK_FORCE'], `担当${round}`);
        const cm = await makeCountermeasure(t, ctx.incident.id, holder.user.id);
        const memberId = (await memberIdOf(ctx.incident.id, target.user.id))!;
        const [assign, remove] = await Promise.all([
          t.gql(ASSIGN_OWNER, { input: { id: cm.id, expectedVersion: cm.version, ownerId: target.user.id } }, chiefToken),
          t.gql(REMOVE_MEMBER, { input: { memberId } }, chiefToken),
        ]);
        const [row] = await t.sql<{ owner_id: string }>('SELECT owner_id FROM countermeasures WHERE id = $1', [cm.id]);
        const [member] = await t.sql<{ left_on: string | null }>('SELECT left_on::text FROM task_force_members WHERE id = $1', [memberId]);
        // Exactly one of the two wins, and the loser says why.
        expect([errorCode(assign), errorCode(remove)].filter(Boolean)).toHaveLength(1);
        if (member!.left_on !== null) {
          expect(row!.owner_id).toBe(holder.user.id);
          expect(assign.errors![0]!.extensions!.reason).toBe('NOT_A_MEMBER');
        } else {
          expect(row!.owner_id).toBe(target.user.id);
          expect(remove.errors![0]!.extensions).toMatchObject({
            reason: 'OWNS_OPEN_COUNTERMEASURES',
            countermeasures: [expect.stringMatching(/^CM-\d{3}$/)],
          });
        }
      }
    });

    it('the same user added twice at once: one membership, the other call gets ALREADY_MEMBER', async () => {
      const ctx = await makeIncident(t, '二重追加テスト事案');
      const chiefToken = await ctx.chief.token();
      const user = await person(['TASK_FORCE'], '山本 健', 'やまもと けん');
      const input = { incidentId: ctx.incident.id, userId: user.user.id, roleTitle: '担当' };
      const results = await Promise.all([t.gql(ADD_MEMBER, { input }, chiefToken), t.gql(ADD_MEMBER, { input }, adminToken)]);
      expect(results.map((r) => r.errors?.[0]?.extensions?.reason).sort()).toEqual(['ALREADY_MEMBER', undefined].sort());
      expect(
        await t.sql('SELECT count(*)::int AS n FROM task_force_members WHERE incident_id = $1 AND user_id = $2', [
          ctx.incident.id,
          user.user.id,
        ]),
      ).toEqual([{ n: 1 }]);
      expect(await trailOf(ctx.incident.id, 'task_force.member_added')).toHaveLength(1);
    });

    it('two executives designating different chiefs from the same version: one wins, the other gets CONFLICT; one chief', async () => {
      const ctx = await makeIncident(t, '議長交代テスト事案');
      const [a, b] = [await ctx.addMember(['EXECUTIVE'], '役員A'), await ctx.addMember(['EXECUTIVE'], '役員B')];
      const otherExecToken = await (await person(['EXECUTIVE'], '渡辺 専務', 'わたなべ せんむ')).token();
      const results = await Promise.all([
        t.gql(DESIGNATE, { input: { memberId: (await memberIdOf(ctx.incident.id, a.user.id))!, expectedVersion: 1 } }, executiveToken),
        t.gql(DESIGNATE, { input: { memberId: (await memberIdOf(ctx.incident.id, b.user.id))!, expectedVersion: 1 } }, otherExecToken),
      ]);
      expect(results.map((r) => r.errors?.[0]?.extensions?.reason).sort()).toEqual(['STALE_VERSION', undefined].sort());
      const chiefs = await t.sql('SELECT user_id FROM task_force_members WHERE incident_id = $1 AND is_chief AND left_on IS NULL', [
        ctx.incident.id,
      ]);
      expect(chiefs).toHaveLength(1);
      expect(await versionOf(ctx.incident.id)).toBe(2);
    });
  });

  it('after all of the above the audit trail is one unbroken chain, and an incident reads back as changed', async () => {
    const res = await t.gql<{ verifyAuditTrail: { intact: boolean; entriesChecked: number } }>(VERIFY, {}, auditorToken);
    expect(res.data!.verifyAuditTrail.intact).toBe(true);
    expect(res.data!.verifyAuditTrail.entriesChecked).toBeGreaterThan(30);
    const [first] = await t.sql<{ id: string }>(
      `SELECT id FROM incidents WHERE title = 'お客様情報漏えい事案（特定データベースからの持ち出し）'`,
    );
    expect((await incidentOf(first!.id, auditorToken)).taskForce).toHaveLength(1);
  });
});
