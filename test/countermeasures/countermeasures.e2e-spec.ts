import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raceBehindRowLock } from '../support/lock-ordered-race';
import { makeCountermeasure, makeIncident } from '../support/remediation-factory';
import { errorCode, TestApp } from '../support/test-app';

const FIELDS =
  'id key title status resumeStatus version dueDate overdue owner { id } requirements { title } history { fromStatus toStatus cause reason actorLabel } dueDateChanges { oldDueDate newDueDate reason actorLabel } nextStatuses';
const CREATE = `mutation($input: CreateCountermeasureInput!) { createCountermeasure(input: $input) { ${FIELDS} } }`;
const MOVE = `mutation($input: MoveCountermeasureInput!) { moveCountermeasure(input: $input) { ${FIELDS} } }`;
const UPDATE = `mutation($input: UpdateCountermeasureInput!) { updateCountermeasure(input: $input) { ${FIELDS} } }`;
const REPLAN = `mutation($input: ChangeCountermeasureDueDateInput!) { changeCountermeasureDueDate(input: $input) { ${FIELDS} } }`;
const GET = `query($id: ID, $key: String) { countermeasure(id: $id, key: $key) { ${FIELDS} } }`;

type Cm = {
  id: string;
  key: string;
  title: string;
  status: string;
  resumeStatus: string | null;
  version: number;
  dueDate: string;
  overdue: boolean;
  owner: { id: string };
  history: { fromStatus: string | null; toStatus: string; cause: string; reason: string | null; actorLabel: string }[];
  dueDateChanges: { oldDueDate: string; newDueDate: string; reason: string; actorLabel: string }[];
  nextStatuses: string[];
};

describe('countermeasures: planning, workflow, re-planning', () => {
  let t: TestApp;
  let ctx: Awaited<ReturnType<typeof makeIncident>>;
  let chiefToken: string;
  let owner: Awaited<ReturnType<TestApp['createUser']>>;
  let ownerToken: string;

  beforeAll(async () => {
    t = await TestApp.start();
    ctx = await makeIncident(t);
    chiefToken = await ctx.chief.token();
    owner = await ctx.addMember(['TASK_FORCE'], '情報セキュリティ担当');
    ownerToken = await owner.token();
  });
  afterAll(async () => t?.close());

  const rowAndTrail = async (id: string) => ({
    row: await t.sql('SELECT * FROM countermeasures WHERE id = $1', [id]),
    trail: await t.sql('SELECT seq FROM audit_trail ORDER BY seq'),
    history: await t.sql('SELECT * FROM countermeasure_transitions WHERE countermeasure_id = $1', [id]),
  });

  it('the chief creates a countermeasure with a Japanese title; it is numbered, PLANNED, owned, and in the trail', async () => {
    const res = await t.gql<{ createCountermeasure: Cm }>(
      CREATE,
      {
        input: {
          incidentId: ctx.incident.id,
          title: 'アクセス権限の絞り込み',
          category: 'ACCESS_RESTRICTION',
          ownerId: owner.user.id,
          priority: 'HIGH',
          dueDate: '2027-03-31',
          requiredForGate: true,
          requirements: [{ title: '全顧客DBのアクセス権限棚卸し' }, { title: '月次監視レポート', recurrenceDays: 31 }],
        },
      },
      chiefToken,
    );
    expect(res.errors).toBeUndefined();
    const cm = res.data!.createCountermeasure;
    expect(cm).toMatchObject({
      key: 'CM-001',
      title: 'アクセス権限の絞り込み',
      status: 'PLANNED',
      version: 1,
      overdue: false,
      owner: { id: owner.user.id },
    });
    expect(cm.history).toEqual([
      { fromStatus: null, toStatus: 'PLANNED', cause: 'USER', reason: 'created', actorLabel: ctx.chief.user.email },
    ]);
    const trail = await t.sql<{ action: string; actor_label: string }>(`SELECT action, actor_label FROM audit_trail WHERE entity_id = $1`, [
      cm.id,
    ]);
    expect(trail).toEqual([{ action: 'countermeasure.created', actor_label: ctx.chief.user.email }]);
    const byKey = await t.gql<{ countermeasure: Cm }>(GET, { key: 'cm-001' }, ownerToken);
    expect(byKey.data!.countermeasure.id).toBe(cm.id);
  });

  it('the owner moves it through the workflow; every move is kept with who, from, to and why', async () => {
    const cm = await makeCountermeasure(t, ctx.incident.id, owner.user.id);
    let v = cm.version;
    const move = async (to: string, reason?: string) => {
      const res = await t.gql<{ moveCountermeasure: Cm }>(MOVE, { input: { id: cm.id, to, reason, expectedVersion: v } }, ownerToken);
      if (res.data?.moveCountermeasure) v = res.data.moveCountermeasure.version;
      return res;
    };
    expect((await move('IN_PROGRESS')).data!.moveCountermeasure.status).toBe('IN_PROGRESS');
    const blocked = (await move('BLOCKED', '  ベンダーの見積待ち ')).data!.moveCountermeasure;
    expect(blocked).toMatchObject({ status: 'BLOCKED', resumeStatus: 'IN_PROGRESS', nextStatuses: ['IN_PROGRESS'] });
    const resumed = (await move('IN_PROGRESS')).data!.moveCountermeasure;
    expect(resumed.history.map((h) => [h.fromStatus, h.toStatus, h.reason])).toEqual([
      [null, 'PLANNED', 'created'],
      ['PLANNED', 'IN_PROGRESS', null],
      ['IN_PROGRESS', 'BLOCKED', 'ベンダーの見積待ち'],
      ['BLOCKED', 'IN_PROGRESS', null],
    ]);
    expect(resumed.history.slice(1).every((h) => h.actorLabel === owner.user.email)).toBe(true);
  });

  it('refuses a forbidden move with CONFLICT naming the allowed moves, and changes nothing', async () => {
    const cm = await makeCountermeasure(t, ctx.incident.id, owner.user.id);
    const before = await rowAndTrail(cm.id);
    const res = await t.gql(MOVE, { input: { id: cm.id, to: 'OPERATING', expectedVersion: 1 } }, ownerToken);
    expect(errorCode(res)).toBe('CONFLICT');
    expect(res.errors![0]!.extensions).toMatchObject({
      reason: 'INVALID_TRANSITION',
      allowed: expect.arrayContaining(['IN_PROGRESS', 'BLOCKED']),
    });
    expect(res.errors![0]!.message).toContain('IN_PROGRESS');
    // VERIFIED is never a plain edit; IMPLEMENTED needs evidence for every requirement.
    await t.gql(MOVE, { input: { id: cm.id, to: 'IN_PROGRESS', expectedVersion: 1 } }, ownerToken);
    const implemented = await t.gql(MOVE, { input: { id: cm.id, to: 'IMPLEMENTED', expectedVersion: 2 } }, ownerToken);
    expect(implemented.errors![0]!.extensions!.reason).toBe('EVIDENCE_MISSING');
    const noReason = await t.gql(MOVE, { input: { id: cm.id, to: 'BLOCKED', expectedVersion: 2 } }, ownerToken);
    expect(errorCode(noReason)).toBe('BAD_USER_INPUT');
    const after = await rowAndTrail(cm.id);
    expect(after.trail.length).toBe(before.trail.length + 1); // only the one allowed move (to IN_PROGRESS)
    expect(after.history.length).toBe(before.history.length + 1);
  });

  it('only executives cancel, with a reason; auditors and other members edit nothing', async () => {
    const cm = await makeCountermeasure(t, ctx.incident.id, owner.user.id);
    const outsider = await ctx.addMember();
    const auditor = await t.createUser(['AUDITOR']);
    const [outsiderToken, auditorToken] = [await outsider.token(), await auditor.token()];
    const before = await rowAndTrail(cm.id);
    const byOwner = await t.gql(MOVE, { input: { id: cm.id, to: 'CANCELLED', reason: '不要', expectedVersion: 1 } }, ownerToken);
    expect(errorCode(byOwner)).toBe('FORBIDDEN');
    const byOther = await t.gql(UPDATE, { input: { id: cm.id, title: '書き換え', expectedVersion: 1 } }, outsiderToken);
    expect(errorCode(byOther)).toBe('FORBIDDEN');
    const byAuditor = await t.gql(UPDATE, { input: { id: cm.id, title: '書き換え', expectedVersion: 1 } }, auditorToken);
    expect(errorCode(byAuditor)).toBe('FORBIDDEN');
    const byMemberCreating = await t.gql(
      CREATE,
      {
        input: {
          incidentId: ctx.incident.id,
          title: 'x',
          category: 'OTHER',
          ownerId: owner.user.id,
          priority: 'LOW',
          dueDate: '2027-01-01',
        },
      },
      ownerToken,
    );
    expect(errorCode(byMemberCreating)).toBe('FORBIDDEN');
    expect(await rowAndTrail(cm.id)).toEqual(before);

    const exec = await t.createUser(['EXECUTIVE']);
    const noReason = await t.gql(MOVE, { input: { id: cm.id, to: 'CANCELLED', expectedVersion: 1 } }, await exec.token());
    expect(errorCode(noReason)).toBe('BAD_USER_INPUT');
    const cancelled = await t.gql<{ moveCountermeasure: Cm }>(
      MOVE,
      { input: { id: cm.id, to: 'CANCELLED', reason: '対策4に統合', expectedVersion: 1 } },
      await exec.token(),
    );
    expect(cancelled.data!.moveCountermeasure).toMatchObject({ status: 'CANCELLED', nextStatuses: [] });
  });

  it('re-planning needs a reason and keeps the old and new dates; overdue is computed from the date', async () => {
    const cm = await makeCountermeasure(t, ctx.incident.id, owner.user.id, { dueDate: '2026-08-31' });
    const got = await t.gql<{ countermeasure: Cm }>(GET, { id: cm.id }, ownerToken);
    expect(got.data!.countermeasure.overdue).toBe(true);
    const noReason = await t.gql(REPLAN, { input: { id: cm.id, dueDate: '2027-06-30', reason: '  ', expectedVersion: 1 } }, ownerToken);
    expect(errorCode(noReason)).toBe('BAD_USER_INPUT');
    const impossible = await t.gql(REPLAN, { input: { id: cm.id, dueDate: '2027-02-30', reason: 'x', expectedVersion: 1 } }, ownerToken);
    expect(errorCode(impossible)).toBe('BAD_USER_INPUT');
    const res = await t.gql<{ changeCountermeasureDueDate: Cm }>(
      REPLAN,
      { input: { id: cm.id, dueDate: '2027-06-30', reason: 'ベンダーの納期遅延のため', expectedVersion: 1 } },
      ownerToken,
    );
    expect(res.data!.changeCountermeasureDueDate).toMatchObject({
      dueDate: '2027-06-30',
      overdue: false,
      dueDateChanges: [
        { oldDueDate: '2026-08-31', newDueDate: '2027-06-30', reason: 'ベンダーの納期遅延のため', actorLabel: owner.user.email },
      ],
    });
  });

  it('two people moving one item from the same version: one wins, the other gets CONFLICT with the current version', async () => {
    const contributor = await ctx.addMember();
    const cm = await makeCountermeasure(t, ctx.incident.id, owner.user.id, { contributorIds: [contributor.user.id] });
    const contributorToken = await contributor.token();
    // Both sent from version 1 and both waiting at the incident's lock; the owner's is first in line.
    const results = await raceBehindRowLock(t, 'incidents', ctx.incident.id, [
      () => t.gql<{ moveCountermeasure: Cm }>(MOVE, { input: { id: cm.id, to: 'IN_PROGRESS', expectedVersion: 1 } }, ownerToken),
      () =>
        t.gql<{ moveCountermeasure: Cm }>(
          MOVE,
          { input: { id: cm.id, to: 'BLOCKED', reason: '待ち', expectedVersion: 1 } },
          contributorToken,
        ),
    ]);
    expect(results.map(errorCode).sort()).toEqual(['CONFLICT', undefined].sort());
    const loser = results.find((r) => r.errors)!;
    expect(loser.errors![0]!.extensions).toMatchObject({ reason: 'STALE_VERSION', currentVersion: 2 });
    const [row] = await t.sql<{ version: number }>('SELECT version FROM countermeasures WHERE id = $1', [cm.id]);
    expect(row!.version).toBe(2);
    const history = await t.sql('SELECT * FROM countermeasure_transitions WHERE countermeasure_id = $1', [cm.id]);
    expect(history).toHaveLength(2); // creation + the one winning move
  });

  it('a contributor who left the task force no longer edits the item', async () => {
    const contributor = await ctx.addMember();
    const cm = await makeCountermeasure(t, ctx.incident.id, owner.user.id, { contributorIds: [contributor.user.id] });
    const token = await contributor.token();
    const moved = await t.gql<{ moveCountermeasure: Cm }>(MOVE, { input: { id: cm.id, to: 'IN_PROGRESS', expectedVersion: 1 } }, token);
    expect(moved.data!.moveCountermeasure.status).toBe('IN_PROGRESS');
    const [membership] = await t.sql<{ id: string }>('SELECT id FROM task_force_members WHERE user_id = $1 AND left_on IS NULL', [
      contributor.user.id,
    ]);
    const removed = await t.gql(
      `mutation($input: RemoveTaskForceMemberInput!) { removeTaskForceMember(input: $input) { id } }`,
      { input: { memberId: membership!.id } },
      chiefToken,
    );
    expect(removed.errors).toBeUndefined();
    const after = await t.gql(MOVE, { input: { id: cm.id, to: 'BLOCKED', reason: '確認待ち', expectedVersion: 2 } }, token);
    expect(errorCode(after)).toBe('FORBIDDEN');
  });

  it('the chief chooses the contributors among current members; they can then move the item', async () => {
    const helper = await ctx.addMember();
    const outsider = await t.createUser(['TASK_FORCE']);
    const cm = await makeCountermeasure(t, ctx.incident.id, owner.user.id);
    const SET = `mutation($input: SetCountermeasureContributorsInput!) { setCountermeasureContributors(input: $input) { version contributors { id } } }`;
    const byOwner = await t.gql(SET, { input: { id: cm.id, expectedVersion: 1, userIds: [helper.user.id] } }, ownerToken);
    expect(errorCode(byOwner)).toBe('FORBIDDEN');
    const notMember = await t.gql(SET, { input: { id: cm.id, expectedVersion: 1, userIds: [outsider.user.id] } }, chiefToken);
    expect(errorCode(notMember)).toBe('BAD_USER_INPUT');
    const ok = await t.gql<{ setCountermeasureContributors: { version: number; contributors: { id: string }[] } }>(
      SET,
      { input: { id: cm.id, expectedVersion: 1, userIds: [helper.user.id, helper.user.id] } },
      chiefToken,
    );
    expect(ok.data!.setCountermeasureContributors).toEqual({ version: 2, contributors: [{ id: helper.user.id }] });
    const moved = await t.gql<{ moveCountermeasure: Cm }>(
      MOVE,
      { input: { id: cm.id, to: 'IN_PROGRESS', expectedVersion: 2 } },
      await helper.token(),
    );
    expect(moved.data!.moveCountermeasure.status).toBe('IN_PROGRESS');
  });

  it('refuses bad input with a clear code and writes nothing', async () => {
    const outsider = await t.createUser(['TASK_FORCE']); // not a task-force member
    const before = await t.sql('SELECT count(*)::int AS n FROM countermeasures');
    const base = {
      incidentId: ctx.incident.id,
      title: '正しい対策',
      category: 'MONITORING',
      ownerId: owner.user.id,
      priority: 'HIGH',
      dueDate: '2027-01-31',
    };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...base, ownerId: outsider.user.id }, 'BAD_USER_INPUT'], // owner not a member
      [{ ...base, dueDate: '31/01/2027' }, 'BAD_USER_INPUT'],
      [{ ...base, dueDate: '2027-13-01' }, 'BAD_USER_INPUT'],
      [{ ...base, title: 'あ'.repeat(201) }, 'BAD_USER_INPUT'],
      [{ ...base, category: 'TELEPORTATION' }, 'BAD_USER_INPUT'],
      [{ ...base, incidentId: '00000000-0000-4000-8000-000000000009' }, 'NOT_FOUND'],
    ];
    for (const [input, code] of cases) {
      const res = await t.gql(CREATE, { input }, chiefToken);
      expect({ input, code: errorCode(res) }).toEqual({ input, code });
    }
    expect(await t.sql('SELECT count(*)::int AS n FROM countermeasures')).toEqual(before);
    expect(errorCode(await t.gql(GET, { id: '00000000-0000-4000-8000-000000000009' }, ownerToken))).toBe('NOT_FOUND');
    expect(errorCode(await t.gql(GET, { key: 'CM-999' }, ownerToken))).toBe('NOT_FOUND');
    expect(errorCode(await t.gql(GET, {}, ownerToken))).toBe('BAD_USER_INPUT');
  });
});
