import { describe, expect, it } from 'vitest';
import { CountermeasureError, CountermeasureErrorCode } from './countermeasure.errors';
import {
  ALL_COUNTERMEASURE_STATUSES,
  ALL_TRANSITION_CAUSES,
  allowedTransitions,
  BLOCKABLE_STATUSES,
  CountermeasureStatus,
  decideTransition,
  freshnessMove,
  isOpen,
  isSystemCause,
  isTerminal,
  reasonRequired,
  TransitionCause,
  type TransitionInput,
  transitionRecord,
  type WorkflowFacts,
} from './countermeasure-workflow';

const S = CountermeasureStatus;
const C = TransitionCause;

/** Runs `fn`, which must throw a CountermeasureError, and returns that error. */
function errorOf(fn: () => unknown): CountermeasureError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CountermeasureError);
    return error as CountermeasureError;
  }
  throw new Error('expected a CountermeasureError, but nothing was thrown');
}

const FULL_EVIDENCE = { requirementsTotal: 2, requirementsWithEvidence: 2 } as const;

function input(overrides: Partial<TransitionInput> & Pick<TransitionInput, 'current' | 'target' | 'cause'>): TransitionInput {
  return {
    resumeStatus: null,
    reason: null,
    facts: { ongoing: false, ...FULL_EVIDENCE },
    ...overrides,
  };
}

// ---------------------------------------------------------------------------
// The expected table, written by hand. One grid per state of the machine
// (a status, and for BLOCKED also the resume status). A row is a target; the
// seven columns are the causes, in this order:
//
//   USER  EXECUTIVE  AUDITOR_SIGN_OFF  AUDITOR_REJECTION  REOPEN  SYSTEM_STALENESS  SYSTEM_FRESH_EVIDENCE
//
// Cells: ok = allowed, -- = INVALID_TRANSITION, NA = NOT_ALLOWED,
// SO = SIGN_OFF_REQUIRED. `a|b` = a for an ongoing measure, b for a one-off one.
// The grid is checked with a reason given and evidence complete; the reason and
// evidence rules are tested on top of it further down.
// ---------------------------------------------------------------------------

const COLUMNS: readonly TransitionCause[] = [
  C.USER,
  C.EXECUTIVE,
  C.AUDITOR_SIGN_OFF,
  C.AUDITOR_REJECTION,
  C.REOPEN,
  C.SYSTEM_STALENESS,
  C.SYSTEM_FRESH_EVIDENCE,
];

type Grid = Record<CountermeasureStatus, string>;

interface Scenario {
  status: CountermeasureStatus;
  resumeStatus: CountermeasureStatus | null;
  /** OPERATING/DEGRADED exist only for ongoing measures; the one-off variant is tested as invalid input. */
  ongoingOnly: boolean;
  grid: Grid;
}

const NONE = '--  --  --  --  --  --  --';

const SCENARIOS: readonly Scenario[] = [
  {
    status: S.PLANNED,
    resumeStatus: null,
    ongoingOnly: false,
    grid: {
      PLANNED: /*           */ NONE,
      IN_PROGRESS: /*       */ 'ok  NA  NA  NA  NA  NA  NA',
      BLOCKED: /*           */ 'ok  NA  NA  NA  NA  NA  NA',
      IMPLEMENTED: /*       */ NONE,
      CHANGES_REQUESTED: /* */ NONE,
      VERIFIED: /*          */ NONE,
      OPERATING: /*         */ NONE,
      DEGRADED: /*          */ NONE,
      REOPENED: /*          */ NONE,
      CANCELLED: /*         */ 'NA  ok  NA  NA  NA  NA  NA',
    },
  },
  {
    status: S.IN_PROGRESS,
    resumeStatus: null,
    ongoingOnly: false,
    grid: {
      PLANNED: /*           */ NONE,
      IN_PROGRESS: /*       */ NONE,
      BLOCKED: /*           */ 'ok  NA  NA  NA  NA  NA  NA',
      IMPLEMENTED: /*       */ 'ok  NA  NA  NA  NA  NA  NA',
      CHANGES_REQUESTED: /* */ NONE,
      VERIFIED: /*          */ NONE,
      OPERATING: /*         */ NONE,
      DEGRADED: /*          */ NONE,
      REOPENED: /*          */ NONE,
      CANCELLED: /*         */ 'NA  ok  NA  NA  NA  NA  NA',
    },
  },
  {
    status: S.IMPLEMENTED,
    resumeStatus: null,
    ongoingOnly: false,
    grid: {
      PLANNED: /*           */ NONE,
      IN_PROGRESS: /*       */ 'ok  NA  NA  NA  NA  NA  NA',
      BLOCKED: /*           */ 'ok  NA  NA  NA  NA  NA  NA',
      IMPLEMENTED: /*       */ NONE,
      CHANGES_REQUESTED: /* */ 'NA  NA  NA  ok  NA  NA  NA',
      VERIFIED: /*          */ 'SO  SO  ok  SO  SO  SO  SO',
      OPERATING: /*         */ NONE,
      DEGRADED: /*          */ NONE,
      REOPENED: /*          */ NONE,
      CANCELLED: /*         */ 'NA  ok  NA  NA  NA  NA  NA',
    },
  },
  {
    status: S.CHANGES_REQUESTED,
    resumeStatus: null,
    ongoingOnly: false,
    grid: {
      PLANNED: /*           */ NONE,
      IN_PROGRESS: /*       */ 'ok  NA  NA  NA  NA  NA  NA',
      BLOCKED: /*           */ 'ok  NA  NA  NA  NA  NA  NA',
      IMPLEMENTED: /*       */ NONE,
      CHANGES_REQUESTED: /* */ NONE,
      VERIFIED: /*          */ NONE,
      OPERATING: /*         */ NONE,
      DEGRADED: /*          */ NONE,
      REOPENED: /*          */ NONE,
      CANCELLED: /*         */ 'NA  ok  NA  NA  NA  NA  NA',
    },
  },
  {
    status: S.VERIFIED,
    resumeStatus: null,
    ongoingOnly: false,
    grid: {
      PLANNED: /*           */ NONE,
      IN_PROGRESS: /*       */ NONE,
      BLOCKED: /*           */ NONE,
      IMPLEMENTED: /*       */ NONE,
      CHANGES_REQUESTED: /* */ NONE,
      VERIFIED: /*          */ NONE,
      OPERATING: /*         */ 'ok|--  NA|--  NA|--  NA|--  NA|--  NA|--  NA|--',
      DEGRADED: /*          */ NONE,
      REOPENED: /*          */ 'NA  NA  NA  NA  ok  NA  NA',
      CANCELLED: /*         */ 'NA|--  ok|--  NA|--  NA|--  NA|--  NA|--  NA|--',
    },
  },
  {
    status: S.OPERATING,
    resumeStatus: null,
    ongoingOnly: true,
    grid: {
      PLANNED: /*           */ NONE,
      IN_PROGRESS: /*       */ NONE,
      BLOCKED: /*           */ NONE,
      IMPLEMENTED: /*       */ NONE,
      CHANGES_REQUESTED: /* */ NONE,
      VERIFIED: /*          */ NONE,
      OPERATING: /*         */ NONE,
      DEGRADED: /*          */ 'NA  NA  NA  NA  NA  ok  NA',
      REOPENED: /*          */ 'NA  NA  NA  NA  ok  NA  NA',
      CANCELLED: /*         */ 'NA  ok  NA  NA  NA  NA  NA',
    },
  },
  {
    status: S.DEGRADED,
    resumeStatus: null,
    ongoingOnly: true,
    grid: {
      PLANNED: /*           */ NONE,
      IN_PROGRESS: /*       */ NONE,
      BLOCKED: /*           */ 'ok  NA  NA  NA  NA  NA  NA',
      IMPLEMENTED: /*       */ NONE,
      CHANGES_REQUESTED: /* */ NONE,
      VERIFIED: /*          */ NONE,
      OPERATING: /*         */ 'NA  NA  NA  NA  NA  NA  ok',
      DEGRADED: /*          */ NONE,
      REOPENED: /*          */ 'NA  NA  NA  NA  ok  NA  NA',
      CANCELLED: /*         */ 'NA  ok  NA  NA  NA  NA  NA',
    },
  },
  {
    status: S.REOPENED,
    resumeStatus: null,
    ongoingOnly: false,
    grid: {
      PLANNED: /*           */ NONE,
      IN_PROGRESS: /*       */ 'ok  NA  NA  NA  NA  NA  NA',
      BLOCKED: /*           */ 'ok  NA  NA  NA  NA  NA  NA',
      IMPLEMENTED: /*       */ NONE,
      CHANGES_REQUESTED: /* */ NONE,
      VERIFIED: /*          */ NONE,
      OPERATING: /*         */ NONE,
      DEGRADED: /*          */ NONE,
      REOPENED: /*          */ NONE,
      CANCELLED: /*         */ 'NA  ok  NA  NA  NA  NA  NA',
    },
  },
  {
    status: S.CANCELLED,
    resumeStatus: null,
    ongoingOnly: false,
    grid: {
      PLANNED: /*           */ NONE,
      IN_PROGRESS: /*       */ NONE,
      BLOCKED: /*           */ NONE,
      IMPLEMENTED: /*       */ NONE,
      CHANGES_REQUESTED: /* */ NONE,
      VERIFIED: /*          */ NONE,
      OPERATING: /*         */ NONE,
      DEGRADED: /*          */ NONE,
      REOPENED: /*          */ NONE,
      CANCELLED: /*         */ NONE,
    },
  },
  {
    status: S.BLOCKED,
    resumeStatus: S.PLANNED,
    ongoingOnly: false,
    grid: {
      PLANNED: /*           */ 'ok  NA  NA  NA  NA  NA  NA',
      IN_PROGRESS: /*       */ NONE,
      BLOCKED: /*           */ NONE,
      IMPLEMENTED: /*       */ NONE,
      CHANGES_REQUESTED: /* */ NONE,
      VERIFIED: /*          */ NONE,
      OPERATING: /*         */ NONE,
      DEGRADED: /*          */ NONE,
      REOPENED: /*          */ NONE,
      CANCELLED: /*         */ 'NA  ok  NA  NA  NA  NA  NA',
    },
  },
  {
    status: S.BLOCKED,
    resumeStatus: S.IN_PROGRESS,
    ongoingOnly: false,
    grid: {
      PLANNED: /*           */ NONE,
      IN_PROGRESS: /*       */ 'ok  NA  NA  NA  NA  NA  NA',
      BLOCKED: /*           */ NONE,
      IMPLEMENTED: /*       */ NONE,
      CHANGES_REQUESTED: /* */ NONE,
      VERIFIED: /*          */ NONE,
      OPERATING: /*         */ NONE,
      DEGRADED: /*          */ NONE,
      REOPENED: /*          */ NONE,
      CANCELLED: /*         */ 'NA  ok  NA  NA  NA  NA  NA',
    },
  },
  {
    status: S.BLOCKED,
    resumeStatus: S.IMPLEMENTED,
    ongoingOnly: false,
    grid: {
      PLANNED: /*           */ NONE,
      IN_PROGRESS: /*       */ NONE,
      BLOCKED: /*           */ NONE,
      IMPLEMENTED: /*       */ 'ok  NA  NA  NA  NA  NA  NA',
      CHANGES_REQUESTED: /* */ NONE,
      VERIFIED: /*          */ NONE,
      OPERATING: /*         */ NONE,
      DEGRADED: /*          */ NONE,
      REOPENED: /*          */ NONE,
      CANCELLED: /*         */ 'NA  ok  NA  NA  NA  NA  NA',
    },
  },
  {
    status: S.BLOCKED,
    resumeStatus: S.CHANGES_REQUESTED,
    ongoingOnly: false,
    grid: {
      PLANNED: /*           */ NONE,
      IN_PROGRESS: /*       */ NONE,
      BLOCKED: /*           */ NONE,
      IMPLEMENTED: /*       */ NONE,
      CHANGES_REQUESTED: /* */ 'ok  NA  NA  NA  NA  NA  NA',
      VERIFIED: /*          */ NONE,
      OPERATING: /*         */ NONE,
      DEGRADED: /*          */ NONE,
      REOPENED: /*          */ NONE,
      CANCELLED: /*         */ 'NA  ok  NA  NA  NA  NA  NA',
    },
  },
  {
    status: S.BLOCKED,
    resumeStatus: S.REOPENED,
    ongoingOnly: false,
    grid: {
      PLANNED: /*           */ NONE,
      IN_PROGRESS: /*       */ NONE,
      BLOCKED: /*           */ NONE,
      IMPLEMENTED: /*       */ NONE,
      CHANGES_REQUESTED: /* */ NONE,
      VERIFIED: /*          */ NONE,
      OPERATING: /*         */ NONE,
      DEGRADED: /*          */ NONE,
      REOPENED: /*          */ 'ok  NA  NA  NA  NA  NA  NA',
      CANCELLED: /*         */ 'NA  ok  NA  NA  NA  NA  NA',
    },
  },
  {
    status: S.BLOCKED,
    resumeStatus: S.DEGRADED,
    ongoingOnly: true,
    grid: {
      PLANNED: /*           */ NONE,
      IN_PROGRESS: /*       */ NONE,
      BLOCKED: /*           */ NONE,
      IMPLEMENTED: /*       */ NONE,
      CHANGES_REQUESTED: /* */ NONE,
      VERIFIED: /*          */ NONE,
      OPERATING: /*         */ NONE,
      DEGRADED: /*          */ 'ok  NA  NA  NA  NA  NA  NA',
      REOPENED: /*          */ NONE,
      CANCELLED: /*         */ 'NA  ok  NA  NA  NA  NA  NA',
    },
  },
];

type Token = 'ok' | '--' | 'NA' | 'SO';

const TOKEN_CODE: Record<Exclude<Token, 'ok'>, CountermeasureErrorCode> = {
  '--': CountermeasureErrorCode.INVALID_TRANSITION,
  NA: CountermeasureErrorCode.NOT_ALLOWED,
  SO: CountermeasureErrorCode.SIGN_OFF_REQUIRED,
};

function parseToken(raw: string): Token {
  if (raw === 'ok' || raw === '--' || raw === 'NA' || raw === 'SO') return raw;
  throw new Error(`bad cell ${raw} in the expected table`);
}

/** The expected cell for (scenario, target, cause, ongoing). */
function expectedCell(scenario: Scenario, target: CountermeasureStatus, cause: TransitionCause, ongoing: boolean): Token {
  const cells = scenario.grid[target].trim().split(/\s+/);
  if (cells.length !== COLUMNS.length) throw new Error(`row ${scenario.status}/${target} has ${cells.length} cells`);
  const cell = cells[COLUMNS.indexOf(cause)] as string;
  const [forOngoing, forOneOff = forOngoing] = cell.split('|') as [string, string?];
  return parseToken(ongoing ? forOngoing : forOneOff);
}

/** From the table: the targets `cause` may reach from this state. */
function expectedAllowed(scenario: Scenario, cause: TransitionCause, ongoing: boolean): CountermeasureStatus[] {
  return ALL_COUNTERMEASURE_STATUSES.filter((t) => expectedCell(scenario, t, cause, ongoing) === 'ok');
}

/** From the table: the causes that may make this move. */
function expectedPermittedCauses(scenario: Scenario, target: CountermeasureStatus, ongoing: boolean): TransitionCause[] {
  return COLUMNS.filter((c) => expectedCell(scenario, target, c, ongoing) === 'ok');
}

function label(scenario: Scenario): string {
  return scenario.resumeStatus === null ? scenario.status : `${scenario.status}<${scenario.resumeStatus}>`;
}

function ongoingVariants(scenario: Scenario): boolean[] {
  return scenario.ongoingOnly ? [true] : [true, false];
}

interface Case {
  name: string;
  scenario: Scenario;
  target: CountermeasureStatus;
  cause: TransitionCause;
  ongoing: boolean;
  expected: Token;
}

const CASES: Case[] = SCENARIOS.flatMap((scenario) =>
  ongoingVariants(scenario).flatMap((ongoing) =>
    ALL_COUNTERMEASURE_STATUSES.flatMap((target) =>
      ALL_TRANSITION_CAUSES.map((cause) => {
        const expected = expectedCell(scenario, target, cause, ongoing);
        return {
          name: `${label(scenario)} → ${target} by ${cause} (${ongoing ? 'ongoing' : 'one-off'}): ${expected}`,
          scenario,
          target,
          cause,
          ongoing,
          expected,
        };
      }),
    ),
  ),
);

function caseInput(c: Case, overrides: Partial<TransitionInput> = {}): TransitionInput {
  return {
    current: c.scenario.status,
    resumeStatus: c.scenario.resumeStatus,
    target: c.target,
    cause: c.cause,
    reason: 'a reason',
    facts: { ongoing: c.ongoing, ...FULL_EVIDENCE },
    ...overrides,
  };
}

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
          input({ current: S.IN_PROGRESS, target: S.IMPLEMENTED, cause: C.USER, facts: { ongoing: false, requirementsTotal: 1, requirementsWithEvidence: 0 } }),
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

const REASON_TARGETS_BY_HAND: readonly CountermeasureStatus[] = [S.BLOCKED, S.CHANGES_REQUESTED, S.REOPENED, S.CANCELLED];
const EVIDENCE_TARGETS_BY_HAND: readonly CountermeasureStatus[] = [S.IMPLEMENTED, S.VERIFIED];
const ALLOWED_CASES = CASES.filter((c) => c.expected === 'ok');

describe('reasons', () => {
  it('the table has allowed moves into every reason-requiring target', () => {
    for (const target of REASON_TARGETS_BY_HAND) {
      expect(ALLOWED_CASES.some((c) => c.target === target)).toBe(true);
    }
  });

  /** By hand: the targets above need a reason, except when unblocking back to them. */
  const reasonExpected = (from: CountermeasureStatus, to: CountermeasureStatus) => REASON_TARGETS_BY_HAND.includes(to) && from !== S.BLOCKED;

  it.each(ALL_COUNTERMEASURE_STATUSES)('reasonRequired(*, %s) matches the hand rule for every source status', (to) => {
    for (const from of ALL_COUNTERMEASURE_STATUSES) {
      expect(reasonRequired(from, to)).toBe(reasonExpected(from, to));
    }
  });

  it('unblocking back to REOPENED or CHANGES_REQUESTED needs no new reason', () => {
    for (const resumeStatus of [S.REOPENED, S.CHANGES_REQUESTED]) {
      expect(decideTransition(input({ current: S.BLOCKED, resumeStatus, target: resumeStatus, cause: C.USER })).reason).toBeNull();
    }
  });

  const blanks: readonly (string | null)[] = [null, '', '   ', '\n\t '];
  const reasonCases = ALLOWED_CASES.flatMap((c) => blanks.map((reason) => ({ ...c, reason, name: `${c.name}, reason ${JSON.stringify(reason)}` })));

  it.each(reasonCases)('$name', (c) => {
    const run = () => decideTransition(caseInput(c, { reason: c.reason }));
    if (reasonExpected(c.scenario.status, c.target)) {
      const error = errorOf(run);
      expect(error.code).toBe(CountermeasureErrorCode.REASON_REQUIRED);
      expect(error.details).toEqual({ from: c.scenario.status, to: c.target, cause: c.cause });
    } else {
      expect(run().reason).toBeNull();
    }
  });

  it('trims the reason it keeps', () => {
    const decision = decideTransition(
      input({ current: S.IN_PROGRESS, target: S.BLOCKED, cause: C.USER, reason: '  waiting for the vendor \n' }),
    );
    expect(decision.reason).toBe('waiting for the vendor');
  });

  it('keeps an optional reason, trimmed, on moves that do not require one', () => {
    expect(decideTransition(input({ current: S.PLANNED, target: S.IN_PROGRESS, cause: C.USER, reason: ' kick-off ' })).reason).toBe(
      'kick-off',
    );
  });

  it('checks the move before the reason: a plain edit cancelling without a reason is NOT_ALLOWED, not REASON_REQUIRED', () => {
    expect(errorOf(() => decideTransition(input({ current: S.PLANNED, target: S.CANCELLED, cause: C.USER }))).code).toBe(
      CountermeasureErrorCode.NOT_ALLOWED,
    );
    expect(errorOf(() => decideTransition(input({ current: S.CANCELLED, target: S.BLOCKED, cause: C.USER }))).code).toBe(
      CountermeasureErrorCode.INVALID_TRANSITION,
    );
  });

  it('an auditor’s rejection needs the auditor’s comment', () => {
    const run = (reason: string | null) =>
      decideTransition(input({ current: S.IMPLEMENTED, target: S.CHANGES_REQUESTED, cause: C.AUDITOR_REJECTION, reason }));
    expect(errorOf(() => run(' ')).code).toBe(CountermeasureErrorCode.REASON_REQUIRED);
    expect(run('Access log export for DB-3 is missing').reason).toBe('Access log export for DB-3 is missing');
  });
});

describe('the evidence rule', () => {
  it('the table has allowed moves into IMPLEMENTED both from IN_PROGRESS and from BLOCKED, and into VERIFIED', () => {
    const into = (t: CountermeasureStatus) => ALLOWED_CASES.filter((c) => c.target === t).map((c) => label(c.scenario));
    expect(new Set(into(S.IMPLEMENTED))).toEqual(new Set(['IN_PROGRESS', 'BLOCKED<IMPLEMENTED>']));
    expect(new Set(into(S.VERIFIED))).toEqual(new Set(['IMPLEMENTED']));
  });

  const partial: WorkflowFacts[] = [
    { ongoing: false, requirementsTotal: 1, requirementsWithEvidence: 0 },
    { ongoing: false, requirementsTotal: 3, requirementsWithEvidence: 2 },
  ];
  const evidenceCases = ALLOWED_CASES.flatMap((c) =>
    partial.map((f) => ({
      ...c,
      facts: { ...f, ongoing: c.ongoing },
      name: `${c.name}, evidence ${f.requirementsWithEvidence}/${f.requirementsTotal}`,
    })),
  );

  it.each(evidenceCases)('missing evidence: $name', (c) => {
    const run = () => decideTransition(caseInput(c, { facts: c.facts }));
    if (EVIDENCE_TARGETS_BY_HAND.includes(c.target)) {
      const error = errorOf(run);
      expect(error.code).toBe(CountermeasureErrorCode.EVIDENCE_MISSING);
      expect(error.details).toEqual({
        from: c.scenario.status,
        to: c.target,
        cause: c.cause,
        requirementsTotal: c.facts.requirementsTotal,
        requirementsWithEvidence: c.facts.requirementsWithEvidence,
        missing: c.facts.requirementsTotal - c.facts.requirementsWithEvidence,
      });
    } else {
      expect(run().to).toBe(c.target);
    }
  });

  it.each(ALLOWED_CASES)('no requirements at all: $name', (c) => {
    const run = () => decideTransition(caseInput(c, { facts: { ongoing: c.ongoing, requirementsTotal: 0, requirementsWithEvidence: 0 } }));
    if (EVIDENCE_TARGETS_BY_HAND.includes(c.target)) {
      expect(errorOf(run).code).toBe(CountermeasureErrorCode.NO_REQUIREMENTS);
    } else {
      expect(run().to).toBe(c.target);
    }
  });

  it('says how many requirements still lack evidence', () => {
    const error = errorOf(() =>
      decideTransition(
        input({ current: S.IN_PROGRESS, target: S.IMPLEMENTED, cause: C.USER, facts: { ongoing: false, requirementsTotal: 5, requirementsWithEvidence: 3 } }),
      ),
    );
    expect(error.message).toContain('2 of 5 still have none');
  });

  it('allows IMPLEMENTED once every requirement has evidence', () => {
    expect(
      decideTransition(
        input({ current: S.IN_PROGRESS, target: S.IMPLEMENTED, cause: C.USER, facts: { ongoing: false, requirementsTotal: 4, requirementsWithEvidence: 4 } }),
      ),
    ).toEqual({ from: S.IN_PROGRESS, to: S.IMPLEMENTED, cause: C.USER, reason: null, resumeStatus: null });
  });
});

describe('BLOCKED and resuming', () => {
  it('can be entered from exactly the open statuses other than BLOCKED', () => {
    expect(BLOCKABLE_STATUSES).toEqual([S.PLANNED, S.IN_PROGRESS, S.IMPLEMENTED, S.CHANGES_REQUESTED, S.DEGRADED, S.REOPENED]);
  });

  it.each(BLOCKABLE_STATUSES)('%s → BLOCKED stores it as the resume status, and unblocking goes back to it', (from) => {
    const facts = { ongoing: true, ...FULL_EVIDENCE };
    const block = decideTransition({ current: from, resumeStatus: null, target: S.BLOCKED, cause: C.USER, reason: 'vendor late', facts });
    expect(block).toEqual({ from, to: S.BLOCKED, cause: C.USER, reason: 'vendor late', resumeStatus: from });

    expect(allowedTransitions(S.BLOCKED, block.resumeStatus, C.USER, facts)).toEqual([from]);
    const unblock = decideTransition({ current: S.BLOCKED, resumeStatus: block.resumeStatus, target: from, cause: C.USER, reason: null, facts });
    expect(unblock).toEqual({ from: S.BLOCKED, to: from, cause: C.USER, reason: null, resumeStatus: null });
  });

  it('leaves BLOCKED only for the resume status, whatever the user asks for', () => {
    for (const target of ALL_COUNTERMEASURE_STATUSES.filter((t) => t !== S.IN_PROGRESS && t !== S.CANCELLED)) {
      const error = errorOf(() =>
        decideTransition(input({ current: S.BLOCKED, resumeStatus: S.IN_PROGRESS, target, cause: C.USER, reason: 'r' })),
      );
      expect(error.code).toBe(CountermeasureErrorCode.INVALID_TRANSITION);
      expect(error.details['allowed']).toEqual([S.IN_PROGRESS]);
    }
  });

  it('a cancelled blocked item keeps no resume status', () => {
    expect(
      decideTransition(input({ current: S.BLOCKED, resumeStatus: S.PLANNED, target: S.CANCELLED, cause: C.EXECUTIVE, reason: 'dropped' })),
    ).toEqual({ from: S.BLOCKED, to: S.CANCELLED, cause: C.EXECUTIVE, reason: 'dropped', resumeStatus: null });
  });

  it('resuming to IMPLEMENTED re-checks the evidence (a requirement may have been added while blocked)', () => {
    const resume = (requirementsWithEvidence: number) =>
      decideTransition(
        input({
          current: S.BLOCKED,
          resumeStatus: S.IMPLEMENTED,
          target: S.IMPLEMENTED,
          cause: C.USER,
          facts: { ongoing: false, requirementsTotal: 3, requirementsWithEvidence },
        }),
      );
    expect(errorOf(() => resume(2)).code).toBe(CountermeasureErrorCode.EVIDENCE_MISSING);
    expect(resume(3).to).toBe(S.IMPLEMENTED);
  });

  it('no sign-off, rejection or system move while blocked', () => {
    const blockedImplemented = { current: S.BLOCKED, resumeStatus: S.IMPLEMENTED } as const;
    expect(errorOf(() => decideTransition(input({ ...blockedImplemented, target: S.VERIFIED, cause: C.AUDITOR_SIGN_OFF }))).code).toBe(
      CountermeasureErrorCode.INVALID_TRANSITION,
    );
    expect(
      errorOf(() => decideTransition(input({ ...blockedImplemented, target: S.CHANGES_REQUESTED, cause: C.AUDITOR_REJECTION, reason: 'r' })))
        .code,
    ).toBe(CountermeasureErrorCode.INVALID_TRANSITION);
    expect(
      errorOf(() =>
        decideTransition(
          input({ current: S.BLOCKED, resumeStatus: S.DEGRADED, target: S.OPERATING, cause: C.SYSTEM_FRESH_EVIDENCE, facts: { ongoing: true, ...FULL_EVIDENCE } }),
        ),
      ).code,
    ).toBe(CountermeasureErrorCode.INVALID_TRANSITION);
  });
});

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
    expect(
      errorOf(() => freshnessMove({ status: S.OPERATING, ongoing: true, latestAcceptedEvidenceAt: null, periodMs, now })).code,
    ).toBe(CountermeasureErrorCode.INVALID_WORKFLOW_INPUT);
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
      decideTransition(input({ current: S.OPERATING, target: S.DEGRADED, cause: C.SYSTEM_STALENESS, facts: { ongoing: true, ...FULL_EVIDENCE } })),
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
      decideTransition(input({ current: S.BLOCKED, resumeStatus, target: S.CANCELLED, cause: C.EXECUTIVE, reason: 'r', facts: { ongoing: true, ...FULL_EVIDENCE } })),
    );
    expect(error.code).toBe(CountermeasureErrorCode.INVALID_WORKFLOW_INPUT);
  });

  it.each(ALL_COUNTERMEASURE_STATUSES.filter((s) => s !== S.BLOCKED))('a resume status on a %s item', (current) => {
    const error = errorOf(() =>
      decideTransition(input({ current, resumeStatus: S.PLANNED, target: S.CANCELLED, cause: C.EXECUTIVE, reason: 'r', facts: { ongoing: true, ...FULL_EVIDENCE } })),
    );
    expect(error.code).toBe(CountermeasureErrorCode.INVALID_WORKFLOW_INPUT);
  });

  it('an unknown current status or cause', () => {
    expect(errorOf(() => decideTransition(input({ current: 'DONE' as CountermeasureStatus, target: S.CANCELLED, cause: C.EXECUTIVE }))).code).toBe(
      CountermeasureErrorCode.INVALID_WORKFLOW_INPUT,
    );
    expect(errorOf(() => decideTransition(input({ current: S.PLANNED, target: S.IN_PROGRESS, cause: 'ADMIN' as TransitionCause }))).code).toBe(
      CountermeasureErrorCode.INVALID_WORKFLOW_INPUT,
    );
  });

  it.each([
    [-1, 0],
    [0, -1],
    [2, 3],
    [1.5, 1],
    [2, Number.NaN],
  ])('impossible evidence counts: total %s, with evidence %s', (requirementsTotal, requirementsWithEvidence) => {
    const error = errorOf(() =>
      decideTransition(input({ current: S.PLANNED, target: S.IN_PROGRESS, cause: C.USER, facts: { ongoing: false, requirementsTotal, requirementsWithEvidence } })),
    );
    expect(error.code).toBe(CountermeasureErrorCode.INVALID_WORKFLOW_INPUT);
  });

  it('checks the input before the move', () => {
    expect(
      errorOf(() => decideTransition(input({ current: S.PLANNED, target: S.VERIFIED, cause: C.USER, facts: { ongoing: false, requirementsTotal: 1, requirementsWithEvidence: 2 } })))
        .code,
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
    const moves = ALL_TRANSITION_CAUSES.flatMap((cause) => allowedTransitions(S.VERIFIED, null, cause, { ongoing: false }).map((to) => `${cause}:${to}`));
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
