import { describe, expect, it } from 'vitest';
import { LANGS } from './i18n';
import { hotlineKindLabel, hotlineMessages, hotlineRange, hotlineTranslator } from './hotline-words';

describe('the hotline chart’s words', () => {
  it('says every message in both languages, with the same placeholders', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    const [ja, en] = LANGS.map((l) => hotlineMessages(l));
    expect(Object.keys(en!).sort()).toEqual(Object.keys(ja!).sort());
    for (const key of Object.keys(ja!) as (keyof typeof ja)[]) expect(placeholders(en![key]), key).toEqual(placeholders(ja![key]));
  });

  it('names the four kinds, and shows a kind it does not know as is', () => {
    const ja = hotlineTranslator('ja');
    expect(hotlineKindLabel(ja, 'IMPERSONATION_REPORT')).toBe('当社をかたる郵便・電話の報告');
    expect(hotlineKindLabel(hotlineTranslator('en'), 'STOP_CONTACT_REQUEST')).toBe('Requests to stop contact');
    expect(hotlineKindLabel(ja, 'SOMETHING_NEW')).toBe('SOMETHING_NEW');
    expect(ja('hotline.summary', { from: '2026年7月9日', to: '2026年7月10日', days: 2, total: 1525 })).toBe(
      '2026年7月9日〜2026年7月10日（記録 2 日）の合計 1525 件',
    );
  });

  it('asks for the year up to the day shown (366 days at most), not before the incident’s first day', () => {
    expect(hotlineRange('2026-12-07', '2026-06-25')).toEqual({ from: '2026-06-25', to: '2026-12-07' });
    expect(hotlineRange('2027-12-07', '2026-06-25')).toEqual({ from: '2026-12-07', to: '2027-12-07' });
    expect(hotlineRange('2026-12-07', null)).toEqual({ from: '2025-12-07', to: '2026-12-07' });
  });
});
