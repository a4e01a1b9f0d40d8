import { describe, expect, it } from 'vitest';
import { LANGS } from './i18n';
import { bannerDeadline, bannerText, dutiesMessages, dutiesTranslator } from './duties-words';

const deadline = (kind: string, state: string, dueOn: string | null, binding: boolean, daysLeft: number | null, lateDays = 0) => ({
  kind,
  state,
  dueOn,
  binding,
  daysLeft,
  lateDays,
});

describe('the duties’ words', () => {
  it('says every message in both languages, with the same placeholders (English adds its plural {s})', () => {
    const placeholders = (text: string) =>
      [...text.matchAll(/\{(\w+)\}/g)]
        .map((m) => m[1])
        .filter((p) => p !== 's')
        .sort();
    const [ja, en] = LANGS.map((l) => dutiesMessages(l));
    expect(Object.keys(en!).sort()).toEqual(Object.keys(ja!).sort());
    for (const key of Object.keys(ja!) as (keyof typeof ja)[]) expect(placeholders(en![key]), key).toEqual(placeholders(ja![key]));
  });

  it('speaks of a late final report before an earlier preliminary one past its guidance, and of nothing once all are filed', () => {
    const prelim = deadline('PRELIMINARY', 'LATE', '2026-07-07', false, -153, 153);
    const final = deadline('FINAL', 'LATE', '2026-08-31', true, -98, 98);
    expect(bannerDeadline([prelim, final])).toBe(final);
    const openFinal = { ...final, state: 'OPEN', daysLeft: 3, lateDays: 0 };
    expect(bannerDeadline([prelim, openFinal])).toBe(prelim);
    expect(
      bannerDeadline([
        { ...prelim, state: 'SUBMITTED' },
        { ...final, state: 'SUBMITTED_LATE' },
      ]),
    ).toBeNull();
    expect(
      bannerDeadline([
        { ...prelim, state: 'NOT_REQUIRED' },
        { ...final, state: 'NOT_REQUIRED' },
      ]),
    ).toBeNull();
  });

  it('words the banner as a limit or as guidance, in days left, today, or days late', () => {
    const ja = dutiesTranslator('ja');
    const en = dutiesTranslator('en');
    const final = deadline('FINAL', 'OPEN', '2026-08-31', true, 12);
    expect(bannerText(ja, final, '2026年8月31日')).toBe('確報の期限まで残り 12 日（2026年8月31日）');
    expect(bannerText(en, final, '31 Aug 2026')).toBe('Final report due in 12 days (31 Aug 2026)');
    expect(bannerText(en, { ...final, daysLeft: 1 }, '31 Aug 2026')).toBe('Final report due in 1 day (31 Aug 2026)');
    expect(bannerText(ja, { ...final, daysLeft: 0 }, '2026年8月31日')).toBe('本日が確報の期限です（2026年8月31日）');
    expect(bannerText(ja, { ...final, state: 'LATE', daysLeft: -98, lateDays: 98 }, '2026年8月31日')).toBe(
      '確報の期限を 98 日過ぎています（期限 2026年8月31日）',
    );
    expect(bannerText(en, { ...final, state: 'LATE', daysLeft: -98, lateDays: 98 }, '31 Aug 2026')).toBe(
      'Final report overdue by 98 days (due 31 Aug 2026)',
    );
    const prelim = deadline('PRELIMINARY', 'OPEN', '2026-07-07', false, 2);
    expect(bannerText(ja, prelim, '2026年7月7日')).toContain('速報の目安まで残り 2 日');
  });
});
