import { describe, expect, it } from 'vitest';
import { DashboardError } from './dashboard.errors';
import { endOfDayInTokyo, incidentStartDay, resolveAsOf, share } from './dashboard-day';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    if (e instanceof DashboardError) return e.code;
    throw e;
  }
  return undefined;
};

describe('the days a dashboard speaks of', () => {
  it('a day ends at the next midnight in Tokyo (15:00 UTC the same date)', () => {
    expect(endOfDayInTokyo('2026-11-20').toISOString()).toBe('2026-11-20T15:00:00.000Z');
    expect(endOfDayInTokyo('2026-12-31').toISOString()).toBe('2026-12-31T15:00:00.000Z');
  });

  it('the incident begins the day it was detected, or else the day it was recorded', () => {
    expect(incidentStartDay({ detectedOn: '2026-07-08', createdOn: '2026-07-10' })).toBe('2026-07-08');
    expect(incidentStartDay({ detectedOn: null, createdOn: '2026-07-10' })).toBe('2026-07-10');
  });

  it('asOf defaults to today and must lie between the first day and today', () => {
    expect(resolveAsOf(undefined, '2026-07-08', '2026-11-20')).toBe('2026-11-20');
    expect(resolveAsOf(null, '2026-07-08', '2026-11-20')).toBe('2026-11-20');
    expect(resolveAsOf('2026-07-08', '2026-07-08', '2026-11-20')).toBe('2026-07-08');
    expect(resolveAsOf('2026-11-20', '2026-07-08', '2026-11-20')).toBe('2026-11-20');
    expect(codeOf(() => resolveAsOf('2026-07-07', '2026-07-08', '2026-11-20'))).toBe('AS_OF_BEFORE_INCIDENT');
    expect(codeOf(() => resolveAsOf('2026-11-21', '2026-07-08', '2026-11-20'))).toBe('AS_OF_IN_FUTURE');
    expect(codeOf(() => resolveAsOf('2026-02-30', '2026-01-01', '2026-11-20'))).toBe('INVALID_AS_OF');
    expect(codeOf(() => resolveAsOf('2026-7-9', '2026-01-01', '2026-11-20'))).toBe('INVALID_AS_OF');
  });

  it('a share of nothing is 0, not NaN', () => {
    expect(share(0, 0)).toBe(0);
    expect(share(1, 4)).toBe(0.25);
  });
});
