import { describe, expect, it } from 'vitest';
import { CommonError, describeList } from '@app/common';
import { boundDetails, boundMessage, MAX_LISTED } from './bounded-details';
import { describeError } from './to-graphql-error';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `id-${i}`);

describe('error output stays small whatever the input', () => {
  it('a list of 2,000 ids keeps its first 20, gains its count and truncated: true', () => {
    const out = boundDetails({ ids: ids(2000), field: 'ids' });
    expect(out).toEqual({ ids: ids(MAX_LISTED), idsCount: 2000, field: 'ids', truncated: true });
  });

  it('a list of 20 or fewer is left as it is, with no flag', () => {
    expect(boundDetails({ ids: ids(20), userIds: [] })).toEqual({ ids: ids(20), userIds: [] });
  });

  it('nested lists and long strings are cut too', () => {
    const out = boundDetails({ blockers: [{ key: 'CM-001', items: ids(100) }], note: 'あ'.repeat(10_000) });
    expect((out['blockers'] as { items: string[] }[])[0]!.items).toHaveLength(MAX_LISTED);
    expect((out['note'] as string).length).toBeLessThanOrEqual(500);
    expect(out['truncated']).toBe(true);
  });

  it('the mapper applies it to every domain error, message included', () => {
    const err = new CommonError('NOT_FOUND', `No such ${ids(5000).join(', ')}`, { ids: ids(5000) });
    const shape = describeError(err, true);
    expect(JSON.stringify(shape).length).toBeLessThan(2500);
    expect(shape.extensions).toMatchObject({ reason: 'NOT_FOUND', idsCount: 5000, truncated: true });
    expect(boundMessage('x'.repeat(5000)).length).toBe(1000);
  });

  it('describeList names a few and counts the rest', () => {
    expect(describeList(['a', 'b'])).toBe('a, b');
    expect(describeList(ids(2000))).toBe('id-0, id-1, id-2, id-3, id-4 and 1,995 more');
  });
});
