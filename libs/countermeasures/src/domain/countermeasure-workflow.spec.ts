import { describe, expect, it } from 'vitest';
import { CountermeasureErrorCode } from './countermeasure.errors';
import {
  ALL_TRANSITION_CAUSES,
  allowedTransitions,
  CountermeasureStatus,
  decideTransition,
  TransitionCause,
} from './countermeasure-workflow';
import {
  CASES,
  caseInput,
  errorOf,
  expectedAllowed,
  expectedPermittedCauses,
  FULL_EVIDENCE,
  input,
  label,
  ongoingVariants,
  TOKEN_CODE,
} from '../testing/workflow-cases';
import { COLUMNS, SCENARIOS } from '../testing/workflow-expected-table';

const S = CountermeasureStatus;
const C = TransitionCause;

// The expected table and its cases are in ../testing/; the reason, evidence and
// BLOCKED rules are in countermeasure-workflow-rules.spec.ts, the walks, system moves,
// invalid input and history records in countermeasure-workflow-paths.spec.ts.

describe('the expected table', () => {
  it('covers every state of the machine once: each status, and BLOCKED with every possible resume status', () => {
    const labels = SCENARIOS.map(label);
    expect(new Set(labels).size).toBe(labels.length);
    expect(labels.sort()).toEqual(
      [
        'PLANNED',
        'IN_PROGRESS',
        'IMPLEMENTED',
        'CHANGES_REQUESTED',
        'VERIFIED',
        'OPERATING',
        'DEGRADED',
        'REOPENED',
        'CANCELLED',
        'BLOCKED<PLANNED>',
        'BLOCKED<IN_PROGRESS>',
        'BLOCKED<IMPLEMENTED>',
        'BLOCKED<CHANGES_REQUESTED>',
        'BLOCKED<REOPENED>',
        'BLOCKED<DEGRADED>',
      ].sort(),
    );
  });

  it('uses the causes in the same order as the columns, and no cause is missing', () => {
    expect([...ALL_TRANSITION_CAUSES].sort()).toEqual([...COLUMNS].sort());
  });

  it('generates the full cross product (states × ongoing variants × 10 targets × 7 causes)', () => {
    // 12 states with both variants, 3 (OPERATING, DEGRADED, BLOCKED<DEGRADED>) ongoing only.
    expect(CASES).toHaveLength((12 * 2 + 3) * 10 * 7);
  });
});

describe('decideTransition: every (state, target, cause) against the table', () => {
  it.each(CASES)('$name', (c) => {
    if (c.expected === 'ok') {
      expect(decideTransition(caseInput(c))).toEqual({
        from: c.scenario.status,
        to: c.target,
        cause: c.cause,
        reason: 'a reason',
        resumeStatus: c.target === S.BLOCKED ? c.scenario.status : null,
      });
      return;
    }
    const error = errorOf(() => decideTransition(caseInput(c)));
    expect(error.code).toBe(TOKEN_CODE[c.expected]);
    expect(error.context).toBe('countermeasures');

    const allowed = expectedAllowed(c.scenario, c.cause, c.ongoing);
    expect(error.details).toMatchObject({
      from: c.scenario.status,
      to: c.target,
      cause: c.cause,
      resumeStatus: c.scenario.resumeStatus,
      allowed,
    });
    const allowedInMessage = /Allowed .*: (.*)\.$/.exec(error.message)?.[1];
    expect(allowedInMessage).toBe(allowed.length === 0 ? 'none' : allowed.join(', '));
    if (c.expected === 'NA' || c.expected === 'SO') {
      expect(error.details['permittedCauses']).toEqual(expectedPermittedCauses(c.scenario, c.target, c.ongoing));
    } else {
      expect(error.details).not.toHaveProperty('permittedCauses');
    }
  });
});

describe('allowedTransitions', () => {
  const rows = SCENARIOS.flatMap((scenario) =>
    ongoingVariants(scenario).flatMap((ongoing) =>
      ALL_TRANSITION_CAUSES.map((cause) => ({
        name: `${label(scenario)} by ${cause} (${ongoing ? 'ongoing' : 'one-off'})`,
        scenario,
        cause,
        ongoing,
      })),
    ),
  );

  it.each(rows)('lists exactly the table’s allowed targets, in workflow order: $name', ({ scenario, cause, ongoing }) => {
    expect(allowedTransitions(scenario.status, scenario.resumeStatus, cause, { ongoing })).toEqual(
      expectedAllowed(scenario, cause, ongoing),
    );
  });

  it('gives the issue’s main line to a plain status edit', () => {
    expect(allowedTransitions(S.PLANNED, null, C.USER, { ongoing: false })).toEqual([S.IN_PROGRESS, S.BLOCKED]);
    expect(allowedTransitions(S.IN_PROGRESS, null, C.USER, { ongoing: false })).toEqual([S.BLOCKED, S.IMPLEMENTED]);
    expect(allowedTransitions(S.IMPLEMENTED, null, C.USER, { ongoing: false })).toEqual([S.IN_PROGRESS, S.BLOCKED]);
    expect(allowedTransitions(S.IMPLEMENTED, null, C.AUDITOR_SIGN_OFF, { ongoing: false })).toEqual([S.VERIFIED]);
  });

  it('ignores the evidence: IMPLEMENTED is listed even though decideTransition may still refuse it', () => {
    expect(allowedTransitions(S.IN_PROGRESS, null, C.USER, { ongoing: false })).toContain(S.IMPLEMENTED);
    expect(
      errorOf(() =>
        decideTransition(
          input({
            current: S.IN_PROGRESS,
            target: S.IMPLEMENTED,
            cause: C.USER,
            facts: { ongoing: false, requirementsTotal: 1, requirementsWithEvidence: 0 },
          }),
        ),
      ).code,
    ).toBe(CountermeasureErrorCode.EVIDENCE_MISSING);
  });

  it('refuses an impossible state like decideTransition does', () => {
    expect(errorOf(() => allowedTransitions(S.BLOCKED, null, C.USER, { ongoing: false })).code).toBe(
      CountermeasureErrorCode.INVALID_WORKFLOW_INPUT,
    );
    expect(errorOf(() => allowedTransitions(S.OPERATING, null, C.USER, { ongoing: false })).code).toBe(
      CountermeasureErrorCode.INVALID_WORKFLOW_INPUT,
    );
  });
});

describe('error messages name the allowed moves', () => {
  it('INVALID_TRANSITION: a plain edit from PLANNED straight to IMPLEMENTED', () => {
    const error = errorOf(() => decideTransition(input({ current: S.PLANNED, target: S.IMPLEMENTED, cause: C.USER })));
    expect(error.code).toBe(CountermeasureErrorCode.INVALID_TRANSITION);
    expect(error.message).toBe(
      'Cannot move a countermeasure from PLANNED to IMPLEMENTED: IMPLEMENTED cannot be reached from PLANNED. ' +
        'Allowed by a status edit (USER) from PLANNED: IN_PROGRESS, BLOCKED.',
    );
    expect(error.details['allowed']).toEqual(['IN_PROGRESS', 'BLOCKED']);
  });

  it('INVALID_TRANSITION to the same status says it is already there', () => {
    const error = errorOf(() => decideTransition(input({ current: S.IN_PROGRESS, target: S.IN_PROGRESS, cause: C.USER })));
    expect(error.code).toBe(CountermeasureErrorCode.INVALID_TRANSITION);
    expect(error.message).toContain('it is already IN_PROGRESS');
    expect(error.message).toContain('BLOCKED, IMPLEMENTED');
  });

  it('says "none" when the cause can do nothing from here', () => {
    const error = errorOf(() => decideTransition(input({ current: S.CANCELLED, target: S.IN_PROGRESS, cause: C.EXECUTIVE, reason: 'x' })));
    expect(error.code).toBe(CountermeasureErrorCode.INVALID_TRANSITION);
    expect(error.details['allowed']).toEqual([]);
    expect(error.message).toMatch(/: none\.$/);
  });

  it('shows where a BLOCKED item was blocked from', () => {
    const error = errorOf(() =>
      decideTransition(input({ current: S.BLOCKED, resumeStatus: S.REOPENED, target: S.IN_PROGRESS, cause: C.USER })),
    );
    expect(error.code).toBe(CountermeasureErrorCode.INVALID_TRANSITION);
    expect(error.message).toContain('BLOCKED (blocked from REOPENED)');
    expect(error.details).toMatchObject({ allowed: ['REOPENED'], resumeStatus: 'REOPENED' });
  });

  it('SIGN_OFF_REQUIRED: a plain edit to VERIFIED names the sign-off and the moves the user has', () => {
    const error = errorOf(() => decideTransition(input({ current: S.IMPLEMENTED, target: S.VERIFIED, cause: C.USER })));
    expect(error.code).toBe(CountermeasureErrorCode.SIGN_OFF_REQUIRED);
    expect(error.message).toContain("only through an auditor's sign-off");
    expect(error.message).toMatch(/IN_PROGRESS, BLOCKED\.$/);
    expect(error.details).toMatchObject({ permittedCauses: ['AUDITOR_SIGN_OFF'], allowed: ['IN_PROGRESS', 'BLOCKED'] });
  });

  it('NOT_ALLOWED: a plain edit cannot cancel; the message says who can', () => {
    const error = errorOf(() =>
      decideTransition(input({ current: S.IN_PROGRESS, target: S.CANCELLED, cause: C.USER, reason: 'no budget' })),
    );
    expect(error.code).toBe(CountermeasureErrorCode.NOT_ALLOWED);
    expect(error.message).toContain('takes EXECUTIVE');
    expect(error.message).toMatch(/BLOCKED, IMPLEMENTED\.$/);
  });

  it('NOT_ALLOWED: a plain edit cannot mark an operating measure DEGRADED (a system move)', () => {
    const error = errorOf(() =>
      decideTransition(input({ current: S.OPERATING, target: S.DEGRADED, cause: C.USER, facts: { ongoing: true, ...FULL_EVIDENCE } })),
    );
    expect(error.code).toBe(CountermeasureErrorCode.NOT_ALLOWED);
    expect(error.details).toMatchObject({ permittedCauses: ['SYSTEM_STALENESS'], allowed: [] });
  });

  it('an unknown target is an invalid transition that still lists the allowed moves', () => {
    const error = errorOf(() => decideTransition(input({ current: S.PLANNED, target: 'DONE' as CountermeasureStatus, cause: C.USER })));
    expect(error.code).toBe(CountermeasureErrorCode.INVALID_TRANSITION);
    expect(error.details['allowed']).toEqual(['IN_PROGRESS', 'BLOCKED']);
  });
});
