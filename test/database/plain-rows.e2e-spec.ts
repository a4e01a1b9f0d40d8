import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource, In, type EntityTarget, type ObjectLiteral } from 'typeorm';
import { Actor } from '@app/common';
import {
  CountermeasureContributorEntity,
  CountermeasureEntity,
  CountermeasuresService,
  DueDateChangeEntity,
  RequirementEntity,
  TransitionEntity,
} from '@app/countermeasures';
import { asArrayLiteral, readPlainRows } from '@app/database';
import { EvidenceEntity, EvidenceReviewEntity, EvidenceService, EvidenceStorage } from '@app/evidence';
import { UserEntity, UsersService } from '@app/identity';
import { makeCountermeasure, makeIncident } from '../support/remediation-factory';
import { TestApp } from '../support/test-app';

/**
 * readPlainRows (issue 14) replaces TypeORM's hydration for the loaders' batch
 * reads: what it gives must be what TypeORM gives for the same rows, value for
 * value (Date for timestamps, 'YYYY-MM-DD' for dates, numbers for the
 * transformed bigint, arrays, nulls), or a field of the API would change type.
 */
const ENTITIES: [string, EntityTarget<ObjectLiteral>][] = [
  ['CountermeasureEntity', CountermeasureEntity],
  ['RequirementEntity', RequirementEntity],
  ['TransitionEntity', TransitionEntity],
  ['DueDateChangeEntity', DueDateChangeEntity],
  ['CountermeasureContributorEntity', CountermeasureContributorEntity],
  ['EvidenceEntity', EvidenceEntity],
  ['EvidenceReviewEntity', EvidenceReviewEntity],
  ['UserEntity', UserEntity],
];

/** Plain copies (own enumerable properties), sorted by a key: the comparison does not depend on the class or the order. */
const plain = <T extends ObjectLiteral>(rows: readonly T[], key: (r: T) => string) =>
  rows.map((r) => ({ ...r })).sort((a, b) => (key(a as T) < key(b as T) ? -1 : key(a as T) > key(b as T) ? 1 : 0));
const byId = (r: ObjectLiteral) => String(r['id']);

describe('readPlainRows gives what TypeORM hydration gives', () => {
  let t: TestApp;
  let ds: DataSource;
  const cmIds: string[] = [];
  const requirementIds: string[] = [];
  const evidenceIds: string[] = [];
  const userIds: string[] = [];
  /** The microsecond timestamp written by SQL below, as pg (and TypeORM) give it: milliseconds. */
  const MICROS = '2026-11-02 03:04:05.678901+00';

  beforeAll(async () => {
    t = await TestApp.start();
    ds = t.app.get<DataSource>(getDataSourceToken());
    const ctx = await makeIncident(t, '情報漏えい事案 二〇二六');
    const owner = await ctx.addMember(['TASK_FORCE', 'EXECUTIVE'], '情報システム部長');
    const helper = await ctx.addMember();
    const gone = await ctx.addMember();
    const auditor = await t.createUser(['AUDITOR'], { displayName: '監査 花子', displayNameKana: 'かんさ はなこ' });
    const users = t.app.get(UsersService);
    await users.deactivate(Actor.system('test'), gone.user.id, gone.user.version);
    userIds.push(owner.user.id, helper.user.id, gone.user.id, auditor.user.id, ctx.chief.user.id);

    const cms = t.app.get(CountermeasuresService);
    const evidence = t.app.get(EvidenceService);
    const storage = t.app.get(EvidenceStorage);
    for (let i = 0; i < 2; i++) {
      let cm = await makeCountermeasure(t, ctx.incident.id, owner.user.id, {
        title: `特権アカウントの棚卸し ${i}`,
        contributorIds: [helper.user.id, gone.user.id],
        requirements: [{ title: `権限一覧（${i}）` }, { title: `四半期レビュー記録（${i}）`, recurrenceDays: 90 }],
      });
      cm = await cms.transition(Actor.user(owner.user), cm.id, cm.version, 'IN_PROGRESS', null);
      await cms.changeDueDate(Actor.user(ctx.chief.user), cm.id, cm.version, '2027-06-30', '範囲拡大のため');
      cmIds.push(cm.id);
      const [first, second] = await cms.requirementsOf([cm.id]);
      requirementIds.push(first!.id, second!.id);

      const bytes = Buffer.from(`棚卸し結果 ${i}\n氏名,権限\n山田,管理者\n`, 'utf8');
      const staged = await storage.stage(Readable.from([bytes]), { maxBytes: 1 << 20, allowedTypes: ['text/plain', 'text/csv'] });
      await staged.commit();
      const file = await evidence.submitFile(Actor.user(owner.user), {
        requirementId: first!.id,
        effectiveOn: '2026-10-01',
        description: '全部署分',
        file: { name: `権限一覧_${i}.csv`, mediaType: staged.mediaType, sizeBytes: staged.sizeBytes, sha256: staged.sha256 },
      });
      await evidence.review(Actor.user(auditor.user), file.id, file.sha256, 'ACCEPTED', i === 0 ? '確認しました' : null);
      const attest = await evidence.submitAttestation(Actor.user(helper.user), {
        requirementId: second!.id,
        title: `四半期レビュー実施の宣誓 ${i}`,
        statement: '全件を確認済みです。',
        effectiveOn: '2026-10-15',
      });
      await evidence.review(Actor.user(auditor.user), attest.id, attest.sha256, 'REJECTED', '日付の記載がありません');
      const corrected = await evidence.submitAttestation(Actor.user(helper.user), {
        requirementId: second!.id,
        title: `四半期レビュー実施の宣誓（訂正） ${i}`,
        statement: '二〇二六年十月十五日に全件を確認済みです。',
        effectiveOn: '2026-10-15',
        supersedesId: attest.id,
      });
      const link = await evidence.submitLink(Actor.user(owner.user), {
        requirementId: second!.id,
        title: `議事録リンク ${i}`,
        url: `https://wiki.example.test/minutes/${i}`,
        effectiveOn: '2026-10-20',
      });
      await evidence.withdraw(Actor.user(owner.user), link.id, link.version, '誤った議事録でした');
      evidenceIds.push(file.id, attest.id, corrected.id, link.id);
    }
    // Timestamps with microseconds, as PostgreSQL's own now() writes them (and one fixed value, so the digits are certain).
    await t.sql(`UPDATE users SET updated_at = now(), deactivated_at = $2 WHERE id = $1`, [gone.user.id, MICROS]);
    await t.sql(`UPDATE evidence SET reviewed_at = $2 WHERE id = $1`, [evidenceIds[0], MICROS]);
    await t.sql(`UPDATE evidence SET withdrawn_at = now() WHERE id = $1`, [evidenceIds[3]]);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('the data holds what the comparison must cover', async () => {
    const [micro] = await t.sql<{ us: string }>(`SELECT to_char(deactivated_at, 'US') AS us FROM users WHERE id = $1`, [userIds[2]]);
    expect(micro!.us).toBe('678901');
    const kinds = await t.sql<{ kind: string; status: string }>(`SELECT kind, status FROM evidence ORDER BY kind, status`);
    expect(kinds.map((k) => `${k.kind}/${k.status}`)).toEqual(
      expect.arrayContaining(['FILE/SUBMITTED', 'ATTESTATION/SUPERSEDED', 'ATTESTATION/SUBMITTED', 'LINK/WITHDRAWN']),
    );
  });

  it.each(ENTITIES)('%s: every row of its table equals what getRepository().find() gives', async (_name, entity) => {
    const expected = await ds.getRepository(entity).find();
    expect(expected.length).toBeGreaterThan(0);
    const actual = await readPlainRows(ds.manager, entity, 'true', [], 't.ctid');
    const key = (r: ObjectLiteral) => JSON.stringify(ds.getMetadata(entity).getEntityIdMap(r));
    expect(plain(actual, key)).toEqual(plain(expected, key));
    // The same keys, no more (toEqual ignores a property TypeORM leaves undefined, never an extra value).
    for (const row of actual)
      expect(Object.keys(row).sort()).toEqual(
        ds
          .getMetadata(entity)
          .columns.filter((c) => !c.isVirtual)
          .map((c) => c.propertyPath)
          .sort(),
      );
  });

  it('values have the types TypeORM gives: Date, date text, number, array, null', async () => {
    const [file] = await readPlainRows(ds.manager, EvidenceEntity, 't.id = $1', [evidenceIds[0]], 't.id');
    expect(file!.uploadedAt).toBeInstanceOf(Date);
    expect(file!.reviewedAt).toEqual(new Date('2026-11-02T03:04:05.678Z'));
    expect(file!.effectiveOn).toBe('2026-10-01');
    expect(typeof file!.sizeBytes).toBe('number');
    expect(file!.sizeBytes).toBeGreaterThan(0);
    expect(file!.url).toBeNull();
    expect(file!.name).toBe('権限一覧_0.csv');
    const [attest] = await readPlainRows(ds.manager, EvidenceEntity, 't.id = $1', [evidenceIds[1]], 't.id');
    expect(attest!.sizeBytes).toBeNull();
    expect(attest!.supersededById).toBe(evidenceIds[2]);
    const [gone] = await readPlainRows(ds.manager, UserEntity, 't.id = $1', [userIds[2]], 't.id');
    expect(gone!.active).toBe(false);
    expect(gone!.deactivatedAt).toEqual(new Date('2026-11-02T03:04:05.678Z'));
    const [owner] = await readPlainRows(ds.manager, UserEntity, 't.id = $1', [userIds[0]], 't.id');
    expect([...owner!.roles].sort()).toEqual(['EXECUTIVE', 'TASK_FORCE']);
    expect(owner!.deactivatedAt).toBeNull();
    const [change] = await readPlainRows(ds.manager, DueDateChangeEntity, 't.countermeasure_id = $1', [cmIds[0]], 't.at');
    expect(change).toMatchObject({ oldDueDate: '2027-03-31', newDueDate: '2027-06-30', reason: '範囲拡大のため' });
  });

  it('the services the loaders call return what TypeORM returns for the same rows, in their order', async () => {
    const cms = t.app.get(CountermeasuresService);
    const evidence = t.app.get(EvidenceService);
    const repo = <E extends ObjectLiteral>(e: EntityTarget<E>) => ds.getRepository(e);
    const where = { countermeasureId: In(cmIds) };
    const cases: [string, ObjectLiteral[], ObjectLiteral[]][] = [
      ['requirements', await cms.requirementsOf(cmIds), await repo(RequirementEntity).find({ where })],
      ['transitions', await cms.transitionsOf(cmIds), await repo(TransitionEntity).find({ where })],
      ['due-date changes', await cms.dueDateChangesOf(cmIds), await repo(DueDateChangeEntity).find({ where })],
      [
        'evidence',
        await evidence.evidenceOfRequirements(requirementIds),
        await repo(EvidenceEntity).find({ where: { requirementId: In(requirementIds) } }),
      ],
      ['reviews', await evidence.reviewsOf(evidenceIds), await repo(EvidenceReviewEntity).find({ where: { evidenceId: In(evidenceIds) } })],
      ['users', await t.app.get(UsersService).findByIds(userIds), await repo(UserEntity).find({ where: { id: In(userIds) } })],
    ];
    for (const [name, actual, expected] of cases) {
      expect(expected.length, name).toBeGreaterThan(0);
      expect(plain(actual, byId), name).toEqual(plain(expected, byId));
    }
    const contributors = await cms.contributorsOf(cmIds);
    const expectedContributors = await repo(CountermeasureContributorEntity).find({ where });
    const pair = (r: ObjectLiteral) => `${r['countermeasureId']}/${r['userId']}`;
    expect(contributors).toHaveLength(4);
    expect(plain(contributors, pair)).toEqual(plain(expectedContributors, pair));

    // Their order: requirements by position, evidence oldest first, users by id.
    const reqs = await cms.requirementsOf([cmIds[0]!]);
    expect(reqs.map((r) => r.title)).toEqual(['権限一覧（0）', '四半期レビュー記録（0）']);
    const ev = await evidence.evidenceOfRequirements([requirementIds[1]!]);
    expect(ev.map((e) => e.id)).toEqual([evidenceIds[1], evidenceIds[2], evidenceIds[3]]);
    const us = await t.app.get(UsersService).findByIds(userIds);
    expect(us.map((u) => u.id)).toEqual([...userIds].sort());
  });

  it('an array of ids goes as one array literal and finds the same rows; other arrays go as pg sends them', async () => {
    const ids = [evidenceIds[2]!, evidenceIds[0]!, evidenceIds[0]!.toUpperCase()];
    expect(asArrayLiteral(ids)).toBe(`{${ids.join(',')}}`);
    const found = await readPlainRows(ds.manager, EvidenceEntity, 't.id = ANY($1)', [ids], 't.id');
    expect(found.map((e) => e.id)).toEqual([evidenceIds[0], evidenceIds[2]].sort());
    expect(await readPlainRows(ds.manager, EvidenceEntity, 't.id = ANY($1)', [[]], 't.id')).toEqual([]);
    // Elements a literal would have to quote are left to pg, and PostgreSQL reads each as one element.
    for (const odd of [['a,b', 'c"d', '{e}', 'NULL', ' f ', '名前'], [evidenceIds[0], 'x'], [evidenceIds[0], ''], ['g'], [1, 2]]) {
      expect(asArrayLiteral(odd)).toBe(odd);
      const [row] = await t.sql<{ a: string[] }>(`SELECT $1::text[] AS a`, [asArrayLiteral(odd)]);
      expect(row!.a).toEqual(odd.map(String));
    }
  });
});
