import { describe, expect, it } from 'vitest';
import type { BreachDeadlineReminder } from '@app/duties';
import { breachReminders, dueReminderDay, overduePeriodStart } from './breach-reminders';
import { word } from './notification-wording';
import { breachReportDueText, breachReportOverdueText, dayEn, dayJa, type BreachReportFacts } from './notification-texts';

const FINAL: BreachReportFacts = {
  incidentTitle: '通信教育顧客情報の漏えい',
  filingKind: 'FINAL',
  labelJa: '確報',
  labelEn: 'Final report',
  dueOn: '2026-08-31',
  daysLeft: 2,
  binding: true,
  guidanceJa: '覚知から30日以内（不正の目的によるおそれがある場合は60日以内）。',
  guidanceEn: 'Within 30 days of knowledge (60 days when an unlawful purpose may be involved).',
};
const PRELIMINARY: BreachReportFacts = {
  ...FINAL,
  filingKind: 'PRELIMINARY',
  labelJa: '速報',
  labelEn: 'Preliminary report',
  dueOn: '2026-07-07',
  binding: false,
  guidanceJa: '速やかに（個人情報保護委員会の目安：覚知から概ね3～5日以内）。目標日は目安であり法定の期限ではありません。',
  guidanceEn: "Promptly (the PPC's guidance: about 3-5 days from knowledge). The target is guidance, not a statutory limit.",
};

describe('the words of the PPC report reminders (Japanese title, Japanese and English body)', () => {
  it('writes the due day in Japanese and English', () => {
    expect(dayJa('2026-08-31')).toBe('2026年8月31日');
    expect(dayEn('2026-08-31')).toBe('31 Aug 2026');
    expect(dayEn('2027-01-05')).toBe('5 Jan 2027');
  });

  it('says how many days are left before the final report, and 本日 on the due day', () => {
    const two = breachReportDueText(FINAL);
    expect(two.title).toBe('確報の期限まで残り2日（2026年8月31日）');
    expect(two.body).toContain(
      'インシデント「通信教育顧客情報の漏えい」の個人情報保護委員会への確報の期限は 2026年8月31日 です（残り2日）。',
    );
    expect(two.body).toContain('Final report due in 2 days (31 Aug 2026) — incident "通信教育顧客情報の漏えい".');
    expect(two.body).not.toContain('目安であり、法定の期限ではありません');
    expect(breachReportDueText({ ...FINAL, daysLeft: 1 }).body).toContain('Final report due in 1 day (31 Aug 2026)');
    const today = breachReportDueText({ ...FINAL, daysLeft: 0 });
    expect(today.title).toBe('確報の期限は本日（2026年8月31日）です');
    expect(today.body).toContain('Final report due today (31 Aug 2026)');
  });

  it("says the preliminary report's date is the PPC's guidance, not a statutory limit", () => {
    const text = breachReportDueText({ ...PRELIMINARY, daysLeft: 1 });
    expect(text.title).toBe('速報の目安日まで残り1日（2026年7月7日）');
    expect(text.body).toContain('この日付は個人情報保護委員会の目安であり、法定の期限ではありません。');
    expect(text.body).toContain("Preliminary report: the PPC's target day is in 1 day (7 Jul 2026)");
    expect(text.body).toContain("This date is the PPC's guidance, not a statutory limit");
  });

  it('says by how many days a report is late', () => {
    const text = breachReportOverdueText({ ...FINAL, daysLeft: -3 });
    expect(text.title).toBe('確報の期限を3日過ぎています（期限 2026年8月31日）');
    expect(text.body).toContain('期限（2026年8月31日）を3日過ぎても提出が記録されていません');
    expect(text.body).toContain('Final report overdue by 3 days (due 31 Aug 2026)');
    expect(breachReportOverdueText({ ...PRELIMINARY, daysLeft: -1 }).title).toBe('速報の目安日を1日過ぎています（目安日 2026年7月7日）');
  });

  it('the wording of a candidate row is the same as from the facts', () => {
    expect(word('BREACH_REPORT_DUE', { facts: { ...FINAL, period: 'D-2' } })).toEqual(breachReportDueText(FINAL));
    expect(word('BREACH_REPORT_OVERDUE', { facts: { ...FINAL, daysLeft: -4 } })).toEqual(
      breachReportOverdueText({ ...FINAL, daysLeft: -4 }),
    );
  });
});

describe('when a PPC report reminder is due, and its period key', () => {
  const deadline = (over: Partial<BreachDeadlineReminder> = {}): BreachDeadlineReminder => ({
    incidentId: 'inc-1',
    incidentTitle: '通信教育顧客情報の漏えい',
    notificationId: 'n-1',
    kind: 'FINAL',
    label: { ja: '確報', en: 'Final report' },
    guidance: { ja: FINAL.guidanceJa, en: FINAL.guidanceEn },
    dueOn: '2026-08-31',
    daysLeft: 7,
    binding: true,
    state: 'OPEN',
    chiefId: 'chief',
    legalLeadIds: ['lawyer', 'chief'],
    reminders: { daysBefore: [7, 2, 1], overdueEveryDays: 1 },
    ...over,
  });

  it('reminds on 7, 2 and 1 days before and on the due day; a missed reminder day is caught up once', () => {
    const days = [7, 2, 1];
    expect([10, 8, 7, 6, 3, 2, 1, 0, -1].map((d) => dueReminderDay(d, days))).toEqual([null, null, 7, 7, 7, 2, 1, 0, null]);
    const keys = [7, 6, 5, 2, 1, 0].map((daysLeft) => breachReminders([deadline({ daysLeft })])[0]!.dedupeKey);
    expect(keys).toEqual([
      'BREACH_REPORT_DUE:inc-1:FINAL:2026-08-31:D-7',
      'BREACH_REPORT_DUE:inc-1:FINAL:2026-08-31:D-7',
      'BREACH_REPORT_DUE:inc-1:FINAL:2026-08-31:D-7',
      'BREACH_REPORT_DUE:inc-1:FINAL:2026-08-31:D-2',
      'BREACH_REPORT_DUE:inc-1:FINAL:2026-08-31:D-1',
      'BREACH_REPORT_DUE:inc-1:FINAL:2026-08-31:D-0',
    ]);
    expect(breachReminders([deadline({ daysLeft: 8 })])).toEqual([]);
  });

  it('a new due day (a corrected knownAt) is a new subject: its reminders come again', () => {
    const [before] = breachReminders([deadline({ daysLeft: 7 })]);
    const [after] = breachReminders([deadline({ daysLeft: 7, dueOn: '2026-09-30' })]);
    expect(after!.dedupeKey).not.toBe(before!.dedupeKey);
    expect(after!.dedupeKey).toBe('BREACH_REPORT_DUE:inc-1:FINAL:2026-09-30:D-7');
  });

  it('a late report is reminded once a day, the day in its key; every N days when the pack says so', () => {
    const late = [1, 2, 3].map((n) => breachReminders([deadline({ daysLeft: -n, state: 'LATE' })])[0]!);
    expect(late.map((c) => c.kind)).toEqual(['BREACH_REPORT_OVERDUE', 'BREACH_REPORT_OVERDUE', 'BREACH_REPORT_OVERDUE']);
    expect(late.map((c) => c.dedupeKey)).toEqual([
      'BREACH_REPORT_OVERDUE:inc-1:FINAL:2026-08-31:2026-09-01',
      'BREACH_REPORT_OVERDUE:inc-1:FINAL:2026-08-31:2026-09-02',
      'BREACH_REPORT_OVERDUE:inc-1:FINAL:2026-08-31:2026-09-03',
    ]);
    expect([1, 2, 3, 4].map((n) => overduePeriodStart('2026-08-31', n, 3))).toEqual([
      '2026-09-01',
      '2026-09-01',
      '2026-09-01',
      '2026-09-04',
    ]);
  });

  it('goes to the chief and the legal leads once each (the executives are added by the query)', () => {
    const [c] = breachReminders([deadline({ daysLeft: 2 })]);
    expect(c!.userIds).toEqual(['chief', 'lawyer']);
    expect(c!.incidentId).toBe('inc-1');
    expect(c!.facts).toMatchObject({ labelJa: '確報', daysLeft: 2, dueOn: '2026-08-31', period: 'D-2' });
    expect(breachReminders([deadline({ chiefId: null, legalLeadIds: [] })])[0]!.userIds).toEqual([]);
  });
});
