import { describe, expect, it } from 'vitest';
import { AuditError } from './audit.errors';
import { FINDING_STATUSES, type FindingStatus } from './audit-fields';
import { assertNotLinked, assertReopenable, assertResolvable, assertRiskAcceptable } from './finding-rules';

function refusal(fn: () => unknown): AuditError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AuditError);
    return err as AuditError;
  }
  throw new Error('expected an AuditError');
}

const allowed = (fn: () => unknown) => expect(fn).not.toThrow();

describe('what may happen to a finding', () => {
  it('resolving: an open or risk-accepted finding may be resolved, a resolved one is refused and named', () => {
    const refused = FINDING_STATUSES.filter((status) => {
      try {
        assertResolvable({ seq: 3, status });
        return false;
      } catch {
        return true;
      }
    });
    expect(refused).toEqual(['RESOLVED']);
    const err = refusal(() => assertResolvable({ seq: 3, status: 'RESOLVED' }));
    expect(err.code).toBe('INVALID_FINDING_TRANSITION');
    expect(err.message).toContain('F-003');
    expect(err.details).toEqual({ status: 'RESOLVED', to: 'RESOLVED' });
  });

  it.each(['OPEN', 'ACCEPTED_RISK'] as FindingStatus[])('reopening: a %s finding is refused (only a resolved one reopens)', (status) => {
    const err = refusal(() => assertReopenable({ seq: 12, status }));
    expect(err.code).toBe('INVALID_FINDING_TRANSITION');
    expect(err.message).toContain(`F-012 is ${status}`);
    expect(err.details).toEqual({ status, to: 'OPEN' });
  });

  it('reopening: a resolved finding reopens', () => {
    allowed(() => assertReopenable({ seq: 12, status: 'RESOLVED' }));
  });

  it('a countermeasure is created only from a finding that concerns none yet', () => {
    allowed(() => assertNotLinked({ seq: 1, countermeasureId: null }));
    const err = refusal(() => assertNotLinked({ seq: 1, countermeasureId: 'cm-1' }));
    expect(err.code).toBe('FINDING_ALREADY_LINKED');
    expect(err.details).toEqual({ countermeasureId: 'cm-1' });
  });

  it("accepting a risk: an OPEN finding, or a risk-accepted one whose acceptance is gone or past its last day (Japan's today)", () => {
    const today = '2026-10-02';
    allowed(() => assertRiskAcceptable({ seq: 5, status: 'OPEN' }, null, today));
    allowed(() => assertRiskAcceptable({ seq: 5, status: 'ACCEPTED_RISK' }, null, today));
    allowed(() => assertRiskAcceptable({ seq: 5, status: 'ACCEPTED_RISK' }, { expiresOn: '2026-10-01' }, today));
    // Its acceptance holds through its last day: today it still stands.
    const standing = refusal(() => assertRiskAcceptable({ seq: 5, status: 'ACCEPTED_RISK' }, { expiresOn: today }, today));
    expect(standing.code).toBe('INVALID_FINDING_TRANSITION');
    expect(standing.details).toEqual({ status: 'ACCEPTED_RISK', to: 'ACCEPTED_RISK' });
    const resolved = refusal(() => assertRiskAcceptable({ seq: 5, status: 'RESOLVED' }, null, today));
    expect(resolved.message).toContain('F-005 is RESOLVED');
  });
});
