import { describe, expect, it } from 'vitest';
import { CountermeasureError } from './countermeasure.errors';
import { assertDependent, assertNotYetDependent, assertParentChanges, assertSameIncident, dependsOnIdsOf } from './plan-links';

function refusal(fn: () => unknown): CountermeasureError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CountermeasureError);
    return err as CountermeasureError;
  }
  throw new Error('expected a CountermeasureError');
}

const cm4 = { id: 'id-4', seq: 4, incidentId: 'inc-1', parentId: null as string | null };
const cm7 = { id: 'id-7', seq: 7, incidentId: 'inc-1' };
const elsewhere = { id: 'id-x', seq: 1, incidentId: 'inc-2' };

describe('links of a plan: checks before the graph walk', () => {
  it('links items of one incident; an item of another incident is DIFFERENT_INCIDENT, naming both incidents', () => {
    expect(() => assertSameIncident(cm4, cm7)).not.toThrow();
    const err = refusal(() => assertSameIncident(cm4, elsewhere));
    expect(err.code).toBe('DIFFERENT_INCIDENT');
    expect(err.message).toContain('CM-004');
    expect(err.details).toEqual({ incidentId: 'inc-1', otherIncidentId: 'inc-2', otherId: 'id-x' });
  });

  it('a parent change must change something: the same parent, or clearing an absent one, is INVALID_FIELD on parentId', () => {
    expect(() => assertParentChanges(cm4, 'id-7')).not.toThrow();
    expect(() => assertParentChanges({ ...cm4, parentId: 'id-7' }, null)).not.toThrow();
    expect(() => assertParentChanges({ ...cm4, parentId: 'id-7' }, 'id-9')).not.toThrow();

    const cleared = refusal(() => assertParentChanges(cm4, null));
    expect(cleared.code).toBe('INVALID_FIELD');
    expect(cleared.message).toBe('CM-004 has no parent already');
    expect(cleared.details).toEqual({ field: 'parentId', value: null });
    const same = refusal(() => assertParentChanges({ ...cm4, parentId: 'id-7' }, 'id-7'));
    expect(same.message).toBe('CM-004 already has that parent');
  });

  it("lists what an item depends on, sorted, from the incident's edges", () => {
    const edges = [
      { countermeasureId: 'id-4', dependsOnId: 'id-9' },
      { countermeasureId: 'id-7', dependsOnId: 'id-4' },
      { countermeasureId: 'id-4', dependsOnId: 'id-7' },
    ];
    expect(dependsOnIdsOf('id-4', edges)).toEqual(['id-7', 'id-9']);
    expect(dependsOnIdsOf('id-9', edges)).toEqual([]);
  });

  it('a dependency is added once (DEPENDENCY_EXISTS) and removed only when there (DEPENDENCY_NOT_FOUND)', () => {
    expect(() => assertNotYetDependent(cm4, cm7, ['id-9'])).not.toThrow();
    const twice = refusal(() => assertNotYetDependent(cm4, cm7, ['id-7', 'id-9']));
    expect(twice.code).toBe('DEPENDENCY_EXISTS');
    expect(twice.message).toBe('CM-004 already depends on CM-007');
    expect(twice.details).toEqual({ id: 'id-4', dependsOnId: 'id-7' });

    expect(() => assertDependent(cm4, cm7, ['id-7'])).not.toThrow();
    const absent = refusal(() => assertDependent(cm4, cm7, ['id-9']));
    expect(absent.code).toBe('DEPENDENCY_NOT_FOUND');
    expect(absent.message).toBe('CM-004 does not depend on CM-007');
  });
});
