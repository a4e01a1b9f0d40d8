import { describe, expect, it } from 'vitest';
import { LANGS } from './i18n';
import { formatBytes, formatMoment, proofsLabel, proofsMessages, proofsTranslator, shortHash } from './proofs-words';

describe('the proofs panel’s words', () => {
  it('says every message in both languages, with the same placeholders', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    const [ja, en] = LANGS.map((l) => proofsMessages(l));
    expect(Object.keys(en!).sort()).toEqual(Object.keys(ja!).sort());
    for (const lang of LANGS) {
      for (const [key, text] of Object.entries(proofsMessages(lang))) expect(text.trim(), `${lang} ${key}`).not.toBe('');
    }
    for (const key of Object.keys(ja!) as (keyof typeof ja)[]) expect(placeholders(en![key]), key).toEqual(placeholders(ja![key]));
  });

  it('names a checkpoint’s size, the reasons and the export’s states, and shows a value it does not know as is', () => {
    const ja = proofsTranslator('ja');
    const en = proofsTranslator('en');
    expect(ja('checkpoint.sizeValue', { n: '93' })).toBe('93 件（#1〜#93）');
    expect(en('checkpoint.sizeValue', { n: '93' })).toBe('93 entries (#1 to #93)');
    expect(['QUEUED', 'BUILDING', 'READY', 'FAILED'].map((s) => proofsLabel(ja, 'bundle.status', s))).toEqual([
      '作成待ち',
      '作成中',
      '完成',
      '失敗',
    ]);
    expect(proofsLabel(ja, 'reason', 'SIGN_OFF')).toBe('監査人の承認（サインオフ）');
    expect(proofsLabel(en, 'scope', 'INCIDENT')).toBe('Whole incident');
    expect(proofsLabel(ja, 'reason', 'SOMETHING_NEW')).toBe('SOMETHING_NEW');
  });

  it('writes sizes, hashes and moments as people read them (moments in Tokyo, with the year)', () => {
    expect([formatBytes(532), formatBytes(12_400), formatBytes(3_100_000), formatBytes(1_073_741_824)]).toEqual([
      '532 B',
      '12.4 KB',
      '3.1 MB',
      '1.1 GB',
    ]);
    expect(shortHash('fc2b0c93af26' + 'e'.repeat(52))).toBe('fc2b0c93af26');
    expect(formatMoment('ja', '2026-12-31T15:05:00.000Z')).toBe('2027年1月1日 00:05');
    expect(formatMoment('en', '2026-12-31T15:05:00.000Z')).toBe('1 Jan 2027 00:05 JST');
    expect(formatMoment('en', 'not a time')).toBe('not a time');
  });
});
