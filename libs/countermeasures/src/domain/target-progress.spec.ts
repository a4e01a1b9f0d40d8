import { describe, expect, it } from 'vitest';
import { progressOf, removable } from './target-progress';

describe('progress over targets', () => {
  it('counts "3 of 7 databases done"', () => {
    const p = progressOf(['DONE', 'DONE', 'DONE', 'PENDING', 'IN_PROGRESS', 'PENDING', 'PENDING']);
    expect(p).toEqual({ total: 7, pending: 3, inProgress: 1, done: 3, notApplicable: 0, ratio: 3 / 7 });
  });

  it('leaves out-of-scope (NOT_APPLICABLE) systems out of the ratio', () => {
    expect(progressOf(['DONE', 'NOT_APPLICABLE', 'PENDING']).ratio).toBe(0.5);
    expect(progressOf(['DONE', 'NOT_APPLICABLE']).ratio).toBe(1);
  });

  it('has no ratio when there is nothing to do', () => {
    expect(progressOf([]).ratio).toBeNull();
    expect(progressOf(['NOT_APPLICABLE']).ratio).toBeNull();
  });

  it('only an untouched target may be removed from the list', () => {
    expect(removable('PENDING')).toBe(true);
    expect(removable('IN_PROGRESS')).toBe(false);
    expect(removable('DONE')).toBe(false);
    expect(removable('NOT_APPLICABLE')).toBe(false);
  });
});
