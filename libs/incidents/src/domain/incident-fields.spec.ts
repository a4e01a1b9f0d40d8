import { describe, expect, it } from 'vitest';
import { IncidentError, IncidentErrorCode } from './incident.errors';
import { assertCalendarDay, assertDayNotAfter, optionalText, requiredText, sameName, todayIn } from './incident-fields';

function errorOf(fn: () => unknown): IncidentError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(IncidentError);
    return err as IncidentError;
  }
  throw new Error('expected an IncidentError, but nothing was thrown');
}

describe('assertCalendarDay', () => {
  it('accepts real days, including 29 February of a leap year', () => {
    for (const d of ['2026-07-09', '2028-02-29', '2026-12-31', '2026-01-01']) expect(assertCalendarDay(d, 'disclosedOn')).toBe(d);
  });

  it('refuses impossible days and other spellings with INVALID_FIELD naming the field and the value', () => {
    for (const d of [
      '2026-02-30',
      '2027-02-29',
      '2026-13-01',
      '2026-00-10',
      '2026-7-9',
      '2026/07/09',
      '09-07-2026',
      '2026-07-09T00:00',
      '令和8年7月9日',
      '',
      ' 2026-07-09',
    ]) {
      const e = errorOf(() => assertCalendarDay(d, 'disclosedOn'));
      expect({ d, code: e.code, details: e.details }).toEqual({
        d,
        code: IncidentErrorCode.INVALID_FIELD,
        details: { field: 'disclosedOn', value: d },
      });
    }
  });
});

describe('assertDayNotAfter', () => {
  it('accepts today and earlier days, refuses tomorrow', () => {
    expect(assertDayNotAfter('2026-07-10', '2026-07-10', 'joinedOn')).toBe('2026-07-10');
    expect(assertDayNotAfter('2025-12-31', '2026-07-10', 'joinedOn')).toBe('2025-12-31');
    const e = errorOf(() => assertDayNotAfter('2026-07-11', '2026-07-10', 'leftOn'));
    expect(e.code).toBe(IncidentErrorCode.INVALID_FIELD);
    expect(e.details).toEqual({ field: 'leftOn', value: '2026-07-11' });
  });

  it('still refuses an impossible day', () => {
    expect(errorOf(() => assertDayNotAfter('2026-02-30', '2026-07-10', 'joinedOn')).details).toEqual({
      field: 'joinedOn',
      value: '2026-02-30',
    });
  });
});

describe('todayIn', () => {
  it('is the day in Japan: 2026-07-09 23:30 UTC is already 10 July in Tokyo', () => {
    expect(todayIn('Asia/Tokyo', new Date('2026-07-09T23:30:00Z'))).toBe('2026-07-10');
    expect(todayIn('Asia/Tokyo', new Date('2026-07-09T14:59:59Z'))).toBe('2026-07-09');
  });
});

describe('text fields', () => {
  it('trims, counts characters not bytes (200 kanji fit a 200-character title)', () => {
    expect(requiredText('  お客様情報漏えい事案  ', 'title', 200)).toBe('お客様情報漏えい事案');
    expect(requiredText('漏'.repeat(200), 'title', 200)).toHaveLength(200);
    expect(errorOf(() => requiredText('漏'.repeat(201), 'title', 200)).details.field).toBe('title');
  });

  it('refuses a blank required text', () => {
    for (const v of ['', '   ', '\n\t']) expect(errorOf(() => requiredText(v, 'name', 200)).code).toBe(IncidentErrorCode.INVALID_FIELD);
  });

  it('an optional text may be absent or empty, but not over its limit', () => {
    expect(optionalText(null, 'summary', 10)).toBe('');
    expect(optionalText(undefined, 'summary', 10)).toBe('');
    expect(optionalText(' 概要 ', 'summary', 10)).toBe('概要');
    expect(errorOf(() => optionalText('あ'.repeat(11), 'summary', 10)).details.field).toBe('summary');
  });
});

describe('sameName', () => {
  it('treats full-width and half-width forms, case and spacing alike', () => {
    expect(sameName('受講者管理ＤＢ', '受講者管理DB')).toBe(true);
    expect(sameName(' Customer  DB ', 'customer db')).toBe(true);
    expect(sameName('ﾃﾞｰﾀﾍﾞｰｽ', 'データベース')).toBe(true);
    expect(sameName('郵便番号', '電話番号')).toBe(false);
  });
});
