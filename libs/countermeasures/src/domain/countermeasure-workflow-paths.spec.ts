import { describe, expect, it } from 'vitest';
import { CountermeasureErrorCode } from './countermeasure.errors';
import {
  ALL_COUNTERMEASURE_STATUSES,
  ALL_TRANSITION_CAUSES,
  allowedTransitions,
  CountermeasureStatus,
  decideTransition,
  freshnessMove,
  isOpen,
  isSystemCause,
  isTerminal,
  TransitionCause,
  transitionRecord,
} from './countermeasure-workflow';
import { errorOf, FULL_EVIDENCE, input, label, ongoingVariants } from '../testing/workflow-cases';
import { SCENARIOS } from '../testing/workflow-expected-table';

const S = CountermeasureStatus;
const C = TransitionCause;

describe('walks through the issue’s lines', () => {
  function walk(ongoing: boolean, steps: [CountermeasureStatus, TransitionCause, string | null][]): CountermeasureStatus[] {
    let current: CountermeasureStatus = S.PLANNED;
    let resumeStatus: CountermeasureStatus | null = null;
    const seen: CountermeasureStatus[] = [current];
    for (const [target, cause, reason] of steps) {
      const d = decideTransition({ current, resumeStatus, target, cause, reason, facts: { ongoing, ...FULL_EVIDENCE } });
      expect(d.from).toBe(current);
      current = d.to;
      resumeStatus = d.resumeStatus;
      seen.push(current);
    }
    return seen;
  }

  it('one-off: plan, work, block, resume, implement, rejection, fix, sign-off, audit finding, redo', () => {
    expect(
      walk(false, [
        [S.IN_PROGRESS, C.USER, null],
        [S.BLOCKED, C.USER, 'waiting for DB access'],
        [S.IN_PROGRESS, C.USER, null],
        [S.IMPLEMENTED, C.USER, null],
        [S.CHANGES_REQUESTED, C.AUDITOR_REJECTION, 'log export incomplete'],
        [S.IN_PROGRESS, C.USER, null],
        [S.IMPLEMENTED, C.USER, null],
        [S.VERIFIED, C.AUDITOR_SIGN_OFF, null],
        [S.REOPENED, C.REOPEN, 'audit finding F-7'],
        [S.IN_PROGRESS, C.USER, null],
      ]),
    ).toEqual([
      S.PLANNED,
      S.IN_PROGRESS,
      S.BLOCKED,
      S.IN_PROGRESS,
      S.IMPLEMENTED,
      S.CHANGES_REQUESTED,
      S.IN_PROGRESS,
      S.IMPLEMENTED,
      S.VERIFIED,
      S.REOPENED,
      S.IN_PROGRESS,
    ]);
  });

  it('ongoing: verified, operating, degraded by staleness, blocked, back, fresh evidence, reopened, cancelled', () => {
    expect(
      walk(true, [
        [S.IN_PROGRESS, C.USER, null],
        [S.IMPLEMENTED, C.USER, null],
        [S.VERIFIED, C.AUDITOR_SIGN_OFF, null],
        [S.OPERATING, C.USER, null],
        [S.DEGRADED, C.SYSTEM_STALENESS, null],
        [S.BLOCKED, C.USER, 'monitoring vendor contract lapsed'],
        [S.DEGRADED, C.USER, null],
        [S.OPERATING, C.SYSTEM_FRESH_EVIDENCE, null],
        [S.REOPENED, C.REOPEN, 'audit finding'],
        [S.CANCELLED, C.EXECUTIVE, 'replaced by a new measure'],
      ]).at(-1),
    ).toBe(S.CANCELLED);
  });
});

describe('staleness (system moves)', () => {
  const DAY = 24 * 60 * 60 * 1000;
  const now = new Date('2024-09-30T00:00:00.000Z');
  const daysAgo = (n: number) => new Date(now.getTime() - n * DAY);
  const fresh = (status: CountermeasureStatus, latest: Date | null, ongoing = true) =>
    freshnessMove({ status, ongoing, latestAcceptedEvidenceAt: latest, periodMs: 30 * DAY, now });

  it('OPERATING with evidence older than the period drops to DEGRADED', () => {
    expect(fresh(S.OPERATING, daysAgo(31))).toEqual({ to: S.DEGRADED, cause: C.SYSTEM_STALENESS });
  });

  it('OPERATING with no accepted evidence at all is stale', () => {
    expect(fresh(S.OPERATING, null)).toEqual({ to: S.DEGRADED, cause: C.SYSTEM_STALENESS });
  });

  it('evidence exactly one period old is still fresh; one millisecond more is stale', () => {
    expect(fresh(S.OPERATING, daysAgo(30))).toBeNull();
    expect(fresh(S.OPERATING, new Date(daysAgo(30).getTime() - 1))).toEqual({ to: S.DEGRADED, cause: C.SYSTEM_STALENESS });
  });

  it('DEGRADED goes back to OPERATING when fresh evidence is accepted, and stays while it is stale', () => {
    expect(fresh(S.DEGRADED, daysAgo(0))).toEqual({ to: S.OPERATING, cause: C.SYSTEM_FRESH_EVIDENCE });
    expect(fresh(S.DEGRADED, daysAgo(45))).toBeNull();
    expect(fresh(S.DEGRADED, null)).toBeNull();
  });

  it('evidence dated slightly in the future (clock skew) counts as fresh', () => {
    expect(fresh(S.DEGRADED, new Date(now.getTime() + 1000))).toEqual({ to: S.OPERATING, cause: C.SYSTEM_FRESH_EVIDENCE });
  });

  it.each(ALL_COUNTERMEASURE_STATUSES.filter((s) => s !== S.OPERATING && s !== S.DEGRADED))(
    'no system move from %s, stale or fresh',
    (status) => {
      expect(fresh(status, null)).toBeNull();
      expect(fresh(status, daysAgo(0))).toBeNull();
    },
  );

  it('no system move for a measure that is not ongoing', () => {
    expect(fresh(S.OPERATING, null, false)).toBeNull();
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses a period of %s ms', (periodMs) => {
    expect(errorOf(() => freshnessMove({ status: S.OPERATING, ongoing: true, latestAcceptedEvidenceAt: null, periodMs, now })).code).toBe(
      CountermeasureErrorCode.INVALID_WORKFLOW_INPUT,
    );
  });

  it('its answer is a move decideTransition accepts, both ways', () => {
    const facts = { ongoing: true, ...FULL_EVIDENCE };
    const down = fresh(S.OPERATING, daysAgo(60));
    expect(down).not.toBeNull();
    const d1 = decideTransition({ current: S.OPERATING, resumeStatus: null, target: down!.to, cause: down!.cause, reason: null, facts });
    const up = fresh(d1.to, daysAgo(1));
    expect(up).not.toBeNull();
    const d2 = decideTransition({ current: d1.to, resumeStatus: null, target: up!.to, cause: up!.cause, reason: null, facts });
    expect([d1.from, d1.to, d2.to]).toEqual([S.OPERATING, S.DEGRADED, S.OPERATING]);
  });

  it('system moves need no reason and keep none', () => {
    expect(
      decideTransition(
        input({ current: S.OPERATING, target: S.DEGRADED, cause: C.SYSTEM_STALENESS, facts: { ongoing: true, ...FULL_EVIDENCE } }),
      ),
    ).toEqual({ from: S.OPERATING, to: S.DEGRADED, cause: C.SYSTEM_STALENESS, reason: null, resumeStatus: null });
  });
});

describe('impossible input is refused as INVALID_WORKFLOW_INPUT', () => {
  const oneOffOnlyOngoing = SCENARIOS.filter((s) => s.ongoingOnly);
  const oneOffCases = oneOffOnlyOngoing.flatMap((scenario) =>
    ALL_COUNTERMEASURE_STATUSES.flatMap((target) =>
      ALL_TRANSITION_CAUSES.map((cause) => ({ name: `${label(scenario)} → ${target} by ${cause} (one-off)`, scenario, target, cause })),
    ),
  );

  it('the ongoing-only states are OPERATING, DEGRADED and BLOCKED<DEGRADED>', () => {
    expect(oneOffOnlyOngoing.map(label)).toEqual(['OPERATING', 'DEGRADED', 'BLOCKED<DEGRADED>']);
  });

  it.each(oneOffCases)('a one-off measure cannot be in an ongoing-only state: $name', ({ scenario, target, cause }) => {
    const error = errorOf(() =>
      decideTransition({
        current: scenario.status,
        resumeStatus: scenario.resumeStatus,
        target,
        cause,
        reason: 'r',
        facts: { ongoing: false, ...FULL_EVIDENCE },
      }),
    );
    expect(error.code).toBe(CountermeasureErrorCode.INVALID_WORKFLOW_INPUT);
  });

  it.each([null, S.BLOCKED, S.VERIFIED, S.OPERATING, S.CANCELLED])('BLOCKED with resume status %s', (resumeStatus) => {
    const error = errorOf(() =>
      decideTransition(
        input({
          current: S.BLOCKED,
          resumeStatus,
          target: S.CANCELLED,
          cause: C.EXECUTIVE,
          reason: 'r',
          facts: { ongoing: true, ...FULL_EVIDENCE },
        }),
      ),
    );
    expect(error.code).toBe(CountermeasureErrorCode.INVALID_WORKFLOW_INPUT);
  });

  it.each(ALL_COUNTERMEASURE_STATUSES.filter((s) => s !== S.BLOCKED))('a resume status on a %s item', (current) => {
    const error = errorOf(() =>
      decideTransition(
        input({
          current,
          resumeStatus: S.PLANNED,
          target: S.CANCELLED,
          cause: C.EXECUTIVE,
          reason: 'r',
          facts: { ongoing: true, ...FULL_EVIDENCE },
        }),
      ),
    );
    expect(error.code).toBe(CountermeasureErrorCode.INVALID_WORKFLOW_INPUT);
  });

  it('an unknown current status or cause', () => {
    expect(
      errorOf(() => decideTransition(input({ current: 'DONE' as CountermeasureStatus, target: S.CANCELLED, cause: C.EXECUTIVE }))).code,
    ).toBe(CountermeasureErrorCode.INVALID_WORKFLOW_INPUT);
    expect(
      errorOf(() => decideTransition(input({ current: S.PLANNED, target: S.IN_PROGRESS, cause: 'ADMIN' as TransitionCause }))).code,
    ).toBe(CountermeasureErrorCode.INVALID_WORKFLOW_INPUT);
  });

  it.each([
    [-1, 0],
    [0, -1],
    [2, 3],
    [1.5, 1],
    [2, Number.NaN],
  ])('impossible evidence counts: total %s, with evidence %s', (requirementsTotal, requirementsWithEvidence) => {
    const error = errorOf(() =>
      decideTransition(
        input({
          current: S.PLANNED,
          target: S.IN_PROGRESS,
          cause: C.USER,
          facts: { ongoing: false, requirementsTotal, requirementsWithEvidence },
        }),
      ),
    );
    expect(error.code).toBe(CountermeasureErrorCode.INVALID_WORKFLOW_INPUT);
  });

  it('checks the input before the move', () => {
    expect(
      errorOf(() =>
        decideTransition(
          input({
            current: S.PLANNED,
            target: S.VERIFIED,
            cause: C.USER,
            facts: { ongoing: false, requirementsTotal: 1, requirementsWithEvidence: 2 },
          }),
        ),
      ).code,
    ).toBe(CountermeasureErrorCode.INVALID_WORKFLOW_INPUT);
  });
});

describe('isOpen and isTerminal', () => {
  const OPEN_BY_HAND: Record<CountermeasureStatus, boolean> = {
    PLANNED: true,
    IN_PROGRESS: true,
    BLOCKED: true,
    IMPLEMENTED: true,
    CHANGES_REQUESTED: true,
    VERIFIED: false,
    OPERATING: false,
    DEGRADED: true,
    REOPENED: true,
    CANCELLED: false,
  };

  it.each(ALL_COUNTERMEASURE_STATUSES)('isOpen(%s) matches the hand table', (status) => {
    expect(isOpen(status)).toBe(OPEN_BY_HAND[status]);
  });

  it.each(ALL_COUNTERMEASURE_STATUSES)('isTerminal(%s) is true exactly when no cause can move it anywhere', (status) => {
    const scenarios = SCENARIOS.filter((s) => s.status === status);
    const anyMove = scenarios.some((scenario) =>
      ongoingVariants(scenario).some((ongoing) =>
        ALL_TRANSITION_CAUSES.some((cause) => allowedTransitions(status, scenario.resumeStatus, cause, { ongoing }).length > 0),
      ),
    );
    expect(isTerminal(status)).toBe(!anyMove);
    expect(isTerminal(status)).toBe(status === S.CANCELLED);
  });

  it('a one-off VERIFIED item is not terminal, but reopening is its only way out', () => {
    const moves = ALL_TRANSITION_CAUSES.flatMap((cause) =>
      allowedTransitions(S.VERIFIED, null, cause, { ongoing: false }).map((to) => `${cause}:${to}`),
    );
    expect(moves).toEqual(['REOPEN:REOPENED']);
  });
});

describe('causes and history records', () => {
  it.each(ALL_TRANSITION_CAUSES)('isSystemCause(%s)', (cause) => {
    expect(isSystemCause(cause)).toBe(cause === C.SYSTEM_STALENESS || cause === C.SYSTEM_FRESH_EVIDENCE);
  });

  const at = new Date('2024-07-09T01:02:03.004Z');

  it('keeps who, when, from, to and why', () => {
    const decision = decideTransition(input({ current: S.IN_PROGRESS, target: S.BLOCKED, cause: C.USER, reason: ' vendor ' }));
    expect(transitionRecord(decision, 'user-1', at)).toEqual({
      from: S.IN_PROGRESS,
      to: S.BLOCKED,
      cause: C.USER,
      reason: 'vendor',
      actorId: 'user-1',
      at,
    });
  });

  it('a system move has no actor', () => {
    const decision = decideTransition(
      input({ current: S.OPERATING, target: S.DEGRADED, cause: C.SYSTEM_STALENESS, facts: { ongoing: true, ...FULL_EVIDENCE } }),
    );
    expect(transitionRecord(decision, null, at).actorId).toBeNull();
    expect(errorOf(() => transitionRecord(decision, 'user-1', at)).code).toBe(CountermeasureErrorCode.INVALID_WORKFLOW_INPUT);
  });

  it.each([null, '', '  '])('a human move must name its actor (got %j)', (actorId) => {
    const decision = decideTransition(input({ current: S.PLANNED, target: S.IN_PROGRESS, cause: C.USER }));
    expect(errorOf(() => transitionRecord(decision, actorId, at)).code).toBe(CountermeasureErrorCode.INVALID_WORKFLOW_INPUT);
  });

  it('refuses an invalid time', () => {
    const decision = decideTransition(input({ current: S.PLANNED, target: S.IN_PROGRESS, cause: C.USER }));
    expect(errorOf(() => transitionRecord(decision, 'user-1', new Date('nope'))).code).toBe(CountermeasureErrorCode.INVALID_WORKFLOW_INPUT);
  });
});
