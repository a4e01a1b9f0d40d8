import { types } from 'pg';
import { describe, expect, it } from 'vitest';
import { appTypeParsers, parseTimestamptz, TIMESTAMPTZ_OID } from './timestamp-parser';

/** The driver's own parser (postgres-date), the reference. */
const reference = types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (text: string) => Date | number | null;

/** A Date or a number as one comparable value (NaN as the text 'NaN'). */
const valueOf = (v: Date | number | null): string => (v === null ? 'null' : v instanceof Date ? String(v.getTime()) : `number ${v}`);

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** timestamptz text as PostgreSQL writes it with DateStyle ISO, from a seeded generator. */
function generated(count: number): string[] {
  let seed = 1234567;
  const next = (max: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % max;
  };
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const fractionDigits = next(7); // 0: none, else 1-6 digits
    const fraction = fractionDigits === 0 ? '' : `.${pad(next(10 ** fractionDigits), fractionDigits)}`;
    const offset = next(27) - 12;
    out.push(
      `${pad(1900 + next(300), 4)}-${pad(1 + next(12), 2)}-${pad(1 + next(28), 2)} ${pad(next(24), 2)}:${pad(next(60), 2)}:${pad(next(60), 2)}` +
        `${fraction}${offset < 0 ? '-' : '+'}${pad(Math.abs(offset), 2)}`,
    );
  }
  return out;
}

describe('timestamptz text read by the app (issue 14: the driver read it with regular expressions)', () => {
  it('gives exactly the value the driver’s parser gives, for 20,000 timestamps in the form PostgreSQL writes', () => {
    for (const text of generated(20_000)) expect(valueOf(parseTimestamptz(text)), text).toBe(valueOf(reference(text)));
  });

  it('reads fractions of 1 to 6 digits to the millisecond (truncated, as the driver does) and applies the offset', () => {
    for (const text of [
      '2026-12-07 03:04:05.029+00',
      '2026-12-07 03:04:05.0290+00',
      '2026-12-07 03:04:05.999999+09',
      '2026-12-07 03:04:05.1+00',
    ]) {
      expect(valueOf(parseTimestamptz(text)), text).toBe(valueOf(reference(text)));
    }
    expect((parseTimestamptz('2026-12-07 03:04:05.029999+00') as Date).toISOString()).toBe('2026-12-07T03:04:05.029Z');
    expect((parseTimestamptz('2026-12-07 12:00:00+09') as Date).toISOString()).toBe('2026-12-07T03:00:00.000Z');
    expect((parseTimestamptz('2026-12-06 22:00:00-05') as Date).toISOString()).toBe('2026-12-07T03:00:00.000Z');
  });

  it('leaves every other form to the driver’s parser: minutes in the offset, BC, infinity, early and late years, odd text', () => {
    for (const text of [
      '2026-12-07 03:04:05+05:30',
      '2026-12-07 03:04:05.5-03:30',
      '1900-01-01 00:00:00+09:18:59',
      '2026-12-07 03:04:05+00 BC',
      'infinity',
      '-infinity',
      '0099-01-01 00:00:00+00',
      '0001-01-01 00:00:00+00',
      '12026-12-07 03:04:05+00',
      '2026-12-07 03:04:05.+00',
      '2026-12-07 03:04:05.1234567+00',
      '2026-12-07T03:04:05+00',
      '2026-12-07',
      'not a date at all, 28 chars',
    ]) {
      expect(valueOf(parseTimestamptz(text)), text).toBe(valueOf(reference(text)));
    }
  });

  it('is what the app’s pools use for timestamptz text, and only for it', () => {
    expect(appTypeParsers.getTypeParser(TIMESTAMPTZ_OID, 'text')).toBe(parseTimestamptz);
    expect(appTypeParsers.getTypeParser(TIMESTAMPTZ_OID)).toBe(parseTimestamptz);
    expect(appTypeParsers.getTypeParser(1114, 'text')).toBe(types.getTypeParser(1114, 'text'));
    expect(appTypeParsers.getTypeParser(20, 'text')).toBe(types.getTypeParser(20, 'text'));
    expect(appTypeParsers.getTypeParser(TIMESTAMPTZ_OID, 'binary')).toBe(types.getTypeParser(TIMESTAMPTZ_OID, 'binary'));
  });
});
