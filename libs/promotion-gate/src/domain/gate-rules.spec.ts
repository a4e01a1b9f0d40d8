import { describe, expect, it } from 'vitest';
import {
  authorizationRefusal,
  dayInJapan,
  deriveGateState,
  evaluateGate,
  gateAsOf,
  GATE_STATES,
  isVerifiedForGate,
  lapsesAfter,
  pendingDateRules,
  type Blocker,
  type DateRule,
  type GateFacts,
  type RequiredCountermeasureFacts,
} from './gate-rules';

const rule = (at: string, itemKey = 'F-001'): DateRule => ({
  at,
  code: 'FINDING_RISK_ACCEPTANCE_EXPIRED',
  severity: 'HIGH',
  lastDay: '2026-10-01',
  kind: 'OPEN_FINDING',
  itemId: '00000000-0000-4000-8000-000000000001',
  itemKey,
  itemTitle: '委託先アカウントが残存',
  ownerId: null,
  ownerName: null,
  message: `Audit finding ${itemKey} (HIGH) "委託先アカウントが残存" is open again: its risk acceptance held through 2026-10-01 (Asia/Tokyo) and has expired. Resolve it, or an executive accepts the risk again.`,
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
    const stored = {
      state: 'OPEN' as const,
      blockers: [],
      dateRules: [rule('2026-10-01T15:00:00.000Z')],
      updatedAt: new Date('2026-09-20T00:00:00Z'),
    };
    expect(gateAsOf(stored, new Date('2026-10-01T14:59:59.999Z'))).toMatchObject({ state: 'OPEN', blockers: [], lapsed: [] });
    const after = gateAsOf(stored, new Date('2026-10-01T15:00:00.000Z'));
    expect(after.state).toBe('SUSPENDED');
    expect(after.blockers.map((b) => [b.kind, b.itemKey])).toEqual([['OPEN_FINDING', 'F-001']]);
    expect(after.blockers[0]).not.toHaveProperty('at');
    expect(after.since.toISOString()).toBe('2026-10-01T15:00:00.000Z');
  });

  it('a re-evaluation counts a lapsed rule as a blocker and keeps only the pending ones, earliest first', () => {
    const f = facts({
      dateRules: [
        rule('2026-11-01T15:00:00.000Z', 'F-002'),
        rule('2026-09-30T15:00:00.000Z', 'F-001'),
        rule('2026-10-15T15:00:00.000Z', 'F-003'),
      ],
    });
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

const required = (key: string, status: string, over: Partial<RequiredCountermeasureFacts> = {}): RequiredCountermeasureFacts => ({
  id: `id-${key}`,
  key,
  title: `対策 ${key}`,
  status,
  ownerId: `owner-${key}`,
  ownerName: '山田 花子',
  resumeStatus: null,
  ...over,
});

const ALL_STATUSES = [
  'PLANNED',
  'IN_PROGRESS',
  'IMPLEMENTED',
  'CHANGES_REQUESTED',
  'VERIFIED',
  'OPERATING',
  'DEGRADED',
  'REOPENED',
  'BLOCKED',
  'CANCELLED',
];

describe('rule 1: every required countermeasure is verified', () => {
  it('counts VERIFIED and OPERATING as verified, and no other status (DEGRADED and CANCELLED block)', () => {
    expect(ALL_STATUSES.filter(isVerifiedForGate)).toEqual(['VERIFIED', 'OPERATING']);
  });

  it('blocks once per required countermeasure that is not verified, ordered by key, naming the item and its owner', () => {
    const blockers = evaluateGate(
      facts({
        required: [
          required('CM-010', 'IN_PROGRESS'),
          required('CM-002', 'VERIFIED'),
          required('CM-003', 'DEGRADED'),
          required('CM-001', 'OPERATING'),
        ],
      }),
    );
    expect(blockers.map((b) => [b.kind, b.itemKey, b.itemId, b.ownerId, b.ownerName])).toEqual([
      ['COUNTERMEASURE_NOT_VERIFIED', 'CM-003', 'id-CM-003', 'owner-CM-003', '山田 花子'],
      ['COUNTERMEASURE_NOT_VERIFIED', 'CM-010', 'id-CM-010', 'owner-CM-010', '山田 花子'],
    ]);
    expect(blockers[0]!.message).toContain('CM-003');
    expect(blockers[0]!.message).toContain('山田 花子');
  });

  it('says where a blocked item returns to, and names no owner when it has none', () => {
    const [b] = evaluateGate(facts({ required: [required('CM-004', 'BLOCKED', { resumeStatus: 'IN_PROGRESS', ownerName: null })] }));
    expect(b!.message).toContain('IN_PROGRESS');
    expect(b!.message).not.toContain('owner');
  });

  it('a required countermeasure of any other status blocks, CANCELLED included', () => {
    for (const status of ALL_STATUSES.filter((s) => !isVerifiedForGate(s))) {
      expect(
        evaluateGate(facts({ required: [required('CM-001', status)] })).map((b) => b.kind),
        status,
      ).toEqual(['COUNTERMEASURE_NOT_VERIFIED']);
    }
  });
});

describe('rules 2 and 3: a standing audit clearance, no open CRITICAL/HIGH finding', () => {
  it('blocks without a standing clearance, whether or not an engagement exists', () => {
    for (const auditStatus of [null, 'FIELDWORK']) {
      const blockers = evaluateGate(facts({ clearance: null, auditStatus }));
      expect(blockers.map((b) => [b.kind, b.itemId])).toEqual([['NO_AUDIT_CLEARANCE', null]]);
      if (auditStatus) expect(blockers[0]!.message).toContain(auditStatus);
    }
  });

  it('blocks once per open blocking finding, ordered by key, naming the countermeasure it concerns', () => {
    const finding = (key: string, countermeasureKey: string | null) => ({
      id: `id-${key}`,
      key,
      title: `指摘 ${key}`,
      severity: 'HIGH',
      countermeasureKey,
    });
    const blockers = evaluateGate(facts({ openBlockingFindings: [finding('F-002', null), finding('F-001', 'CM-007')] }));
    expect(blockers.map((b) => [b.kind, b.itemKey, b.itemId])).toEqual([
      ['OPEN_FINDING', 'F-001', 'id-F-001'],
      ['OPEN_FINDING', 'F-002', 'id-F-002'],
    ]);
    expect(blockers[0]!.message).toContain('CM-007');
  });

  it('lists the blockers in one stable order: hold, countermeasures, clearance, findings, lapsed date rules', () => {
    const blockers = evaluateGate(
      facts({
        hold: { byLabel: '社長', at: new Date('2026-09-30T00:00:00Z'), reason: '報道対応中' },
        required: [required('CM-001', 'PLANNED')],
        clearance: null,
        openBlockingFindings: [{ id: 'f', key: 'F-009', title: '指摘', severity: 'CRITICAL', countermeasureKey: null }],
        dateRules: [rule('2026-09-30T15:00:00.000Z', 'F-001')],
      }),
    );
    expect(blockers.map((b) => b.kind)).toEqual([
      'MANUAL_HOLD',
      'COUNTERMEASURE_NOT_VERIFIED',
      'NO_AUDIT_CLEARANCE',
      'OPEN_FINDING',
      'OPEN_FINDING',
    ]);
    expect(blockers.map((b) => b.itemKey)).toEqual([null, 'CM-001', null, 'F-009', 'F-001']);
  });

  it('has no blocker when every rule holds', () => {
    expect(evaluateGate(facts({ required: [required('CM-001', 'VERIFIED'), required('CM-002', 'OPERATING')] }))).toEqual([]);
  });
});

describe('the state and who may open it', () => {
  const blocker: Blocker = {
    code: 'MANUAL_HOLD',
    kind: 'MANUAL_HOLD',
    itemId: null,
    itemKey: null,
    itemTitle: null,
    ownerId: null,
    ownerName: null,
    message: 'held',
  };

  it('any blocker makes the gate SUSPENDED; without one an OPEN gate stays OPEN and any other becomes ELIGIBLE (opening needs an authorization)', () => {
    expect(GATE_STATES.map((s) => deriveGateState([blocker], s))).toEqual(['SUSPENDED', 'SUSPENDED', 'SUSPENDED']);
    expect(GATE_STATES.map((s) => deriveGateState([], s))).toEqual(['ELIGIBLE', 'ELIGIBLE', 'OPEN']);
  });

  const ask = (over: Partial<Parameters<typeof authorizationRefusal>[0]> = {}) =>
    authorizationRefusal({
      state: 'ELIGIBLE',
      actorId: 'chief',
      isExecutive: true,
      chiefId: 'chief',
      namedAuthorizerIds: [],
      clearingAuditorId: 'auditor',
      ...over,
    });

  it('the task-force chief, an executive, authorizes an ELIGIBLE gate', () => {
    expect(ask()).toBeNull();
  });

  it('refuses someone who is not an executive, or not the chief, even the chief without the executive role', () => {
    expect(ask({ isExecutive: false })).toBe('NOT_AN_AUTHORIZER');
    expect(ask({ actorId: 'other-executive' })).toBe('NOT_AN_AUTHORIZER');
    expect(ask({ chiefId: null })).toBe('NOT_AN_AUTHORIZER');
  });

  it('when the gate names authorizers, only they may authorize (the chief no longer)', () => {
    expect(ask({ namedAuthorizerIds: ['ceo'], actorId: 'ceo' })).toBeNull();
    expect(ask({ namedAuthorizerIds: ['ceo'] })).toBe('NOT_AN_AUTHORIZER');
  });

  it('never the auditor whose clearance stands, even named and an executive', () => {
    expect(ask({ namedAuthorizerIds: ['auditor'], actorId: 'auditor' })).toBe('CLEARING_AUDITOR');
  });

  it('refuses an OPEN gate as ALREADY_OPEN and a SUSPENDED one as NOT_ELIGIBLE', () => {
    expect(ask({ state: 'OPEN' })).toBe('ALREADY_OPEN');
    expect(ask({ state: 'SUSPENDED' })).toBe('NOT_ELIGIBLE');
  });
});

describe('reading a stored gate', () => {
  it("keeps a SUSPENDED gate's own time as its start when a rule lapses after it", () => {
    const updatedAt = new Date('2026-09-20T00:00:00Z');
    const view = gateAsOf(
      { state: 'SUSPENDED', blockers: [], dateRules: [rule('2026-10-01T15:00:00.000Z')], updatedAt },
      new Date('2026-10-02T00:00:00Z'),
    );
    expect(view.state).toBe('SUSPENDED');
    expect(view.since).toEqual(updatedAt);
    expect(view.lapsed.map((r) => r.itemKey)).toEqual(['F-001']);
  });

  it('names days as Japan reads them', () => {
    expect(dayInJapan(new Date('2026-10-01T14:59:59.999Z'))).toBe('2026-10-01');
    expect(dayInJapan(new Date('2026-10-01T15:00:00.000Z'))).toBe('2026-10-02');
  });
});
