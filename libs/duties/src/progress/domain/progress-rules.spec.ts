import { describe, expect, it } from 'vitest';
import { ALL_COUNTERMEASURE_STATUSES } from '@app/countermeasures';
import { DutyError } from '../../domain/duties.errors';
import {
  checkStatement,
  comparable,
  findContentViolation,
  findEmail,
  notPublishable,
  PROGRESS_LIMITS,
  publicStatusWording,
  publishedFields,
  statementLabel,
  WORDED_STATUSES,
  type PublishProgressStatementCommand,
} from './progress-rules';

const INCIDENT = '3f2b8c1e-5d4a-4b6e-9c7d-1a2b3c4d5e6f';
const CM = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

function command(over: Partial<PublishProgressStatementCommand> = {}): PublishProgressStatementCommand {
  return {
    incidentId: INCIDENT,
    titleJa: '調査の進捗について（第1報）',
    titleEn: 'Progress of the investigation',
    bodyJa: '警察の捜査に全面的に協力しています。\r\n\r\n漏えいしたデータベースは停止しました。',
    bodyEn: 'We are cooperating fully with the police.',
    countermeasures: [{ countermeasureId: CM.toUpperCase(), labelJa: 'データベースの停止', labelEn: 'Database stopped' }],
    ...over,
  };
}

function codeOf(fn: () => unknown): { code: string; field: unknown; reason?: unknown } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DutyError);
    const e = err as DutyError;
    return { code: e.code, field: e.details['field'], reason: e.details['reason'] };
  }
  throw new Error('expected a DutyError');
}

describe('checkStatement: what a statement must be before anything is read', () => {
  it('normalizes: trimmed, CRLF to LF, ids in lower case', () => {
    const s = checkStatement(command({ titleJa: '  調査の進捗  ' }));
    expect(s.titleJa).toBe('調査の進捗');
    expect(s.bodyJa).toBe('警察の捜査に全面的に協力しています。\n\n漏えいしたデータベースは停止しました。');
    expect(s.countermeasures).toEqual([{ countermeasureId: CM, labelJa: 'データベースの停止', labelEn: 'Database stopped' }]);
    expect(s.corrects).toBeNull();
    expect(s.correctionNoteJa).toBeNull();
  });

  it('refuses an empty title, a title of two lines, a control character, a lone surrogate, naming the field', () => {
    expect(codeOf(() => checkStatement(command({ titleEn: '   ' })))).toMatchObject({ code: 'INVALID_FIELD', field: 'titleEn' });
    expect(codeOf(() => checkStatement(command({ titleJa: '一行目\n二行目' })))).toMatchObject({ field: 'titleJa' });
    expect(codeOf(() => checkStatement(command({ bodyEn: 'bell \u0007 here' })))).toMatchObject({ field: 'bodyEn' });
    expect(codeOf(() => checkStatement(command({ bodyJa: '壊れた\uD800文字' })))).toMatchObject({ field: 'bodyJa' });
  });

  it('counts characters, not bytes: a Japanese body of exactly the limit passes, one more is refused', () => {
    expect(checkStatement(command({ bodyJa: 'あ'.repeat(PROGRESS_LIMITS.body) })).bodyJa).toHaveLength(PROGRESS_LIMITS.body);
    expect(codeOf(() => checkStatement(command({ bodyJa: 'あ'.repeat(PROGRESS_LIMITS.body + 1) })))).toMatchObject({ field: 'bodyJa' });
  });

  it('refuses a countermeasure listed twice, a bad id, a label of two lines, and more than the limit', () => {
    const item = { countermeasureId: CM, labelJa: '停止', labelEn: 'Stopped' };
    expect(
      codeOf(() => checkStatement(command({ countermeasures: [item, { ...item, countermeasureId: CM.toUpperCase() }] }))),
    ).toMatchObject({
      field: 'countermeasures[1].countermeasureId',
    });
    expect(codeOf(() => checkStatement(command({ countermeasures: [{ ...item, countermeasureId: 'CM-001' }] })))).toMatchObject({
      field: 'countermeasures[0].countermeasureId',
    });
    expect(codeOf(() => checkStatement(command({ countermeasures: [{ ...item, labelEn: 'a\nb' }] })))).toMatchObject({
      field: 'countermeasures[0].labelEn',
    });
    const many = Array.from({ length: PROGRESS_LIMITS.countermeasures + 1 }, () => item);
    expect(codeOf(() => checkStatement(command({ countermeasures: many })))).toMatchObject({ field: 'countermeasures' });
  });

  it('a correction needs both notes; a note without `corrects` is refused', () => {
    const corrects = '9b2e4f7a-1c3d-4e5f-8a9b-0c1d2e3f4a5b';
    expect(codeOf(() => checkStatement(command({ corrects, correctionNoteJa: '日付の誤り' })))).toMatchObject({
      code: 'INVALID_FIELD',
      field: 'correctionNoteEn',
    });
    expect(codeOf(() => checkStatement(command({ correctionNoteJa: '日付の誤り' })))).toMatchObject({ field: 'correctionNoteJa' });
    const s = checkStatement(command({ corrects, correctionNoteJa: '日付の誤り', correctionNoteEn: 'Wrong date' }));
    expect(s).toMatchObject({ corrects, correctionNoteJa: '日付の誤り', correctionNoteEn: 'Wrong date' });
    expect(publishedFields(s).map((f) => f.field)).toEqual([
      'titleJa',
      'titleEn',
      'bodyJa',
      'bodyEn',
      'correctionNoteJa',
      'correctionNoteEn',
      'countermeasures[0].labelJa',
      'countermeasures[0].labelEn',
    ]);
  });
});

describe('the content rule: never internal names, evidence or comments', () => {
  const fields = (bodyJa: string, labelEn = 'Database stopped') =>
    publishedFields(checkStatement(command({ bodyJa, countermeasures: [{ countermeasureId: CM, labelJa: '停止', labelEn }] })));

  it('refuses an e-mail address anywhere, also written in full-width characters', () => {
    expect(findEmail('連絡先 sato@example.co.jp まで')).toBe('sato@example.co.jp');
    expect(findEmail('ｓａｔｏ＠ｅｘａｍｐｌｅ．ｊｐ')).toBe('sato@example.jp');
    expect(findEmail('午前10時@本社')).toBeNull();
    expect(findContentViolation(fields('お問い合わせは privacy@example.co.jp へ'), [])).toEqual({
      field: 'bodyJa',
      reason: 'EMAIL_ADDRESS',
      found: 'privacy@example.co.jp',
    });
  });

  it('finds a user’s name with or without the space, full-width or not, and names the field', () => {
    const terms = [{ reason: 'USER_NAME' as const, value: '佐藤 一郎' }];
    expect(findContentViolation(fields('担当の佐藤一郎が確認しました。'), terms)).toMatchObject({ field: 'bodyJa', reason: 'USER_NAME' });
    expect(findContentViolation(fields('担当の佐藤\u3000一郎が確認しました。'), terms)).toMatchObject({ field: 'bodyJa' });
    expect(findContentViolation(fields('確認しました。', 'Checked by SATO'), [{ reason: 'USER_NAME', value: 'Ｓａｔｏ' }])).toMatchObject({
      field: 'countermeasures[0].labelEn',
    });
    expect(comparable('佐藤\u3000一郎 ＡＢＣ')).toBe('佐藤一郎abc');
  });

  it('ignores names too short to be told from words, and ordinary sentences that equal a short comment', () => {
    expect(findContentViolation(fields('対策を実施しました。'), [{ reason: 'USER_NAME', value: '対' }])).toBeNull();
    expect(findContentViolation(fields('監査で確認しました。'), [{ reason: 'REVIEW_COMMENT', value: '確認しました' }])).toBeNull();
    const comment = '権限一覧に退職者のアカウントが残っています。削除の記録を添付してください。';
    expect(findContentViolation(fields(`指摘：${comment}`), [{ reason: 'REVIEW_COMMENT', value: comment }])).toMatchObject({
      reason: 'REVIEW_COMMENT',
    });
  });

  it('finds an evidence name', () => {
    const terms = [{ reason: 'EVIDENCE_NAME' as const, value: '権限棚卸し結果_2026-10.xlsx' }];
    expect(findContentViolation(fields('権限棚卸し結果_2026-10.xlsx の通り完了'), terms)).toMatchObject({ reason: 'EVIDENCE_NAME' });
    expect(findContentViolation(fields('権限の棚卸しを完了しました'), terms)).toBeNull();
  });

  it('the refusal is NOT_PUBLISHABLE with the field and the reason', () => {
    const e = notPublishable({ field: 'titleEn', reason: 'USER_EMAIL', found: 'a@b.jp' });
    expect(e.code).toBe('NOT_PUBLISHABLE');
    expect(e.details).toEqual({ field: 'titleEn', matched: 'USER_EMAIL' });
  });
});

describe('the public wording', () => {
  it('words every status of the countermeasure workflow, in both languages', () => {
    expect([...WORDED_STATUSES].sort()).toEqual([...ALL_COUNTERMEASURE_STATUSES].sort());
    for (const s of ALL_COUNTERMEASURE_STATUSES) {
      expect(publicStatusWording(s, 'ja')).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
      expect(publicStatusWording(s, 'en')).toMatch(/^[A-Z][a-z ,]+$/);
    }
  });

  it('does not publish internal steps: an auditor’s request for changes and a reopening read as in progress', () => {
    expect(publicStatusWording('CHANGES_REQUESTED', 'ja')).toBe(publicStatusWording('IN_PROGRESS', 'ja'));
    expect(publicStatusWording('REOPENED', 'en')).toBe('In progress');
    expect(publicStatusWording('VERIFIED', 'ja')).toBe('完了（外部監査で確認済み）');
  });

  it('numbers statements as the Japanese convention does', () => {
    expect(statementLabel(2, 'ja')).toBe('第2報');
    expect(statementLabel(2, 'en')).toBe('No. 2');
  });
});
