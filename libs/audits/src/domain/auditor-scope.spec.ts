import { describe, expect, it } from 'vitest';
import { AuditError } from './audit.errors';
import { assertIncidentInScope, assertScopeOpen, auditorScopeOn, soleIncidentOf, type EngagementWindow } from './auditor-scope';

const w = (incidentId: string, endsOn: string | null, engagementId = `${incidentId}-${endsOn}`): EngagementWindow => ({
  engagementId,
  incidentId,
  endsOn,
});
const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    if (err instanceof AuditError) return { code: err.code, details: err.details };
    throw err;
  }
  return null;
};

describe('the scope of an auditor limited to their engagements', () => {
  it('keeps an incident open through the last day (Japan time) and closes it the day after', () => {
    expect([...auditorScopeOn([w('A', '2026-12-07')], '2026-12-07').open]).toEqual(['A']);
    const after = auditorScopeOn([w('A', '2026-12-07')], '2026-12-08');
    expect([...after.open]).toEqual([]);
    expect([...after.ended]).toEqual([['A', '2026-12-07']]);
  });

  it('treats an engagement without an end date as open', () => {
    expect([...auditorScopeOn([w('A', null)], '2099-01-01').open]).toEqual(['A']);
  });

  it('keeps an incident open while any of its engagements is, and gives the last end of an ended one', () => {
    const scope = auditorScopeOn([w('A', '2026-01-31'), w('A', '2027-01-31'), w('B', '2026-03-31'), w('B', '2026-02-28')], '2026-12-07');
    expect([...scope.open]).toEqual(['A']);
    expect([...scope.ended]).toEqual([['B', '2026-03-31']]);
  });

  it('refuses another incident with OUTSIDE_ENGAGEMENT, an ended one with ENGAGEMENT_ENDED and its day', () => {
    const scope = auditorScopeOn([w('A', null), w('B', '2026-03-31')], '2026-12-07');
    expect(refusal(() => assertIncidentInScope(scope, 'A'))).toBeNull();
    expect(refusal(() => assertIncidentInScope(scope, 'C'))).toEqual({ code: 'OUTSIDE_ENGAGEMENT', details: { incidentId: 'C' } });
    expect(refusal(() => assertIncidentInScope(scope, 'B'))).toEqual({
      code: 'ENGAGEMENT_ENDED',
      details: { incidentId: 'B', endedOn: '2026-03-31' },
    });
  });

  it('refuses everything once every engagement has ended (ENGAGEMENT_ENDED), or when there is none (OUTSIDE_ENGAGEMENT)', () => {
    const ended = auditorScopeOn([w('A', '2026-01-31'), w('B', '2026-03-31')], '2026-12-07');
    expect(refusal(() => assertScopeOpen(ended))).toEqual({ code: 'ENGAGEMENT_ENDED', details: { endedOn: '2026-03-31' } });
    expect(refusal(() => assertIncidentInScope(ended, 'C'))?.code).toBe('ENGAGEMENT_ENDED');
    expect(refusal(() => assertScopeOpen(auditorScopeOn([], '2026-12-07')))?.code).toBe('OUTSIDE_ENGAGEMENT');
  });

  it('narrows an unnamed list to the only open incident, and asks to name one among several', () => {
    expect(soleIncidentOf(auditorScopeOn([w('A', null), w('B', '2026-01-01')], '2026-12-07'))).toBe('A');
    expect(refusal(() => soleIncidentOf(auditorScopeOn([w('B', null), w('A', null)], '2026-12-07')))).toEqual({
      code: 'INCIDENT_NOT_NAMED',
      details: { field: 'incidentId', incidentIds: ['A', 'B'] },
    });
  });
});
