import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Actor } from '@app/common';
import { ProgressStatementsService } from '@app/duties';
import { errorCode, TestApp } from '../support/test-app';
import { makeCountermeasure, makeIncident } from '../support/remediation-factory';

/**
 * Progress statements (promise 9) through the API: an executive publishes, numbered per incident, with its trail
 * entry; corrections; and every refusal leaves the database as it was.
 */

const PUBLISH = `mutation($input: PublishProgressStatementInput!) {
  publishProgressStatement(input: $input) {
    id incidentId number correctsId correctsNumber correctionNoteJa correctionNoteEn correctedById correctedByNumber
    titleJa titleEn bodyJa bodyEn publishedAt publishedBy
    countermeasures { countermeasureId labelJa labelEn status publicStatusJa publicStatusEn }
  }
}`;
const LIST = `query($incidentId: ID!, $first: Int, $after: String) {
  progressStatements(incidentId: $incidentId, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { id number correctsNumber correctedByNumber titleJa }
  }
}`;

interface Published {
  id: string;
  number: number;
  correctsId: string | null;
  correctsNumber: number | null;
  correctedById: string | null;
  correctedByNumber: number | null;
  titleJa: string;
  publishedBy: string;
  countermeasures: { countermeasureId: string; labelJa: string; status: string; publicStatusJa: string; publicStatusEn: string }[];
}

describe('progress statements (promise 9)', () => {
  let t: TestApp;
  let ctx: Awaited<ReturnType<typeof makeIncident>>;
  let executive: Awaited<ReturnType<TestApp['createUser']>>;
  let execToken: string;
  let cmId: string;

  const input = (over: Record<string, unknown> = {}) => ({
    incidentId: ctx.incident.id,
    titleJa: '調査の進捗について',
    titleEn: 'Progress of the investigation',
    bodyJa: '漏えいしたデータベースを停止しました。\n\n警察の捜査に全面的に協力しています。',
    bodyEn: 'The leaked database has been stopped.\n\nWe are cooperating fully with the police investigation.',
    countermeasures: [{ countermeasureId: cmId, labelJa: '漏えいしたデータベースの停止', labelEn: 'Stopping the leaked database' }],
    ...over,
  });
  const publish = (over: Record<string, unknown> = {}, token = execToken) =>
    t.gql<{ publishProgressStatement: Published }>(PUBLISH, { input: input(over) }, token);
  const counts = async () =>
    (
      await t.sql<{ statements: number; entries: number }>(
        `SELECT (SELECT count(*)::int FROM progress_statements) AS statements,
                (SELECT count(*)::int FROM audit_trail WHERE action = 'progress_statement.published') AS entries`,
      )
    )[0]!;

  beforeAll(async () => {
    t = await TestApp.start();
    ctx = await makeIncident(t, '顧客情報漏えい事案');
    executive = await t.createUser(['EXECUTIVE'], { displayName: '小林 直樹', email: 'kobayashi.naoki@example.test' });
    execToken = await executive.token();
    const owner = await ctx.addMember(['TASK_FORCE']);
    const cm = await makeCountermeasure(t, ctx.incident.id, owner.user.id, { title: '【社内】DB-7 停止作業（委託先A社）' });
    cmId = cm.id;
  });
  afterAll(async () => t?.close());

  let first: Published;
  let second: Published;

  it('an executive publishes: number 1, the countermeasure’s status frozen with the label written for the public, a trail entry', async () => {
    const res = await publish();
    expect(res.errors).toBeUndefined();
    first = res.data!.publishProgressStatement;
    expect(first).toMatchObject({
      number: 1,
      correctsId: null,
      correctedById: null,
      titleJa: '調査の進捗について',
      publishedBy: 'kobayashi.naoki@example.test',
      countermeasures: [
        {
          countermeasureId: cmId,
          labelJa: '漏えいしたデータベースの停止',
          status: 'PLANNED',
          publicStatusJa: '実施予定',
          publicStatusEn: 'Planned',
        },
      ],
    });
    const [entry] = await t.sql<{ actor_id: string; entity_type: string; after: Record<string, unknown> }>(
      `SELECT actor_id, entity_type, "after" FROM audit_trail WHERE action = 'progress_statement.published' AND entity_id = $1`,
      [first.id],
    );
    expect(entry).toMatchObject({ actor_id: executive.user.id, entity_type: 'ProgressStatement' });
    expect(entry!.after).toMatchObject({
      number: 1,
      titleJa: '調査の進捗について',
      countermeasures: [{ countermeasureId: cmId, status: 'PLANNED' }],
    });
  });

  it('the next statement of the incident is number 2; another incident starts again at 1', async () => {
    second = (await publish({ titleJa: '第2報のお知らせ', countermeasures: [] })).data!.publishProgressStatement;
    expect(second.number).toBe(2);
    const other = await makeIncident(t, '別事案');
    const res = await publish({ incidentId: other.incident.id, countermeasures: [] });
    expect(res.data!.publishProgressStatement.number).toBe(1);
  });

  it('a correction is a new statement that names the one it corrects; the corrected one says by which', async () => {
    const res = await publish({
      corrects: first.id,
      correctionNoteJa: '停止日の記載を訂正しました。',
      correctionNoteEn: 'The date of the stop is corrected.',
    });
    expect(res.errors).toBeUndefined();
    const correction = res.data!.publishProgressStatement;
    expect(correction).toMatchObject({ number: 3, correctsId: first.id, correctsNumber: 1 });
    const list = await t.gql<{ progressStatements: { totalCount: number; nodes: Published[] } }>(
      LIST,
      { incidentId: ctx.incident.id },
      execToken,
    );
    expect(list.data!.progressStatements.totalCount).toBe(3);
    expect(list.data!.progressStatements.nodes.map((n) => [n.number, n.correctsNumber, n.correctedByNumber])).toEqual([
      [3, 1, null],
      [2, null, null],
      [1, null, 3],
    ]);
  });

  it('pages newest first with a cursor', async () => {
    const page1 = await t.gql<{ progressStatements: { nodes: Published[]; pageInfo: { hasNextPage: boolean; endCursor: string } } }>(
      LIST,
      { incidentId: ctx.incident.id, first: 2 },
      execToken,
    );
    expect(page1.data!.progressStatements.nodes.map((n) => n.number)).toEqual([3, 2]);
    expect(page1.data!.progressStatements.pageInfo.hasNextPage).toBe(true);
    const page2 = await t.gql<{ progressStatements: { nodes: Published[] } }>(
      LIST,
      { incidentId: ctx.incident.id, first: 2, after: page1.data!.progressStatements.pageInfo.endCursor },
      execToken,
    );
    expect(page2.data!.progressStatements.nodes.map((n) => n.number)).toEqual([1]);
  });

  it('refuses correcting a statement twice: a later correction corrects the latest version', async () => {
    const before = await counts();
    const res = await publish({ corrects: first.id, correctionNoteJa: '再訂正', correctionNoteEn: 'Corrected again' });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0]!.extensions).toMatchObject({ reason: 'INVALID_CORRECTION', correctedByNumber: 3 });
    expect(await counts()).toEqual(before);
  });

  it('refuses correcting another incident’s statement, and an unknown one', async () => {
    const other = await makeIncident(t, '別事案その2');
    const before = await counts();
    const res = await publish({
      incidentId: other.incident.id,
      countermeasures: [],
      corrects: second.id,
      correctionNoteJa: '訂正',
      correctionNoteEn: 'Fix',
    });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0]!.extensions!.reason).toBe('INVALID_CORRECTION');
    const unknown = await publish({ corrects: '00000000-0000-4000-8000-000000000000', correctionNoteJa: '訂正', correctionNoteEn: 'Fix' });
    expect(errorCode(unknown)).toBe('NOT_FOUND');
    expect(await counts()).toEqual(before);
  });

  it('refuses a correction without its notes, and a countermeasure of another incident', async () => {
    const other = await makeIncident(t, '別事案その3');
    const otherOwner = await other.addMember(['TASK_FORCE']);
    const foreign = await makeCountermeasure(t, other.incident.id, otherOwner.user.id);
    const before = await counts();
    const noNote = await publish({ corrects: second.id, correctionNoteJa: '訂正' });
    expect(noNote.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'correctionNoteEn' });
    const res = await publish({ countermeasures: [{ countermeasureId: foreign.id, labelJa: '対策', labelEn: 'Measure' }] });
    expect(res.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'countermeasures[0].countermeasureId' });
    expect(await counts()).toEqual(before);
  });

  it('only executives publish: task-force members, auditors and admins are FORBIDDEN; readers of the plan list them', async () => {
    const before = await counts();
    for (const role of ['TASK_FORCE', 'AUDITOR', 'ADMIN'] as const) {
      const u = await t.createUser([role]);
      expect(errorCode(await publish({}, await u.token()))).toBe('FORBIDDEN');
    }
    const member = await t.createUser(['TASK_FORCE']);
    const list = await t.gql<{ progressStatements: { totalCount: number } }>(LIST, { incidentId: ctx.incident.id }, await member.token());
    expect(list.data!.progressStatements.totalCount).toBe(3);
    expect(errorCode(await t.gql(LIST, { incidentId: ctx.incident.id }))).toBe('UNAUTHENTICATED');
    expect(await counts()).toEqual(before);
  });

  it('an unknown incident is NOT_FOUND', async () => {
    const res = await publish({ incidentId: '00000000-0000-4000-8000-000000000001', countermeasures: [] });
    expect(errorCode(res)).toBe('NOT_FOUND');
  });

  describe('the content rule: never internal names, evidence or comments', () => {
    it('refuses the display name of a user of the tracker (written without the space), naming the field, and writes nothing', async () => {
      const before = await counts();
      const res = await publish({ bodyJa: '本件は小林直樹が担当しています。' });
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0]!.extensions).toMatchObject({ reason: 'NOT_PUBLISHABLE', field: 'bodyJa', matched: 'USER_NAME' });
      expect(await counts()).toEqual(before);
    });

    it('refuses a user’s name in a countermeasure label, and their reading in kana', async () => {
      const chiefLabel = await publish({
        countermeasures: [{ countermeasureId: cmId, labelJa: '停止（社長 太郎 承認）', labelEn: 'Stopped' }],
      });
      expect(chiefLabel.errors![0]!.extensions).toMatchObject({ reason: 'NOT_PUBLISHABLE', field: 'countermeasures[0].labelJa' });
      const kana = await t.createUser(['TASK_FORCE'], { displayName: '渡辺 由美', displayNameKana: 'わたなべ ゆみ' });
      expect(kana.user.id).toBeTruthy();
      const res = await publish({ titleJa: 'わたなべゆみからのお知らせ' });
      expect(res.errors![0]!.extensions).toMatchObject({ reason: 'NOT_PUBLISHABLE', field: 'titleJa', matched: 'USER_NAME' });
    });

    it('refuses any e-mail address, a user’s or not', async () => {
      const before = await counts();
      const user = await publish({ bodyEn: 'Contact kobayashi.naoki@example.test for details.' });
      expect(user.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'NOT_PUBLISHABLE', field: 'bodyEn' });
      const any = await publish({ bodyEn: 'Write to privacy@company.example.jp.' });
      expect(any.errors![0]!.extensions).toMatchObject({ reason: 'NOT_PUBLISHABLE', field: 'bodyEn', matched: 'EMAIL_ADDRESS' });
      expect(await counts()).toEqual(before);
    });

    it('the input has no field for owners, evidence or comments: GraphQL refuses one before anything runs', async () => {
      const before = await counts();
      for (const field of ['ownerId', 'evidence', 'comment']) {
        const res = await t.gql(PUBLISH, { input: { ...input(), [field]: 'x' } }, execToken);
        expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
        expect(res.errors![0]!.message).toContain(field);
      }
      expect(await counts()).toEqual(before);
    });
  });

  it('the service publishes without GraphQL for the system (the demo loader)', async () => {
    const row = await t.app.get(ProgressStatementsService).publish(Actor.system('demo'), {
      incidentId: ctx.incident.id,
      titleJa: '第4報',
      titleEn: 'No. 4',
      bodyJa: '本文',
      bodyEn: 'Body',
    });
    expect(row).toMatchObject({ number: 4, publishedById: null, publishedByLabel: 'system:demo' });
  });

  it('the database itself refuses to change or remove a published statement', async () => {
    await expect(t.sql(`UPDATE progress_statements SET title_ja = '書き換え' WHERE id = $1`, [first.id])).rejects.toThrow(/never changes/);
    await expect(t.sql(`DELETE FROM progress_statements WHERE id = $1`, [first.id])).rejects.toThrow(/never changes/);
    await expect(t.sql(`TRUNCATE progress_statements`)).rejects.toThrow(/never changes/);
    const [row] = await t.sql<{ title_ja: string }>(`SELECT title_ja FROM progress_statements WHERE id = $1`, [first.id]);
    expect(row!.title_ja).toBe('調査の進捗について');
  });
});
