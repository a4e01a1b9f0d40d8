import { IncidentSystemEntity } from '@app/incidents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCountermeasure, makeIncident } from '../support/remediation-factory';
import { errorCode, TestApp } from '../support/test-app';

const SET = `mutation($input: SetCountermeasureTargetsInput!) {
  setCountermeasureTargets(input: $input) { version targets { id status version system { name } } progress { total done pending inProgress notApplicable ratio } }
}`;
const UPDATE = `mutation($input: UpdateCountermeasureTargetInput!) { updateCountermeasureTarget(input: $input) { id status note version system { name } } }`;
const GET = `query($id: ID) { countermeasure(id: $id) { version targets { id status system { name } } progress { total done ratio } } }`;

type Target = { id: string; status: string; version: number; system: { name: string } };

describe('one countermeasure, many targets', () => {
  let t: TestApp;
  let ctx: Awaited<ReturnType<typeof makeIncident>>;
  let owner: Awaited<ReturnType<TestApp['createUser']>>;
  let ownerToken: string;
  let systems: IncidentSystemEntity[];

  beforeAll(async () => {
    t = await TestApp.start();
    ctx = await makeIncident(t);
    owner = await ctx.addMember();
    ownerToken = await owner.token();
    const names = ['受講者管理DB', '教材発送DB', '問い合わせ管理DB', '会員WebDB', '請求DB', '模試DB', '旧受講者DB'];
    systems = await ctx.ds.getRepository(IncidentSystemEntity).save(names.map((name) => ({ incidentId: ctx.incident.id, name })));
  });
  afterAll(async () => t?.close());

  it('lists the customer databases as targets and derives "3 of 7 done" from their statuses', async () => {
    const cm = await makeCountermeasure(t, ctx.incident.id, owner.user.id);
    const set = await t.gql<{ setCountermeasureTargets: { version: number; targets: Target[] } }>(
      SET,
      { input: { id: cm.id, expectedVersion: 1, systemIds: systems.map((s) => s.id) } },
      ownerToken,
    );
    expect(set.errors).toBeUndefined();
    const targets = set.data!.setCountermeasureTargets.targets;
    expect(targets).toHaveLength(7);
    expect(targets.every((x) => x.status === 'PENDING')).toBe(true);
    for (const target of targets.slice(0, 3)) {
      const res = await t.gql<{ updateCountermeasureTarget: Target }>(
        UPDATE,
        { input: { id: target.id, expectedVersion: target.version, status: 'DONE', note: '権限を削減済み' } },
        ownerToken,
      );
      expect(res.data!.updateCountermeasureTarget.status).toBe('DONE');
    }
    const got = await t.gql<{ countermeasure: { progress: { total: number; done: number; ratio: number } } }>(
      GET,
      { id: cm.id },
      ownerToken,
    );
    expect(got.data!.countermeasure.progress).toEqual({ total: 7, done: 3, ratio: 3 / 7 });
    const trail = await t.sql<{ action: string }>(
      `SELECT action FROM audit_trail WHERE entity_id = $1 OR entity_id = ANY($2) ORDER BY seq`,
      [cm.id, targets.map((x) => x.id)],
    );
    expect(trail.map((r) => r.action)).toEqual([
      'countermeasure.created',
      'countermeasure.targets_changed',
      'countermeasure.target_updated',
      'countermeasure.target_updated',
      'countermeasure.target_updated',
    ]);
  });

  it('refuses to drop a target with progress, a system of another incident, and a stale version; nothing changes', async () => {
    const cm = await makeCountermeasure(t, ctx.incident.id, owner.user.id);
    const set = await t.gql<{ setCountermeasureTargets: { version: number; targets: Target[] } }>(
      SET,
      { input: { id: cm.id, expectedVersion: 1, systemIds: [systems[0]!.id, systems[1]!.id] } },
      ownerToken,
    );
    const [first] = set.data!.setCountermeasureTargets.targets;
    await t.gql(UPDATE, { input: { id: first!.id, expectedVersion: first!.version, status: 'IN_PROGRESS' } }, ownerToken);
    const snapshot = async () => ({
      targets: await t.sql('SELECT * FROM countermeasure_targets WHERE countermeasure_id = $1 ORDER BY id', [cm.id]),
      cm: await t.sql('SELECT version FROM countermeasures WHERE id = $1', [cm.id]),
      trail: await t.sql('SELECT count(*)::int AS n FROM audit_trail'),
    });
    const before = await snapshot();

    const dropStarted = await t.gql(SET, { input: { id: cm.id, expectedVersion: 2, systemIds: [systems[1]!.id] } }, ownerToken);
    expect(errorCode(dropStarted)).toBe('CONFLICT');
    expect(dropStarted.errors![0]!.extensions!.reason).toBe('TARGET_HAS_PROGRESS');

    const other = await ctx.ds
      .getRepository(IncidentSystemEntity)
      .save({ incidentId: (await makeIncident(t, '別事案')).incident.id, name: '他社DB' });
    const before2 = await snapshot();
    const foreign = await t.gql(SET, { input: { id: cm.id, expectedVersion: 2, systemIds: [systems[0]!.id, other.id] } }, ownerToken);
    expect(errorCode(foreign)).toBe('BAD_USER_INPUT');
    const stale = await t.gql(
      SET,
      { input: { id: cm.id, expectedVersion: 1, systemIds: [systems[0]!.id, systems[1]!.id, systems[2]!.id] } },
      ownerToken,
    );
    expect(errorCode(stale)).toBe('CONFLICT');
    expect(stale.errors![0]!.extensions!.reason).toBe('STALE_VERSION');
    const staleTarget = await t.gql(UPDATE, { input: { id: first!.id, expectedVersion: first!.version, status: 'DONE' } }, ownerToken);
    expect(errorCode(staleTarget)).toBe('CONFLICT');
    const unknown = await t.gql(
      UPDATE,
      { input: { id: '00000000-0000-4000-8000-00000000000a', expectedVersion: 1, status: 'DONE' } },
      ownerToken,
    );
    expect(errorCode(unknown)).toBe('NOT_FOUND');
    expect((await snapshot()).targets).toEqual(before.targets);
    expect(await snapshot()).toEqual(before2);
  });

  it('only the owner and contributors move a target; auditors and other members are refused', async () => {
    const cm = await makeCountermeasure(t, ctx.incident.id, owner.user.id);
    const set = await t.gql<{ setCountermeasureTargets: { targets: Target[] } }>(
      SET,
      { input: { id: cm.id, expectedVersion: 1, systemIds: [systems[3]!.id] } },
      ownerToken,
    );
    const [target] = set.data!.setCountermeasureTargets.targets;
    const stranger = await ctx.addMember();
    const auditor = await t.createUser(['AUDITOR']);
    expect(errorCode(await t.gql(UPDATE, { input: { id: target!.id, expectedVersion: 1, status: 'DONE' } }, await stranger.token()))).toBe(
      'FORBIDDEN',
    );
    expect(errorCode(await t.gql(UPDATE, { input: { id: target!.id, expectedVersion: 1, status: 'DONE' } }, await auditor.token()))).toBe(
      'FORBIDDEN',
    );
    const [row] = await t.sql<{ status: string }>('SELECT status FROM countermeasure_targets WHERE id = $1', [target!.id]);
    expect(row!.status).toBe('PENDING');
  });
});
