import { describe, expect, it } from 'vitest';
import { stringifyWithinCap } from './query-cost';

const refusal = (text: string) => (JSON.parse(text) as { errors?: { extensions: Record<string, unknown> }[] }).errors?.[0]?.extensions;

describe('the answer’s size cap (GRAPHQL_MAX_RESPONSE_BYTES), counted in UTF-8 bytes', () => {
  it('sends an answer of exactly the cap, byte for byte as JSON.stringify writes it, Japanese text included', () => {
    const value = { data: { title: '個人情報の漏えいに関する再発防止策'.repeat(20) } };
    const bytes = Buffer.byteLength(JSON.stringify(value));
    const text = stringifyWithinCap(bytes)(value);
    expect(text).toBe(`${JSON.stringify(value)}\n`);
  });

  it('refuses an answer one byte over, with its size, although it has fewer characters than the cap', () => {
    const value = { data: { title: '再発防止策'.repeat(100) } };
    const bytes = Buffer.byteLength(JSON.stringify(value));
    expect(JSON.stringify(value).length).toBeLessThan(bytes - 1);
    expect(refusal(stringifyWithinCap(bytes - 1)(value))).toEqual({
      code: 'BAD_USER_INPUT',
      reason: 'RESPONSE_TOO_LARGE',
      bytes,
      limit: bytes - 1,
    });
  });

  it('counts characters outside the BMP as the four bytes they take', () => {
    const value = { data: { name: '𠮷野家'.repeat(50) } };
    const bytes = Buffer.byteLength(JSON.stringify(value));
    expect(stringifyWithinCap(bytes)(value)).toBe(`${JSON.stringify(value)}\n`);
    expect(refusal(stringifyWithinCap(bytes - 1)(value))?.['bytes']).toBe(bytes);
  });
});
