import { describe, expect, it } from 'vitest';
import { IncidentError, IncidentErrorCode } from './incident.errors';
import { assertEntryOf, assertNotRemoved, assertSystemUnused, changedFields } from './incident-entries';

function errorOf(fn: () => unknown): IncidentError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(IncidentError);
    return err as IncidentError;
  }
  throw new Error('expected an IncidentError, but nothing was thrown');
}

const INCIDENT = 'incident-a';
const entry = (over: Partial<{ id: string; incidentId: string; removedAt: Date | null }> = {}) => ({
  id: 'e1',
  incidentId: INCIDENT,
  removedAt: null,
  ...over,
});

describe('assertEntryOf', () => {
  it('returns the entry of the named incident', () => {
    const e = entry();
    expect(assertEntryOf('systems', 'e1', INCIDENT, e)).toBe(e);
  });

  it('an unknown id is ENTRY_NOT_FOUND naming the list', () => {
    const e = errorOf(() => assertEntryOf('timeline', 'nope', INCIDENT, null));
    expect([e.code, e.details]).toEqual([IncidentErrorCode.ENTRY_NOT_FOUND, { list: 'timeline', id: 'nope' }]);
  });

  it('an entry of another incident is ENTRY_OF_ANOTHER_INCIDENT, even if it was removed', () => {
    const e = errorOf(() => assertEntryOf('parties', 'e1', INCIDENT, entry({ incidentId: 'incident-b', removedAt: new Date() })));
    expect([e.code, e.details]).toEqual([IncidentErrorCode.ENTRY_OF_ANOTHER_INCIDENT, { list: 'parties', id: 'e1', incidentId: INCIDENT }]);
  });
});

describe('assertNotRemoved', () => {
  it('passes a current entry, refuses a removed one with when it was removed', () => {
    expect(() => assertNotRemoved('dataCategories', entry())).not.toThrow();
    const e = errorOf(() => assertNotRemoved('dataCategories', entry({ removedAt: new Date('2026-10-10T01:02:03.004Z') })));
    expect([e.code, e.details]).toEqual([
      IncidentErrorCode.ENTRY_REMOVED,
      { list: 'dataCategories', id: 'e1', removedAt: '2026-10-10T01:02:03.004Z' },
    ]);
  });
});

describe('changedFields', () => {
  const current = { name: '受講者管理ＤＢ', description: '', leakSource: false, holdsCustomerData: true };

  it('keeps only the values that differ; undefined keeps a field', () => {
    expect(changedFields(current, { name: '受講者管理DB', description: '', leakSource: undefined, holdsCustomerData: false })).toEqual({
      name: '受講者管理DB',
      holdsCustomerData: false,
    });
  });

  it('refuses a change that changes nothing (all equal, or nothing given) with INVALID_FIELD', () => {
    for (const proposed of [
      {},
      { name: '受講者管理ＤＢ' },
      { leakSource: false, holdsCustomerData: true, description: '' },
      { name: undefined },
    ]) {
      const e = errorOf(() => changedFields(current, proposed));
      expect({ proposed, code: e.code, details: e.details }).toEqual({
        proposed,
        code: IncidentErrorCode.INVALID_FIELD,
        details: { field: null, value: null },
      });
    }
  });
});

describe('assertSystemUnused', () => {
  it('passes a system no countermeasure targets', () => {
    expect(() => assertSystemUnused('s1', [])).not.toThrow();
  });

  it('refuses a targeted system with the countermeasure keys, in order and once each', () => {
    const e = errorOf(() => assertSystemUnused('s1', [12, 2, 2, 1000]));
    expect([e.code, e.details]).toEqual([
      IncidentErrorCode.SYSTEM_IN_USE,
      { systemId: 's1', countermeasures: ['CM-002', 'CM-012', 'CM-1000'] },
    ]);
    expect(e.message).toContain('CM-002, CM-012, CM-1000');
  });
});
