import { describe, expect, it } from 'vitest';
import { CountermeasureErrorCode } from './countermeasure.errors';
import {
  ALL_COUNTERMEASURE_STATUSES,
  allowedTransitions,
  BLOCKABLE_STATUSES,
  CountermeasureStatus,
  decideTransition,
  reasonRequired,
  TransitionCause,
  type WorkflowFacts,
} from './countermeasure-workflow';
import { CASES, caseInput, errorOf, FULL_EVIDENCE, input, label } from '../testing/workflow-cases';

const S = CountermeasureStatus;
const C = TransitionCause;

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
  const reasonExpected = (from: CountermeasureStatus, to: CountermeasureStatus) =>
    REASON_TARGETS_BY_HAND.includes(to) && from !== S.BLOCKED;

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
  const reasonCases = ALLOWED_CASES.flatMap((c) =>
    blanks.map((reason) => ({ ...c, reason, name: `${c.name}, reason ${JSON.stringify(reason)}` })),
  );

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
        input({
          current: S.IN_PROGRESS,
          target: S.IMPLEMENTED,
          cause: C.USER,
          facts: { ongoing: false, requirementsTotal: 5, requirementsWithEvidence: 3 },
        }),
      ),
    );
    expect(error.message).toContain('2 of 5 still have none');
  });

  it('allows IMPLEMENTED once every requirement has evidence', () => {
    expect(
      decideTransition(
        input({
          current: S.IN_PROGRESS,
          target: S.IMPLEMENTED,
          cause: C.USER,
          facts: { ongoing: false, requirementsTotal: 4, requirementsWithEvidence: 4 },
        }),
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
    const unblock = decideTransition({
      current: S.BLOCKED,
      resumeStatus: block.resumeStatus,
      target: from,
      cause: C.USER,
      reason: null,
      facts,
    });
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
      errorOf(() =>
        decideTransition(input({ ...blockedImplemented, target: S.CHANGES_REQUESTED, cause: C.AUDITOR_REJECTION, reason: 'r' })),
      ).code,
    ).toBe(CountermeasureErrorCode.INVALID_TRANSITION);
    expect(
      errorOf(() =>
        decideTransition(
          input({
            current: S.BLOCKED,
            resumeStatus: S.DEGRADED,
            target: S.OPERATING,
            cause: C.SYSTEM_FRESH_EVIDENCE,
            facts: { ongoing: true, ...FULL_EVIDENCE },
          }),
        ),
      ).code,
    ).toBe(CountermeasureErrorCode.INVALID_TRANSITION);
  });
});
