import { describe, expect, it } from 'vitest';
import { enumLabel, formatDateTime, formatDay, LANGS, messages, pickLanguage, translator } from './i18n';
import { blockerText, categoryStacks, daysLeftText } from './words';

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

  it('writes a moment as its day and time in Tokyo (the latest activity)', () => {
    expect(formatDateTime('ja', new Date('2026-10-01T14:59:00Z'))).toBe('10月1日 23:59');
    expect(formatDateTime('ja', new Date('2026-10-01T15:05:00Z'))).toBe('10月2日 00:05');
    expect(formatDateTime('en', new Date('2026-10-01T15:05:00Z'))).toBe('2 Oct 00:05');
  });

  it('says every message in both languages, with the same placeholders', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    const [ja, en] = LANGS.map((l) => messages(l));
    expect(Object.keys(en!).sort()).toEqual(Object.keys(ja!).sort());
    for (const lang of LANGS) {
      for (const [key, text] of Object.entries(messages(lang))) expect(text.trim(), `${lang} ${key}`).not.toBe('');
    }
    for (const key of Object.keys(ja!) as (keyof typeof ja)[]) expect(placeholders(en![key]), key).toEqual(placeholders(ja![key]));
  });

  it('names the new blocks of the dashboard in both languages', () => {
    const ja = translator('ja');
    const en = translator('en');
    expect([ja('asOf.label'), en('asOf.label')]).toEqual(['基準日', 'As of']);
    expect(ja('asOf.past', { date: formatDay('ja', '2026-10-01') })).toContain('2026年10月1日 時点');
    expect(en('asOf.past', { date: formatDay('en', '2026-10-01') })).toContain('1 Oct 2026');
    expect([ja('list.dueSoon'), en('list.dueSoon')]).toEqual(['7日以内に期限を迎える対策', 'Due in the next 7 days']);
    expect(en('list.atRisk')).toContain('At risk');
    expect(ja('ownerLoad.title')).toContain('担当者');
    expect([ja('activity.title'), en('activity.title')]).toEqual(['最近の動き', 'Latest activity']);
  });

  it('counts the days left before a due date (0 is the day itself)', () => {
    expect(daysLeftText(translator('ja'), -3)).toBe('3 日');
    expect(daysLeftText(translator('ja'), 0)).toBe('本日');
    expect(daysLeftText(translator('en'), -1)).toBe('1 day');
    expect(daysLeftText(translator('en'), -2)).toBe('2 days');
  });
});

describe('blockers in plain words', () => {
  const b = (kind: string, itemKey: string | null = null, itemTitle: string | null = null) => ({
    kind,
    itemKey,
    itemTitle,
    ownerName: null,
    message: `server: ${kind}`,
  });
  it('says what each kind of blocker means, and falls back to the server’s message for a kind it does not know', () => {
    const ja = translator('ja');
    expect(blockerText(ja, b('COUNTERMEASURE_NOT_VERIFIED', 'CM-002', 'アクセス監視'))).toBe(
      '「アクセス監視」は、まだ監査人の承認（検証済）を受けていません。',
    );
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
