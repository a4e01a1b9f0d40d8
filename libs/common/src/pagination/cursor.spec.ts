import { describe, expect, it } from 'vitest';
import { CommonError, CommonErrorCode } from '../errors/common.errors';
import {
  decodeCursor,
  decodeSeqIdCursor,
  decodeTimeIdCursor,
  DEFAULT_PAGE_SIZE,
  encodeCursor,
  MAX_PAGE_SIZE,
  pageOf,
  pageSize,
} from './cursor';

/** Runs `fn`, which must throw a CommonError, and returns that error. */
function commonErrorOf(fn: () => unknown): CommonError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CommonError);
    return err as CommonError;
  }
  throw new Error('expected a CommonError, but nothing was thrown');
}

/** base64url of arbitrary JSON text, to build cursors the API never issued. */
function rawCursor(json: string): string {
  return Buffer.from(json, 'utf8').toString('base64url');
}

describe('encodeCursor / decodeCursor', () => {
  it.each<[string, (string | number)[]]>([
    ['a Japanese e-mail', ['山田.太郎@例え.jp']],
    ['a Japanese name and a number', ['すずき はなこ', 42]],
    ['kanji, kana, emoji and quotes', ['情報セキュリティ対策「第1版」🔒', 'a"b\\c']],
    ['numbers: zero, negative, fractional, large', [0, -17, 3.25, 9007199254740991]],
    ['an empty string', ['']],
  ])('a cursor the API issued for %s decodes back to the same values', (_label, values) => {
    const cursor = encodeCursor(values);
    expect(decodeCursor(cursor, values.length)).toEqual(values);
  });

  it('keeps numbers as numbers and numeric-looking strings as strings', () => {
    const decoded = decodeCursor(encodeCursor(['42', 42]), 2);
    expect(decoded).toEqual(['42', 42]);
    expect(typeof decoded[0]).toBe('string');
    expect(typeof decoded[1]).toBe('number');
  });

  it('produces a URL-safe cursor (no +, /, = or non-ASCII), even where plain base64 would use + and /', () => {
    const values = ['ﾃｽﾄ>>>???', 'テスト'];
    // precondition: standard base64 of this payload does contain + or /
    expect(Buffer.from(JSON.stringify(values), 'utf8').toString('base64')).toMatch(/[+/]/);
    expect(encodeCursor(values)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('does not show the key values in clear text (the cursor is opaque)', () => {
    const cursor = encodeCursor(['suzuki@example.jp']);
    expect(cursor).not.toContain('suzuki');
  });

  it.each([
    ['plain text', 'garbage'],
    ['characters outside base64', '%%%***'],
    ['an empty string', ''],
    ['truncated cursor', encodeCursor(['山田@例え.jp']).slice(0, 5)],
  ])('refuses %s with INVALID_CURSOR and echoes the cursor back in details', (_label, cursor) => {
    const err = commonErrorOf(() => decodeCursor(cursor, 1));
    expect(err.code).toBe(CommonErrorCode.INVALID_CURSOR);
    expect(err.details).toEqual({ after: cursor });
  });

  it('refuses a cursor with the wrong number of key values (from another list) with INVALID_CURSOR', () => {
    expect(commonErrorOf(() => decodeCursor(encodeCursor(['a@example.jp', 7]), 1)).code).toBe(CommonErrorCode.INVALID_CURSOR);
    expect(commonErrorOf(() => decodeCursor(encodeCursor(['a@example.jp']), 2)).code).toBe(CommonErrorCode.INVALID_CURSOR);
    expect(commonErrorOf(() => decodeCursor(encodeCursor([]), 1)).code).toBe(CommonErrorCode.INVALID_CURSOR);
  });

  it.each([
    ['a JSON object', '{"email":"a@example.jp"}'],
    ['a JSON string', '"a@example.jp"'],
    ['JSON null', 'null'],
    ['an array holding null', '[null]'],
    ['an array holding a boolean', '[true]'],
    ['an array holding an object', '[{"email":"a@example.jp"}]'],
    ['an array holding a nested array', '[["a"]]'],
  ])('refuses well-formed base64 of %s with INVALID_CURSOR', (_label, json) => {
    expect(commonErrorOf(() => decodeCursor(rawCursor(json), 1)).code).toBe(CommonErrorCode.INVALID_CURSOR);
  });
});

describe('decodeTimeIdCursor / decodeSeqIdCursor (the keyset cursors of the lists)', () => {
  const ID = '0b9d6c1e-3f0a-4c5e-9a57-3c1f2e4d5b6a';

  it('gives back the sort key of a cursor the list issued', () => {
    expect(decodeTimeIdCursor(encodeCursor(['2026-07-10T01:02:03.456Z', ID]))).toEqual({ at: '2026-07-10T01:02:03.456Z', id: ID });
    expect(decodeTimeIdCursor(encodeCursor(['2026-07-10T01:02:03.456Z', ID.toUpperCase()])).id).toBe(ID.toUpperCase());
    expect(decodeSeqIdCursor(encodeCursor([7, ID]))).toEqual({ seq: 7, id: ID });
  });

  it.each([
    ['a time that is no time', ['yesterday', ID]],
    ['a number for the time', [1_752_000_000_000, ID]],
    ['an id that is no UUID', ['2026-07-10T01:02:03.456Z', "x' OR 1=1 --"]],
    ['36 hex digits and dashes that are no UUID', ['2026-07-10T01:02:03.456Z', '0b9d6c1e3f0a4c5e9a573c1f2e4d5b6a----']],
    ['a number for the id', ['2026-07-10T01:02:03.456Z', 42]],
    ['the sequence-number shape', [7, ID]],
  ])('refuses a time/id cursor with %s as INVALID_CURSOR, naming the cursor', (_what, values) => {
    const cursor = encodeCursor(values as (string | number)[]);
    const err = commonErrorOf(() => decodeTimeIdCursor(cursor));
    expect(err.code).toBe(CommonErrorCode.INVALID_CURSOR);
    expect(err.details).toEqual({ after: cursor });
  });

  it.each([
    ['a fractional sequence number', [1.5, ID]],
    ['a sequence number as text', ['7', ID]],
    ['an id that is no UUID', [7, 'not-an-id']],
    ['the time/id shape', ['2026-07-10T01:02:03.456Z', ID]],
  ])('refuses a seq/id cursor with %s as INVALID_CURSOR', (_what, values) => {
    expect(commonErrorOf(() => decodeSeqIdCursor(encodeCursor(values as (string | number)[]))).code).toBe(CommonErrorCode.INVALID_CURSOR);
  });

  it('refuses what is not a cursor at all, and a cursor of another length', () => {
    expect(commonErrorOf(() => decodeTimeIdCursor('%%%')).code).toBe(CommonErrorCode.INVALID_CURSOR);
    expect(commonErrorOf(() => decodeSeqIdCursor(encodeCursor([7, ID, 'extra']))).code).toBe(CommonErrorCode.INVALID_CURSOR);
  });
});

describe('pageSize', () => {
  it('uses DEFAULT_PAGE_SIZE when `first` is not given (undefined or null)', () => {
    expect(pageSize(undefined)).toBe(DEFAULT_PAGE_SIZE);
    expect(pageSize(null)).toBe(DEFAULT_PAGE_SIZE);
  });

  it('has a default page size within the accepted range', () => {
    expect(DEFAULT_PAGE_SIZE).toBeGreaterThanOrEqual(1);
    expect(DEFAULT_PAGE_SIZE).toBeLessThanOrEqual(MAX_PAGE_SIZE);
  });

  it('accepts the smallest (1) and largest (MAX_PAGE_SIZE) page and values in between as given', () => {
    expect(pageSize(1)).toBe(1);
    expect(pageSize(MAX_PAGE_SIZE)).toBe(MAX_PAGE_SIZE);
    expect(pageSize(37)).toBe(37);
  });

  it.each([
    ['zero', 0],
    ['negative', -5],
    ['one above the maximum (refused, not silently cut)', MAX_PAGE_SIZE + 1],
    ['a fraction', 1.5],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
  ])('refuses `first` = %s with INVALID_INPUT and reports the limit', (_label, first) => {
    const err = commonErrorOf(() => pageSize(first));
    expect(err.code).toBe(CommonErrorCode.INVALID_INPUT);
    expect(err.details).toEqual({ first, max: MAX_PAGE_SIZE });
  });
});

describe('pageOf (rows fetched one past the page size)', () => {
  const rows = [
    { seq: 1, id: 'a', title: '一' },
    { seq: 2, id: 'b', title: '二' },
    { seq: 3, id: 'c', title: '三' },
  ];

  it('keeps the page and says a next page exists when the extra row came back', () => {
    const page = pageOf(rows, 2, 7, (r) => [r.seq, r.id]);
    expect(page.nodes.map((r) => r.title)).toEqual(['一', '二']);
    expect(page.hasNextPage).toBe(true);
    expect(page.totalCount).toBe(7);
  });

  it('says there is none when no extra row came back', () => {
    expect(pageOf(rows, 3, 3, (r) => [r.seq, r.id]).hasNextPage).toBe(false);
    expect(pageOf([], 20, 0, (r: { seq: number }) => [r.seq])).toMatchObject({ nodes: [], hasNextPage: false, totalCount: 0 });
  });

  it('gives each node the cursor of its sort key, which decodes back to it', () => {
    const page = pageOf(rows, 2, 3, (r) => [r.seq, r.id]);
    expect(decodeCursor(page.cursorOf(page.nodes[1]!), 2)).toEqual([2, 'b']);
  });
});
