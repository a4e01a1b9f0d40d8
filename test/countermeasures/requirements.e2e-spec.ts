import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCountermeasure, makeIncident } from '../support/remediation-factory';
import { errorCode, TestApp } from '../support/test-app';

const ADD = `mutation($input: AddEvidenceRequirementInput!) { addEvidenceRequirement(input: $input) { version requirements { id position title recurrenceDays } } }`;
const REMOVE = `mutation($input: RemoveEvidenceRequirementInput!) { removeEvidenceRequirement(input: $input) { version requirements { title } } }`;
type Res = { version: number; requirements: { id: string; position: number; title: string; recurrenceDays: number | null }[] };

describe('evidence requirements of a countermeasure', () => {
  let t: TestApp;
  let ctx: Awaited<ReturnType<typeof makeIncident>>;
  let owner: Awaited<ReturnType<TestApp['createUser']>>;
  let ownerToken: string;
  beforeAll(async () => {
    t = await TestApp.start();
    ctx = await makeIncident(t);
    owner = await ctx.addMember();
    ownerToken = await owner.token();
  });
  afterAll(async () => t?.close());

  it('the owner adds a recurring requirement and removes one with a reason; both are in the trail', async () => {
    const cm = await makeCountermeasure(t, ctx.incident.id, owner.user.id, { requirements: [{ title: '権限棚卸し結果' }] });
    const added = await t.gql<{ addEvidenceRequirement: Res }>(
      ADD,
      { input: { countermeasureId: cm.id, expectedVersion: 1, requirement: { title: '月次監視レポート', recurrenceDays: 31 } } },
      ownerToken,
    );
    expect(added.errors).toBeUndefined();
    expect(added.data!.addEvidenceRequirement.version).toBe(2);
    expect(added.data!.addEvidenceRequirement.requirements.map((r) => [r.position, r.title, r.recurrenceDays])).toEqual([
      [0, '権限棚卸し結果', null],
      [1, '月次監視レポート', 31],
    ]);
    const first = added.data!.addEvidenceRequirement.requirements[0]!;
    const removed = await t.gql<{ removeEvidenceRequirement: Res }>(
      REMOVE,
      { input: { requirementId: first.id, expectedVersion: 2, reason: '対策2の要件に統合' } },
      ownerToken,
    );
    expect(removed.data!.removeEvidenceRequirement).toEqual({ version: 3, requirements: [{ title: '月次監視レポート' }] });
    const trail = await t.sql<{ action: string; after: { reason?: string } }>(
      `SELECT action, after FROM audit_trail WHERE entity_id = $1 ORDER BY seq`,
      [cm.id],
    );
    expect(trail.map((e) => e.action)).toEqual([
      'countermeasure.created',
      'countermeasure.requirement_added',
      'countermeasure.requirement_removed',
    ]);
    expect(trail[2]!.after.reason).toBe('対策2の要件に統合');
  });

  it('refuses bad input and outsiders, changing nothing', async () => {
    const cm = await makeCountermeasure(t, ctx.incident.id, owner.user.id);
    const stranger = await ctx.addMember();
    const strangerToken = await stranger.token();
    const before = {
      reqs: await t.sql('SELECT * FROM countermeasure_requirements ORDER BY id'),
      trail: await t.sql('SELECT seq FROM audit_trail'),
    };
    const cases: [string, Record<string, unknown>, string, string][] = [
      [ADD, { countermeasureId: cm.id, expectedVersion: 1, requirement: { title: '' } }, ownerToken, 'BAD_USER_INPUT'],
      [ADD, { countermeasureId: cm.id, expectedVersion: 1, requirement: { title: 'x', recurrenceDays: 0 } }, ownerToken, 'BAD_USER_INPUT'],
      [ADD, { countermeasureId: cm.id, expectedVersion: 9, requirement: { title: '月次報告' } }, ownerToken, 'CONFLICT'],
      [ADD, { countermeasureId: cm.id, expectedVersion: 1, requirement: { title: '月次報告' } }, strangerToken, 'FORBIDDEN'],
      [REMOVE, { requirementId: '00000000-0000-4000-8000-00000000000b', expectedVersion: 1, reason: 'x' }, ownerToken, 'NOT_FOUND'],
    ];
    for (const [doc, input, token, code] of cases) {
      const res = await t.gql(doc, { input }, token);
      expect({ input, code: errorCode(res) }).toEqual({ input, code });
    }
    const [req] = await t.sql<{ id: string }>('SELECT id FROM countermeasure_requirements WHERE countermeasure_id = $1', [cm.id]);
    const noReason = await t.gql(REMOVE, { input: { requirementId: req!.id, expectedVersion: 1, reason: '  ' } }, ownerToken);
    expect(errorCode(noReason)).toBe('BAD_USER_INPUT');
    expect({
      reqs: await t.sql('SELECT * FROM countermeasure_requirements ORDER BY id'),
      trail: await t.sql('SELECT seq FROM audit_trail'),
    }).toEqual(before);
  });
});
