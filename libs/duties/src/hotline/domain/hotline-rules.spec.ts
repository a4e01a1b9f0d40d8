import { describe, expect, it } from 'vitest';
import { Actor, type Actor as ActorT } from '@app/common';
import { DutyError } from '../../domain/duties.errors';
import { assertMayLogHotline, assertMayReadHotlineCases, type HotlineStanding } from './hotline-access';
import {
  assertExpectedVersion,
  assertIncidentId,
  assertPastOrToday,
  byKind,
  HOTLINE_KINDS,
  mergeCounts,
  sameCounts,
  validateCounts,
  validateRange,
  validateSummary,
} from './hotline-rules';

/** The coded error a rule throws (INVALID_FIELD names the field), or null when it passes. */
function refusal(fn: () => unknown): { code: string; field?: unknown } | null {
  try {
    fn();
    return null;
  } catch (err) {
    if (!(err instanceof DutyError)) throw err;
    return { code: err.code, field: err.details.field };
  }
}

describe('the hotline’s rules', () => {
  it('logs days that happened: today in Tokyo passes, tomorrow does not, nor a day that does not exist', () => {
    expect(assertPastOrToday('2026-07-09', '2026-07-09', 'day')).toBe('2026-07-09');
    expect(assertPastOrToday('2026-06-20', '2026-07-09', 'day')).toBe('2026-06-20');
    expect(refusal(() => assertPastOrToday('2026-07-10', '2026-07-09', 'day'))).toEqual({ code: 'INVALID_FIELD', field: 'day' });
    expect(refusal(() => assertPastOrToday('2026-02-30', '2026-07-09', 'occurredOn'))).toEqual({
      code: 'INVALID_FIELD',
      field: 'occurredOn',
    });
    expect(refusal(() => assertPastOrToday('2026-7-9', '2026-07-09', 'day'))).toEqual({ code: 'INVALID_FIELD', field: 'day' });
  });

  it('takes counts 0..100000, one entry per kind, at least one, kinds of the list only', () => {
    const given = validateCounts([
      { kind: 'BREACH_QUESTION', count: 1200 },
      { kind: 'STOP_CONTACT_REQUEST', count: 0 },
    ]);
    expect([...given]).toEqual([
      ['BREACH_QUESTION', 1200],
      ['STOP_CONTACT_REQUEST', 0],
    ]);
    expect(validateCounts([{ kind: 'OTHER', count: 100_000 }]).get('OTHER')).toBe(100_000);
    const bad = [
      [[], 'counts'],
      [[{ kind: 'OTHER', count: 100_001 }], 'counts[0].count'],
      [[{ kind: 'OTHER', count: -1 }], 'counts[0].count'],
      [[{ kind: 'OTHER', count: 1.5 }], 'counts[0].count'],
      [[{ kind: 'COMPLAINT', count: 1 }], 'counts[0].kind'],
      [
        [
          { kind: 'OTHER', count: 1 },
          { kind: 'OTHER', count: 2 },
        ],
        'counts[1].kind',
      ],
    ] as const;
    for (const [counts, field] of bad)
      expect(
        refusal(() => validateCounts(counts)),
        field,
      ).toEqual({ code: 'INVALID_FIELD', field });
  });

  it('records a day whole: kinds left out keep their count, or 0 on a new day; the same counts are no change', () => {
    const given = validateCounts([{ kind: 'IMPERSONATION_REPORT', count: 7 }]);
    expect(mergeCounts(null, given)).toEqual({ BREACH_QUESTION: 0, IMPERSONATION_REPORT: 7, STOP_CONTACT_REQUEST: 0, OTHER: 0 });
    const current = new Map([
      ['BREACH_QUESTION', 300],
      ['IMPERSONATION_REPORT', 5],
      ['STOP_CONTACT_REQUEST', 2],
      ['OTHER', 1],
    ]);
    const after = mergeCounts(current, given);
    expect(after).toEqual({ BREACH_QUESTION: 300, IMPERSONATION_REPORT: 7, STOP_CONTACT_REQUEST: 2, OTHER: 1 });
    expect(sameCounts(after, mergeCounts(current, validateCounts([{ kind: 'OTHER', count: 1 }])))).toBe(false);
    expect(sameCounts(mergeCounts(current, validateCounts([{ kind: 'OTHER', count: 1 }])), mergeCounts(current, new Map()))).toBe(true);
    expect(byKind(new Map([['OTHER', 4]])).map((k) => k.kind)).toEqual([...HOTLINE_KINDS]);
    expect(byKind(new Map([['OTHER', 4]])).map((k) => k.count)).toEqual([0, 0, 0, 4]);
  });

  it('takes null or a version of 1 or more as the expected version, and an incident id as a UUID', () => {
    expect(assertExpectedVersion(null)).toBeNull();
    expect(assertExpectedVersion(undefined)).toBeNull();
    expect(assertExpectedVersion(3)).toBe(3);
    expect(refusal(() => assertExpectedVersion(0))).toEqual({ code: 'INVALID_FIELD', field: 'expectedVersion' });
    expect(refusal(() => assertIncidentId('not-an-id'))).toEqual({ code: 'INVALID_FIELD', field: 'incidentId' });
  });

  it('keeps a case short: 1..500 characters counted as people count them (one kanji is one), trimmed', () => {
    expect(validateSummary('  弊社を名乗る不審な電話があったとの報告（70代の保護者）。  ')).toBe(
      '弊社を名乗る不審な電話があったとの報告（70代の保護者）。',
    );
    expect(validateSummary('漏'.repeat(500))).toHaveLength(500);
    expect(validateSummary('𠮷'.repeat(500))).toBe('𠮷'.repeat(500)); // 1000 UTF-16 units, 500 characters
    expect(refusal(() => validateSummary('漏'.repeat(501)))).toEqual({ code: 'INVALID_FIELD', field: 'summary' });
    expect(refusal(() => validateSummary('   '))).toEqual({ code: 'INVALID_FIELD', field: 'summary' });
  });

  it('answers a range of at most 366 days, from before to', () => {
    expect(validateRange('2026-07-01', '2027-07-01')).toEqual({ from: '2026-07-01', to: '2027-07-01' }); // 366 days
    expect(validateRange('2026-07-09', '2026-07-09')).toEqual({ from: '2026-07-09', to: '2026-07-09' });
    expect(refusal(() => validateRange('2026-07-01', '2027-07-02'))).toEqual({ code: 'INVALID_FIELD', field: 'to' });
    expect(refusal(() => validateRange('2026-07-10', '2026-07-09'))).toEqual({ code: 'INVALID_FIELD', field: 'to' });
    expect(refusal(() => validateRange('2026-13-01', '2026-12-01'))).toEqual({ code: 'INVALID_FIELD', field: 'from' });
  });
});

describe('who may log the hotline and read its cases', () => {
  const user = (id: string, roles: string[]): ActorT => ({ id, label: `${id}@example.test`, roles });
  const none: HotlineStanding = { chiefId: 'chief', actorIsMember: false };
  const member: HotlineStanding = { chiefId: 'chief', actorIsMember: true };
  const may = (fn: () => void) => refusal(fn) === null;
  const log = (a: ActorT, s: HotlineStanding) => may(() => assertMayLogHotline(a, s, 'log'));
  const read = (a: ActorT, s: HotlineStanding) => may(() => assertMayReadHotlineCases(a, s));

  it('lets executives log and read for every incident, and auditors read but never log', () => {
    expect([log(user('e', ['EXECUTIVE']), none), read(user('e', ['EXECUTIVE']), none)]).toEqual([true, true]);
    expect([log(user('a', ['AUDITOR']), none), read(user('a', ['AUDITOR']), none)]).toEqual([false, true]);
  });

  it('lets a task-force member of the incident log and read what they log; one without standing does neither', () => {
    expect([log(user('m', ['TASK_FORCE']), member), read(user('m', ['TASK_FORCE']), member)]).toEqual([true, true]);
    expect([log(user('x', ['TASK_FORCE']), none), read(user('x', ['TASK_FORCE']), none)]).toEqual([false, false]);
    // The chief reads the cases of the incident they answer for.
    expect(read(user('chief', ['TASK_FORCE']), { chiefId: 'chief', actorIsMember: false })).toBe(true);
  });

  it('refuses admins (no say over the hotline) and lets the system do what it is asked', () => {
    expect([log(user('ad', ['ADMIN']), member), read(user('ad', ['ADMIN']), none)]).toEqual([false, false]);
    expect([log(Actor.system('demo'), none), read(Actor.system('demo'), none)]).toEqual([true, true]);
    expect(refusal(() => assertMayReadHotlineCases(user('x', ['TASK_FORCE']), none))).toEqual({ code: 'NOT_PERMITTED', field: undefined });
  });
});
