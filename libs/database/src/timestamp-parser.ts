import { types } from 'pg';

/** PostgreSQL's type oid of `timestamptz`. */
export const TIMESTAMPTZ_OID = 1184;

const DIGIT_0 = 48;

/** The number written by the two to four digits at s[from, to), or -1 if one of them is no digit. */
function digits(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - DIGIT_0;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * `timestamptz` text as a Date, the same value as the driver's own parser
 * (`postgres-date`, which pg uses by default), for the one form PostgreSQL
 * writes with `DateStyle = ISO`: `2026-12-07 03:04:05.123456+09` (fraction of 1
 * to 6 digits or none, a whole-hour offset). Anything else (offsets with
 * minutes, BC, infinity, years before 100 or after 9999) goes to the driver's
 * parser as before. Issue 14: the driver's regular expressions were about 5 % of
 * a large page's CPU (hundreds of timestamps a page); this reads the digits in
 * place. The fraction is converted as postgres-date converts it (`1000 *
 * parseFloat('.ffffff')`, which Date.UTC truncates to the millisecond), so that
 * every value, and every answer, is exactly what it was: the spec compares the
 * two parsers.
 */
export function parseTimestamptz(text: string): Date | number | null {
  const n = text.length;
  // yyyy-mm-dd hh:mm:ss[.f…]±hh
  if (
    n >= 22 &&
    n <= 29 &&
    text.charCodeAt(4) === 45 && // -
    text.charCodeAt(7) === 45 &&
    text.charCodeAt(10) === 32 && // space
    text.charCodeAt(13) === 58 && // :
    text.charCodeAt(16) === 58
  ) {
    const sign = text.charCodeAt(n - 3);
    const year = digits(text, 0, 4);
    const month = digits(text, 5, 7);
    const day = digits(text, 8, 10);
    const hour = digits(text, 11, 13);
    const minute = digits(text, 14, 16);
    const second = digits(text, 17, 19);
    const offsetHours = digits(text, n - 2, n);
    const fractionEnd = n - 3;
    const hasFraction = fractionEnd > 19;
    if (
      (sign === 43 || sign === 45) && // + or -
      year >= 100 &&
      month >= 0 &&
      day >= 0 &&
      hour >= 0 &&
      minute >= 0 &&
      second >= 0 &&
      offsetHours >= 0 &&
      (hasFraction
        ? text.charCodeAt(19) === 46 && fractionEnd - 20 >= 1 && fractionEnd - 20 <= 6 && digits(text, 20, fractionEnd) >= 0
        : fractionEnd === 19)
    ) {
      const ms = hasFraction ? 1000 * parseFloat(text.slice(19, fractionEnd)) : 0;
      const offsetMs = (sign === 45 ? -1 : 1) * offsetHours * 3_600_000;
      return new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMs);
    }
  }
  return driverParser(text);
}

const driverParser = types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (text: string) => Date | number | null;

/**
 * The type parsers of the app's connections (`extra.types` of the pool): the
 * driver's, with `parseTimestamptz` for timestamptz text. Per pool, not pg's
 * global table: other users of the driver in the process keep theirs.
 */
export const appTypeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): unknown {
    if (oid === TIMESTAMPTZ_OID && (format ?? 'text') === 'text') return parseTimestamptz;
    return format === undefined ? types.getTypeParser(oid) : types.getTypeParser(oid, format);
  },
};
