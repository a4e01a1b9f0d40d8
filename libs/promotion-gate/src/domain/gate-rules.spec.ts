import { describe, expect, it } from 'vitest';
import { evaluateGate, gateAsOf, lapsesAfter, pendingDateRules, type DateRule, type GateFacts } from './gate-rules';

const rule = (at: string, itemKey = 'F-001'): DateRule => ({
  at,
  kind: 'OPEN_FINDING',
  itemId: '00000000-0000-4000-8000-000000000001',
  itemKey,
  itemTitle: '委託先アカウントが残存',
  ownerId: null,
  ownerName: null,
  message: `Audit finding ${itemKey} is open again: its risk acceptance held through 2026-10-01 (Asia/Tokyo) and has expired.`,
});

const facts = (over: Partial<GateFacts> = {}): GateFacts => ({
  required: [],
  clearance: { id: 'c', clearedById: 'a', clearedByLabel: 'auditor', clearedAt: new Date('2026-09-01T00:00:00Z') },
  auditStatus: null,
  openBlockingFindings: [],
  hold: null,
  dateRules: [],
  now: new Date('2026-10-01T00:00:00Z'),
  ...over,
});

describe('rules with a date', () => {
  it('a rule that holds through a day in Japan lapses at the start of the next day there (15:00 UTC)', () => {
    expect(lapsesAfter('2026-10-01').toISOString()).toBe('2026-10-01T15:00:00.000Z');
    expect(lapsesAfter('2026-12-31').toISOString()).toBe('2026-12-31T15:00:00.000Z');
  });

  it('an OPEN gate read after one of its rules lapsed is SUSPENDED, with that rule as blocker; a millisecond before, it is OPEN', () => {
    const stored = { state: 'OPEN' as const, blockers: [], dateRules: [rule('2026-10-01T15:00:00.000Z')], updatedAt: new Date('2026-09-20T00:00:00Z') };
    expect(gateAsOf(stored, new Date('2026-10-01T14:59:59.999Z'))).toMatchObject({ state: 'OPEN', blockers: [], lapsed: [] });
    const after = gateAsOf(stored, new Date('2026-10-01T15:00:00.000Z'));
    expect(after.state).toBe('SUSPENDED');
    expect(after.blockers.map((b) => [b.kind, b.itemKey])).toEqual([['OPEN_FINDING', 'F-001']]);
    expect(after.blockers[0]).not.toHaveProperty('at');
    expect(after.since.toISOString()).toBe('2026-10-01T15:00:00.000Z');
  });

  it('a re-evaluation counts a lapsed rule as a blocker and keeps only the pending ones, earliest first', () => {
    const f = facts({ dateRules: [rule('2026-11-01T15:00:00.000Z', 'F-002'), rule('2026-09-30T15:00:00.000Z', 'F-001'), rule('2026-10-15T15:00:00.000Z', 'F-003')] });
    expect(evaluateGate(f).map((b) => b.itemKey)).toEqual(['F-001']);
    expect(pendingDateRules(f).map((r) => r.itemKey)).toEqual(['F-003', 'F-002']);
    expect(evaluateGate({ ...f, dateRules: pendingDateRules(f) })).toEqual([]);
  });
});

describe('the hold message', () => {
  it('gives the day in Japan: a hold at 2026-10-01T23:30Z (08:30 JST) is on 2026-10-02', () => {
    const [b] = evaluateGate(facts({ hold: { byLabel: '社長 太郎', at: new Date('2026-10-01T23:30:00Z'), reason: '報道対応中' } }));
    expect(b!.kind).toBe('MANUAL_HOLD');
    expect(b!.message).toContain('on 2026-10-02');
  });
});
