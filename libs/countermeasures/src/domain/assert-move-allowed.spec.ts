import { describe, expect, it } from 'vitest';
import { CountermeasureError, CountermeasureErrorCode } from './countermeasure.errors';
import {
  ALL_COUNTERMEASURE_STATUSES,
  ALL_TRANSITION_CAUSES,
  BLOCKABLE_STATUSES,
  assertMoveAllowed,
  CountermeasureStatus as S,
  decideTransition,
  TransitionCause as C,
  type CountermeasureStatus,
} from './countermeasure-workflow';

function codeOf(f: () => void): string | null {
  try {
    f();
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(CountermeasureError);
    return (err as CountermeasureError).code;
  }
}

/** Every state the machine can be in, ongoing or not (a non-ongoing item is never OPERATING or DEGRADED). */
function states(): { from: CountermeasureStatus; resumeStatus: CountermeasureStatus | null; ongoing: boolean }[] {
  const out: { from: CountermeasureStatus; resumeStatus: CountermeasureStatus | null; ongoing: boolean }[] = [];
  for (const ongoing of [false, true]) {
    const onlyOngoing = (s: CountermeasureStatus) => !ongoing && (s === S.OPERATING || s === S.DEGRADED);
    for (const from of ALL_COUNTERMEASURE_STATUSES) {
      if (from === S.BLOCKED) {
        for (const r of BLOCKABLE_STATUSES) if (!onlyOngoing(r)) out.push({ from, resumeStatus: r, ongoing });
      } else if (!onlyOngoing(from)) out.push({ from, resumeStatus: null, ongoing });
    }
  }
  return out;
}

/**
 * The sign-off asks the workflow whether a move is allowed instead of trying
 * it: `assertMoveAllowed` must refuse exactly what `decideTransition` refuses,
 * with the same code, and change nothing.
 */
describe('assertMoveAllowed', () => {
  it('agrees with decideTransition on every state, target and cause (full facts: evidence complete, a reason given)', () => {
    let checked = 0;
    for (const { from, resumeStatus, ongoing } of states()) {
      for (const to of ALL_COUNTERMEASURE_STATUSES) {
        for (const cause of ALL_TRANSITION_CAUSES) {
          const evidence = { requirementsTotal: 2, requirementsWithEvidence: 2 };
          const asked = codeOf(() => assertMoveAllowed(from, to, { cause, resumeStatus, ongoing, reason: 'なぜ', evidence }));
          const tried = codeOf(() =>
            decideTransition({ current: from, resumeStatus, target: to, cause, reason: 'なぜ', facts: { ongoing, ...evidence } }),
          );
          expect([from, resumeStatus, to, cause, asked]).toEqual([from, resumeStatus, to, cause, tried]);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('lets the auditor sign off only IMPLEMENTED work; elsewhere INVALID_TRANSITION naming the moves there are', () => {
    expect(() =>
      assertMoveAllowed(S.IMPLEMENTED, S.VERIFIED, { cause: C.AUDITOR_SIGN_OFF, resumeStatus: null, ongoing: false }),
    ).not.toThrow();
    for (const from of [S.PLANNED, S.IN_PROGRESS, S.CHANGES_REQUESTED, S.REOPENED, S.VERIFIED, S.CANCELLED]) {
      expect(codeOf(() => assertMoveAllowed(from, S.VERIFIED, { cause: C.AUDITOR_SIGN_OFF, resumeStatus: null, ongoing: false }))).toBe(
        'INVALID_TRANSITION',
      );
    }
    try {
      assertMoveAllowed(S.IN_PROGRESS, S.VERIFIED, { cause: C.AUDITOR_SIGN_OFF, resumeStatus: null, ongoing: false });
    } catch (err) {
      expect((err as CountermeasureError).details).toMatchObject({
        from: 'IN_PROGRESS',
        to: 'VERIFIED',
        cause: 'AUDITOR_SIGN_OFF',
        allowed: [],
      });
    }
    // BLOCKED work is not signed off, even when it was blocked from IMPLEMENTED.
    expect(
      codeOf(() => assertMoveAllowed(S.BLOCKED, S.VERIFIED, { cause: C.AUDITOR_SIGN_OFF, resumeStatus: S.IMPLEMENTED, ongoing: false })),
    ).toBe('INVALID_TRANSITION');
  });

  it('judges the graph only when the reason and the evidence are left out', () => {
    // No reason known yet: REOPEN is allowed by the graph.
    expect(() => assertMoveAllowed(S.VERIFIED, S.REOPENED, { cause: C.REOPEN, resumeStatus: null, ongoing: false })).not.toThrow();
    // A blank reason given: refused as the move would be.
    expect(
      codeOf(() => assertMoveAllowed(S.VERIFIED, S.REOPENED, { cause: C.REOPEN, resumeStatus: null, ongoing: false, reason: '  ' })),
    ).toBe(CountermeasureErrorCode.REASON_REQUIRED);
    // No evidence counts: the evidence rule is not judged; with them, it is.
    expect(() =>
      assertMoveAllowed(S.IMPLEMENTED, S.VERIFIED, { cause: C.AUDITOR_SIGN_OFF, resumeStatus: null, ongoing: false }),
    ).not.toThrow();
    expect(
      codeOf(() =>
        assertMoveAllowed(S.IMPLEMENTED, S.VERIFIED, {
          cause: C.AUDITOR_SIGN_OFF,
          resumeStatus: null,
          ongoing: false,
          evidence: { requirementsTotal: 2, requirementsWithEvidence: 1 },
        }),
      ),
    ).toBe(CountermeasureErrorCode.EVIDENCE_MISSING);
    expect(
      codeOf(() =>
        assertMoveAllowed(S.IMPLEMENTED, S.VERIFIED, {
          cause: C.AUDITOR_SIGN_OFF,
          resumeStatus: null,
          ongoing: false,
          evidence: { requirementsTotal: 0, requirementsWithEvidence: 0 },
        }),
      ),
    ).toBe(CountermeasureErrorCode.NO_REQUIREMENTS);
  });

  it('refuses an impossible state (INVALID_WORKFLOW_INPUT) before the graph', () => {
    expect(codeOf(() => assertMoveAllowed(S.OPERATING, S.REOPENED, { cause: C.REOPEN, resumeStatus: null, ongoing: false }))).toBe(
      'INVALID_WORKFLOW_INPUT',
    );
    expect(codeOf(() => assertMoveAllowed(S.BLOCKED, S.IN_PROGRESS, { cause: C.USER, resumeStatus: null, ongoing: false }))).toBe(
      'INVALID_WORKFLOW_INPUT',
    );
  });
});
