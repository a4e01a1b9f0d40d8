import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Actor, CASE_TIME_ZONE, todayIn } from '@app/common';
import { UsersService } from '@app/identity';
import { CountermeasureParties1795680000100 } from '../../migrations/1795680000100-CountermeasureParties';
import { makeCountermeasure, makeIncident } from '../support/remediation-factory';
import { errorCode, reasonOf, TestApp } from '../support/test-app';

const CREATE = `mutation($input: CreateCountermeasureInput!) { createCountermeasure(input: $input) { id version } }`;
const ASSIGN = `mutation($input: AssignCountermeasureOwnerInput!) { assignCountermeasureOwner(input: $input) { version owner { id } } }`;
const CONTRIBUTORS = `mutation($input: SetCountermeasureContributorsInput!) { setCountermeasureContributors(input: $input) { version contributors { id } } }`;
const MOVE = `mutation($input: MoveCountermeasureInput!) { moveCountermeasure(input: $input) { status version } }`;
const ATTEST = `mutation($input: SubmitEvidenceAttestationInput!) { submitEvidenceAttestation(input: $input) { id sha256 } }`;
const REVIEW = `mutation($input: ReviewEvidenceInput!) { reviewEvidence(input: $input) { id decision } }`;
const SIGN = `mutation($input: SignOffCountermeasureInput!) { signOffCountermeasure(input: $input) { id } }`;

type PartyRow = {
  user_id: string;
  role: string;
  since: Date;
  until: Date | null;
  started_by_entry_id: string | null;
  ended_by_entry_id: string | null;
};

/**
 * The party history (countermeasure_parties): who owned or contributed to an
 * item, from when until when, written with every change of owner or
 * contributors; segregation of duties asks it, so a person who once did the
 * work never reviews or signs it off, whatever the item's current parties.
 */
describe('the party history of a countermeasure', () => {
  let t: TestApp;
  let ctx: Awaited<ReturnType<typeof makeIncident>>;
  let chiefToken: string;
  /** Items of the first two tests, for the third. */
  const reassigned = { id: '' };
  const formerOwned = { id: '', formerId: '' };

  beforeAll(async () => {
    t = await TestApp.start();
    ctx = await makeIncident(t, '個人情報漏えい事案');
    chiefToken = await ctx.chief.token();
  });
  afterAll(async () => t?.close());

  const parties = (countermeasureId: string) =>
    t.sql<PartyRow>(
      `SELECT user_id, role, since, until, started_by_entry_id, ended_by_entry_id FROM countermeasure_parties WHERE countermeasure_id = $1 ORDER BY since, role DESC, user_id`,
      [countermeasureId],
    );
  const trail = (countermeasureId: string) =>
    t.sql<{ id: string; action: string; occurred_at: Date }>(
      `SELECT id, action, occurred_at FROM audit_trail WHERE entity_id = $1 ORDER BY seq`,
      [countermeasureId],
    );

  it('create → reassign → change contributors → a contributor becomes owner: each period starts and ends at its change, tied to its trail entry', async () => {
    const [a, b, c, d] = [await ctx.addMember(), await ctx.addMember(), await ctx.addMember(), await ctx.addMember()];
    const created = await t.gql<{ createCountermeasure: { id: string } }>(
      CREATE,
      {
        input: {
          incidentId: ctx.incident.id,
          title: 'アクセス権限の絞り込み',
          category: 'ACCESS_RESTRICTION',
          ownerId: a.user.id,
          contributorIds: [b.user.id],
          priority: 'HIGH',
          dueDate: '2027-03-31',
        },
      },
      chiefToken,
    );
    expect(created.errors).toBeUndefined();
    const id = created.data!.createCountermeasure.id;
    reassigned.id = id;
    expect((await t.gql(ASSIGN, { input: { id, expectedVersion: 1, ownerId: c.user.id } }, chiefToken)).errors).toBeUndefined();
    expect((await t.gql(CONTRIBUTORS, { input: { id, expectedVersion: 2, userIds: [d.user.id] } }, chiefToken)).errors).toBeUndefined();
    // d, a contributor, becomes the owner: d's contribution ends where d's ownership begins.
    expect((await t.gql(ASSIGN, { input: { id, expectedVersion: 3, ownerId: d.user.id } }, chiefToken)).errors).toBeUndefined();

    const [createdAt, assigned, changed, promoted] = await trail(id);
    expect([createdAt!.action, assigned!.action, changed!.action, promoted!.action]).toEqual([
      'countermeasure.created',
      'countermeasure.owner_assigned',
      'countermeasure.contributors_changed',
      'countermeasure.owner_assigned',
    ]);
    const name = new Map([
      [a.user.id, 'a'],
      [b.user.id, 'b'],
      [c.user.id, 'c'],
      [d.user.id, 'd'],
    ]);
    const entry = new Map([
      [createdAt!.id, 'created'],
      [assigned!.id, 'assigned c'],
      [changed!.id, 'contributors [d]'],
      [promoted!.id, 'assigned d'],
    ]);
    const at = new Map([
      [createdAt!.occurred_at.getTime(), 'created'],
      [assigned!.occurred_at.getTime(), 'assigned c'],
      [changed!.occurred_at.getTime(), 'contributors [d]'],
      [promoted!.occurred_at.getTime(), 'assigned d'],
    ]);
    const rows = (await parties(id)).map((r) => ({
      who: name.get(r.user_id),
      role: r.role,
      since: at.get(r.since.getTime()),
      until: r.until === null ? null : at.get(r.until.getTime()),
      startedBy: entry.get(r.started_by_entry_id!),
      endedBy: r.ended_by_entry_id === null ? null : entry.get(r.ended_by_entry_id),
    }));
    expect(rows).toEqual([
      { who: 'a', role: 'OWNER', since: 'created', until: 'assigned c', startedBy: 'created', endedBy: 'assigned c' },
      { who: 'b', role: 'CONTRIBUTOR', since: 'created', until: 'contributors [d]', startedBy: 'created', endedBy: 'contributors [d]' },
      { who: 'c', role: 'OWNER', since: 'assigned c', until: 'assigned d', startedBy: 'assigned c', endedBy: 'assigned d' },
      {
        who: 'd',
        role: 'CONTRIBUTOR',
        since: 'contributors [d]',
        until: 'assigned d',
        startedBy: 'contributors [d]',
        endedBy: 'assigned d',
      },
      { who: 'd', role: 'OWNER', since: 'assigned d', until: null, startedBy: 'assigned d', endedBy: null },
    ]);
    // Today's parties are exactly the open rows.
    const open = (await parties(id)).filter((r) => r.until === null).map((r) => `${name.get(r.user_id)}:${r.role}`);
    expect(open).toEqual(['d:OWNER']);
    expect(await t.sql(`SELECT user_id FROM countermeasure_contributors WHERE countermeasure_id = $1`, [id])).toEqual([]);
  });

  it('a former owner, reassigned away and now an auditor, still may not review or sign off the item; another auditor may', async () => {
    const today = todayIn(CASE_TIME_ZONE, new Date());
    const former = await ctx.addMember(['TASK_FORCE'], '元担当');
    const owner = await ctx.addMember();
    const ownerToken = await owner.token();
    const other = await (await t.createUser(['AUDITOR'])).token();
    const cm = await makeCountermeasure(t, ctx.incident.id, former.user.id);
    Object.assign(formerOwned, { id: cm.id, formerId: former.user.id });
    const [{ id: requirementId }] = await t.sql<{ id: string }>(`SELECT id FROM countermeasure_requirements WHERE countermeasure_id = $1`, [
      cm.id,
    ]);
    expect((await t.gql(ASSIGN, { input: { id: cm.id, expectedVersion: 1, ownerId: owner.user.id } }, chiefToken)).errors).toBeUndefined();
    expect((await t.gql(MOVE, { input: { id: cm.id, expectedVersion: 2, to: 'IN_PROGRESS' } }, ownerToken)).errors).toBeUndefined();
    const attested = await t.gql<{ submitEvidenceAttestation: { id: string; sha256: string } }>(
      ATTEST,
      { input: { requirementId, title: '棚卸し結果', statement: '全顧客DBのアクセス権限を棚卸ししました。', effectiveOn: today } },
      ownerToken,
    );
    expect(attested.errors).toBeUndefined();
    const evidence = attested.data!.submitEvidenceAttestation;
    expect((await t.gql(MOVE, { input: { id: cm.id, expectedVersion: 3, to: 'IMPLEMENTED' } }, ownerToken)).errors).toBeUndefined();
    // The former owner moves to the audit side (AUDITOR is never held with TASK_FORCE).
    const users = t.app.get(UsersService);
    await users.updateRoles(Actor.system('test'), former.user.id, ['AUDITOR'], (await users.getById(former.user.id)).version);
    const formerToken = await former.token();

    const review = (token: string, expectedVersion = 1) =>
      t.gql(
        REVIEW,
        { input: { evidenceId: evidence.id, sha256: evidence.sha256, expectedVersion, decision: 'ACCEPTED', comment: null } },
        token,
      );
    const refused = await review(formerToken);
    expect([errorCode(refused), reasonOf(refused)]).toEqual(['FORBIDDEN', 'CONFLICT_OF_INTEREST']);
    expect((await review(other)).errors).toBeUndefined();
    const signed = await t.gql(SIGN, { input: { countermeasureId: cm.id, expectedVersion: 4 } }, formerToken);
    expect([errorCode(signed), reasonOf(signed)]).toEqual(['FORBIDDEN', 'CONFLICT_OF_INTEREST']);
    expect((await t.sql<{ status: string }>(`SELECT status FROM countermeasures WHERE id = $1`, [cm.id]))[0]!.status).toBe('IMPLEMENTED');

    // The rule reads the party history, not the audit trail: without the former owner's period
    // (the trail still names them in every snapshot before the reassignment) the review would pass.
    await t.sql(`DELETE FROM countermeasure_parties WHERE countermeasure_id = $1 AND user_id = $2`, [cm.id, former.user.id]);
    expect((await review(formerToken, 2 /* the other auditor's review made it 2 */)).errors).toBeUndefined();
  });

  it('the migration fills from the trail exactly what the changes wrote (periods, times and trail entries), and restores a lost period', async () => {
    const ds = t.app.get<DataSource>(getDataSourceToken());
    const all = () =>
      t.sql<PartyRow & { countermeasure_id: string }>(
        `SELECT countermeasure_id, user_id, role, since, until, started_by_entry_id, ended_by_entry_id FROM countermeasure_parties ORDER BY countermeasure_id, since, role, user_id`,
      );
    const written = await all();
    const migration = new CountermeasureParties1795680000100();
    const runner = ds.createQueryRunner();
    try {
      await migration.down(runner);
      await migration.up(runner);
    } finally {
      await runner.release();
    }
    const filled = await all();
    const of = (rows: (PartyRow & { countermeasure_id: string })[], id: string) => rows.filter((r) => r.countermeasure_id === id);
    // The first item's history, as its four changes wrote it, is filled identically from their trail entries.
    expect(of(written, reassigned.id)).toHaveLength(5);
    expect(of(filled, reassigned.id)).toEqual(of(written, reassigned.id));
    // The second item lost its former owner's period (deleted above); the trail gives it back.
    const [created, assigned] = await trail(formerOwned.id);
    expect(of(filled, formerOwned.id)).toEqual([
      {
        countermeasure_id: formerOwned.id,
        user_id: formerOwned.formerId,
        role: 'OWNER',
        since: created!.occurred_at,
        until: assigned!.occurred_at,
        started_by_entry_id: created!.id,
        ended_by_entry_id: assigned!.id,
      },
      ...of(written, formerOwned.id),
    ]);
    expect(filled).toHaveLength(written.length + 1);
  });
});
