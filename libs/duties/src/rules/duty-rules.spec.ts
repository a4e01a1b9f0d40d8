import { describe, expect, it } from 'vitest';
import { applicableCases, checkAssertedCases, deadlineOf, filingDays, reportMandatory } from './duty-rules';
import { readRulePacks, rulePackDir } from './rule-packs';

const pack = readRulePacks(rulePackDir()).find((p) => p.id === 'appi-ppc@2024-04-01')!;
const knownAt = new Date('2026-07-03T10:00:00+09:00');
const insider = { code: 'UNLAWFUL_PURPOSE', rationale: '当社グループ外の委託先従業者（アクセス権限保有者）による持ち出しの疑い' };

describe('appi-ppc@2024-04-01: the mandatory cases', () => {
  it('case 4 is derived from the count only above 1,000 people (1,000 exactly is not more than 1,000)', () => {
    expect(applicableCases(pack, [], { estimate: 1000, confirmed: null })).toEqual([]);
    const over = applicableCases(pack, [], { estimate: 1001, confirmed: null });
    expect(over).toEqual([expect.objectContaining({ code: 'OVER_THRESHOLD', no: 4, derived: true })]);
    expect(over[0].rationale).toContain('1,001');
    expect(over[0].rationale).toContain('推計');
  });

  it('the confirmed count replaces the estimate: an estimate over 1,000 confirmed at 800 no longer derives case 4', () => {
    expect(applicableCases(pack, [], { estimate: 5000, confirmed: 800 })).toEqual([]);
    expect(applicableCases(pack, [], { estimate: 500, confirmed: 12345 })[0].rationale).toContain('12,345');
  });

  it("cases 1-3 apply from one person when asserted with a rationale; our case is 3 and 4, in the law's order", () => {
    const applied = applicableCases(pack, [insider], { estimate: 300_000, confirmed: null });
    expect(applied.map((c) => [c.no, c.code, c.derived])).toEqual([
      [3, 'UNLAWFUL_PURPOSE', false],
      [4, 'OVER_THRESHOLD', true],
    ]);
    expect(applied[0].rationale).toBe(insider.rationale);
  });

  it('case 4 may be asserted as a likelihood before any count exists; a count over the threshold then replaces the assertion', () => {
    const likely = { code: 'OVER_THRESHOLD', rationale: '顧客名簿の大部分が一致しており、1,000人を超えるおそれ' };
    expect(applicableCases(pack, [likely], { estimate: null, confirmed: null })).toEqual([
      expect.objectContaining({ code: 'OVER_THRESHOLD', derived: false }),
    ]);
    expect(applicableCases(pack, [likely], { estimate: 2000, confirmed: null })).toEqual([
      expect.objectContaining({ code: 'OVER_THRESHOLD', derived: true }),
    ]);
  });

  it('refuses an unknown case, a blank rationale and a case named twice', () => {
    expect(() => checkAssertedCases(pack, [{ code: 'ALIENS', rationale: 'x' }])).toThrow(/not a case/);
    expect(() => checkAssertedCases(pack, [{ code: 'SENSITIVE_DATA', rationale: '  ' }])).toThrow(/rationale/);
    expect(() => checkAssertedCases(pack, [insider, insider])).toThrow(/twice/);
    expect(() => checkAssertedCases(pack, [insider])).not.toThrow();
  });

  it('a report is mandatory when any case applies, and says which', () => {
    const none = reportMandatory(pack, []);
    expect(none.mandatory).toBe(false);
    const ours = reportMandatory(pack, applicableCases(pack, [insider], { estimate: 300_000, confirmed: null }));
    expect(ours.mandatory).toBe(true);
    expect(ours.reasonJa).toContain('3号・4号');
    expect(ours.reasonEn).toContain('3, 4');
  });
});

describe('appi-ppc@2024-04-01: the deadlines', () => {
  it('the preliminary report: a 5-day target from knowledge, shown as guidance (not binding)', () => {
    expect(deadlineOf(pack, 'PRELIMINARY', knownAt, [])).toEqual({ kind: 'PRELIMINARY', days: 5, dueOn: '2026-07-07', binding: false });
  });

  it('the final report: 30 days, binding; 60 days when case 3 (unlawful purpose) applies', () => {
    expect(deadlineOf(pack, 'FINAL', knownAt, applicableCases(pack, [], { estimate: 5000, confirmed: null }))).toEqual({
      kind: 'FINAL',
      days: 30,
      dueOn: '2026-08-01',
      binding: true,
    });
    const ours = applicableCases(pack, [insider], { estimate: 5000, confirmed: null });
    expect(deadlineOf(pack, 'FINAL', knownAt, ours)).toEqual({ kind: 'FINAL', days: 60, dueOn: '2026-08-31', binding: true });
    expect(filingDays(pack, 'PRELIMINARY', ours)).toBe(5); // case 3 changes only the final report
  });

  it('a supplement has no deadline', () => {
    expect(deadlineOf(pack, 'SUPPLEMENT', knownAt, [])).toEqual({ kind: 'SUPPLEMENT', days: null, dueOn: null, binding: false });
  });

  it('reminders: 7, 2 and 1 day before, then every day overdue', () => {
    expect(pack.reminders).toEqual({ daysBefore: [7, 2, 1], overdueEveryDays: 1 });
  });
});
