import { CountermeasureError, CountermeasureErrorCode } from '../domain/countermeasure.errors';
import {
  ALL_COUNTERMEASURE_STATUSES,
  ALL_TRANSITION_CAUSES,
  type CountermeasureStatus,
  type TransitionCause,
  type TransitionInput,
} from '../domain/countermeasure-workflow';
import { COLUMNS, SCENARIOS, type Scenario } from './workflow-expected-table';

/**
 * Test helpers (not exported by the lib) for the countermeasure workflow's
 * specs: inputs, and the expected table (./workflow-expected-table.ts) read
 * cell by cell and expanded into every (state, target, cause, ongoing) case.
 */

/** Runs `fn`, which must throw a CountermeasureError, and returns that error. */
export function errorOf(fn: () => unknown): CountermeasureError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CountermeasureError) return error;
    throw new Error(`expected a CountermeasureError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected a CountermeasureError, but nothing was thrown');
}

export const FULL_EVIDENCE = { requirementsTotal: 2, requirementsWithEvidence: 2 } as const;

export function input(overrides: Partial<TransitionInput> & Pick<TransitionInput, 'current' | 'target' | 'cause'>): TransitionInput {
  return {
    resumeStatus: null,
    reason: null,
    facts: { ongoing: false, ...FULL_EVIDENCE },
    ...overrides,
  };
}

export type Token = 'ok' | '--' | 'NA' | 'SO';

export const TOKEN_CODE: Record<Exclude<Token, 'ok'>, CountermeasureErrorCode> = {
  '--': CountermeasureErrorCode.INVALID_TRANSITION,
  NA: CountermeasureErrorCode.NOT_ALLOWED,
  SO: CountermeasureErrorCode.SIGN_OFF_REQUIRED,
};

function parseToken(raw: string): Token {
  if (raw === 'ok' || raw === '--' || raw === 'NA' || raw === 'SO') return raw;
  throw new Error(`bad cell ${raw} in the expected table`);
}

/** The expected cell for (scenario, target, cause, ongoing). */
export function expectedCell(scenario: Scenario, target: CountermeasureStatus, cause: TransitionCause, ongoing: boolean): Token {
  const cells = scenario.grid[target].trim().split(/\s+/);
  if (cells.length !== COLUMNS.length) throw new Error(`row ${scenario.status}/${target} has ${cells.length} cells`);
  const cell = cells[COLUMNS.indexOf(cause)] as string;
  const [forOngoing, forOneOff = forOngoing] = cell.split('|') as [string, string?];
  return parseToken(ongoing ? forOngoing : forOneOff);
}

/** From the table: the targets `cause` may reach from this state. */
export function expectedAllowed(scenario: Scenario, cause: TransitionCause, ongoing: boolean): CountermeasureStatus[] {
  return ALL_COUNTERMEASURE_STATUSES.filter((t) => expectedCell(scenario, t, cause, ongoing) === 'ok');
}

/** From the table: the causes that may make this move. */
export function expectedPermittedCauses(scenario: Scenario, target: CountermeasureStatus, ongoing: boolean): TransitionCause[] {
  return COLUMNS.filter((c) => expectedCell(scenario, target, c, ongoing) === 'ok');
}

export function label(scenario: Scenario): string {
  return scenario.resumeStatus === null ? scenario.status : `${scenario.status}<${scenario.resumeStatus}>`;
}

export function ongoingVariants(scenario: Scenario): boolean[] {
  return scenario.ongoingOnly ? [true] : [true, false];
}

export interface Case {
  name: string;
  scenario: Scenario;
  target: CountermeasureStatus;
  cause: TransitionCause;
  ongoing: boolean;
  expected: Token;
}

export const CASES: Case[] = SCENARIOS.flatMap((scenario) =>
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

export function caseInput(c: Case, overrides: Partial<TransitionInput> = {}): TransitionInput {
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
