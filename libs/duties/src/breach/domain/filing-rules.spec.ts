import { describe, expect, it } from 'vitest';
import { DutyError } from '../../domain/duties.errors';
import { checkedItems, nextFilingRule } from './filing-rules';

const f = (kind: 'PRELIMINARY' | 'FINAL' | 'SUPPLEMENT', status: string, supplementNo: number | null = null) => ({
  kind,
  status,
  supplementNo,
});
const reason = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as DutyError).code;
  }
  return null;
};

describe('which filing may be started next', () => {
  it('one preliminary and one final report per record; a final report may come without a preliminary one', () => {
    expect(nextFilingRule('PRELIMINARY', [])).toBeNull();
    expect(nextFilingRule('FINAL', [])).toBeNull();
    expect(reason(() => nextFilingRule('PRELIMINARY', [f('PRELIMINARY', 'DRAFT')]))).toBe('FILING_OUT_OF_ORDER');
    expect(reason(() => nextFilingRule('FINAL', [f('FINAL', 'SUBMITTED')]))).toBe('FILING_OUT_OF_ORDER');
    expect(reason(() => nextFilingRule('PRELIMINARY', [f('FINAL', 'DRAFT')]))).toBe('FILING_OUT_OF_ORDER');
  });

  it('supplements only after the submitted final report, numbered 1, 2, ..., one draft at a time', () => {
    expect(reason(() => nextFilingRule('SUPPLEMENT', [f('FINAL', 'DRAFT')]))).toBe('FILING_OUT_OF_ORDER');
    expect(nextFilingRule('SUPPLEMENT', [f('PRELIMINARY', 'SUBMITTED'), f('FINAL', 'SUBMITTED')])).toBe(1);
    expect(nextFilingRule('SUPPLEMENT', [f('FINAL', 'SUBMITTED'), f('SUPPLEMENT', 'SUBMITTED', 1), f('SUPPLEMENT', 'SUBMITTED', 2)])).toBe(
      3,
    );
    expect(reason(() => nextFilingRule('SUPPLEMENT', [f('FINAL', 'SUBMITTED'), f('SUPPLEMENT', 'DRAFT', 1)]))).toBe('FILING_OUT_OF_ORDER');
  });

  it('edits name known items only, each within its length', () => {
    expect(checkedItems({ cause: '委託先従業者による持ち出し', other: '' })).toEqual({ cause: '委託先従業者による持ち出し', other: '' });
    expect(reason(() => checkedItems({ summary: 'x' }))).toBe('INVALID_FIELD');
    expect(reason(() => checkedItems({ cause: 'あ'.repeat(20_001) }))).toBe('INVALID_FIELD');
    expect(checkedItems({ cause: 'あ'.repeat(20_000) }).cause).toHaveLength(20_000);
  });
});
