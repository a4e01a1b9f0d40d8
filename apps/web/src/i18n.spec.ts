import { describe, expect, it } from 'vitest';
import { enumLabel, formatDay, pickLanguage, translator } from './i18n';
import { blockerText, categoryStacks } from './words';

describe('the page’s language', () => {
  it('is the one the user chose, else the first preferred language the page speaks, else English', () => {
    expect(pickLanguage(['ja-JP', 'en-US'], null)).toBe('ja');
    expect(pickLanguage(['ja'], null)).toBe('ja');
    expect(pickLanguage(['en-GB', 'ja'], null)).toBe('en');
    expect(pickLanguage(['fr-FR', 'ja-JP'], null)).toBe('ja');
    expect(pickLanguage(['fr-FR'], null)).toBe('en');
    expect(pickLanguage([], null)).toBe('en');
    expect(pickLanguage(['ja-JP'], 'en')).toBe('en');
    expect(pickLanguage(['en-US'], 'ja')).toBe('ja');
    expect(pickLanguage(['ja-JP'], 'de')).toBe('ja'); // an unknown remembered value is ignored
  });

  it('names the gate’s states in the case’s words', () => {
    const ja = translator('ja');
    const en = translator('en');
    expect(['SUSPENDED', 'ELIGIBLE', 'OPEN'].map((s) => enumLabel(ja, 'gate.state', s))).toEqual(['停止中', '再開可能', '再開']);
    expect(['SUSPENDED', 'ELIGIBLE', 'OPEN'].map((s) => enumLabel(en, 'gate.state', s))).toEqual(['SUSPENDED', 'ELIGIBLE', 'OPEN']);
    expect(enumLabel(ja, 'status', 'NEW_STATUS')).toBe('NEW_STATUS'); // a value the page does not know yet shows as is
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translator('ja')('tile.oldestWait', { days: 3 })).toBe('最長 3 日待ち');
    expect(translator('en')('tile.oldestWait')).toBe('oldest waiting {days} days');
  });

  it('writes days as each language reads them', () => {
    expect(formatDay('ja', '2026-07-09')).toBe('2026年7月9日');
    expect(formatDay('en', '2026-07-09')).toBe('9 Jul 2026');
  });
});

describe('blockers in plain words', () => {
  const b = (kind: string, itemKey: string | null = null, itemTitle: string | null = null) => ({ kind, itemKey, itemTitle, ownerName: null, message: `server: ${kind}` });
  it('says what each kind of blocker means, and falls back to the server’s message for a kind it does not know', () => {
    const ja = translator('ja');
    expect(blockerText(ja, b('COUNTERMEASURE_NOT_VERIFIED', 'CM-002', 'アクセス監視'))).toBe('「アクセス監視」は、まだ監査人の承認（検証済）を受けていません。');
    expect(blockerText(ja, b('OPEN_FINDING', 'F-001', '共用アカウント'))).toBe('監査指摘事項「共用アカウント」が未解決です。');
    expect(blockerText(ja, b('NO_AUDIT_CLEARANCE'))).toContain('外部監査');
    expect(blockerText(ja, b('MANUAL_HOLD'))).toContain('経営陣');
    expect(blockerText(ja, b('SOMETHING_NEW'))).toBe('server: SOMETHING_NEW');
  });
});

describe('the status-by-category chart', () => {
  it('stacks statuses in workflow order over categories in the catalogue’s order, with zeros where a pair is missing', () => {
    const stacks = categoryStacks([
      { category: 'GOVERNANCE', status: 'VERIFIED', count: 1 },
      { category: 'DB_SHUTDOWN', status: 'VERIFIED', count: 1 },
      { category: 'GOVERNANCE', status: 'IN_PROGRESS', count: 2 },
    ]);
    expect(stacks).toEqual({
      categories: ['DB_SHUTDOWN', 'GOVERNANCE'],
      series: [
        { status: 'IN_PROGRESS', counts: [0, 2] },
        { status: 'VERIFIED', counts: [1, 1] },
      ],
    });
  });
});
