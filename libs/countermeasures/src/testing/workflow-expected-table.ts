import { CountermeasureStatus, TransitionCause } from '../domain/countermeasure-workflow';

/**
 * Test data (not exported by the lib): the countermeasure workflow's expected
 * transition table, written by hand and checked cell by cell against
 * decideTransition in domain/countermeasure-workflow.spec.ts. A declarative
 * table: one grid per state of the machine.
 */

const S = CountermeasureStatus;
const C = TransitionCause;

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

export const COLUMNS: readonly TransitionCause[] = [
  C.USER,
  C.EXECUTIVE,
  C.AUDITOR_SIGN_OFF,
  C.AUDITOR_REJECTION,
  C.REOPEN,
  C.SYSTEM_STALENESS,
  C.SYSTEM_FRESH_EVIDENCE,
];

export type Grid = Record<CountermeasureStatus, string>;

export interface Scenario {
  status: CountermeasureStatus;
  resumeStatus: CountermeasureStatus | null;
  /** OPERATING/DEGRADED exist only for ongoing measures; the one-off variant is tested as invalid input. */
  ongoingOnly: boolean;
  grid: Grid;
}

const NONE = '--  --  --  --  --  --  --';

export const SCENARIOS: readonly Scenario[] = [
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
