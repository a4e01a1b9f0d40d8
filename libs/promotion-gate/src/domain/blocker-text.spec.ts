import { describe, expect, it } from 'vitest';
import { blockerToData, blockerToText } from '../../../../migrations/1795680000200-GateBlockersAsData';
import { BLOCKER_CODES, describeBlocker, withMessage, withoutMessage, type BlockerFacts } from './blocker-text';

const cm = { itemKey: 'CM-003', itemTitle: 'アクセス権限の絞り込み', ownerName: '山田 花子' };
const none = { itemKey: null, itemTitle: null, ownerName: null };

/**
 * The sentences, word for word as the gate wrote them before blockers were
 * stored as data (the API's answers must not change for users).
 */
const TODAY: [BlockerFacts, string][] = [
  [
    { code: 'MANUAL_HOLD', ...none, by: 'ceo@example.test', on: '2026-10-02', reason: '再流出の疑い' },
    'Suspended by hand by ceo@example.test on 2026-10-02: 再流出の疑い. An executive must release the hold.',
  ],
  [
    { code: 'COUNTERMEASURE_NOT_VERIFIED', ...cm, status: 'PLANNED' },
    'CM-003 アクセス権限の絞り込み is PLANNED, work has not started (owner: 山田 花子).',
  ],
  [
    { code: 'COUNTERMEASURE_NOT_VERIFIED', ...cm, ownerName: null, status: 'IMPLEMENTED' },
    'CM-003 アクセス権限の絞り込み is IMPLEMENTED, waiting for auditor sign-off.',
  ],
  [
    { code: 'COUNTERMEASURE_NOT_VERIFIED', ...cm, status: 'BLOCKED', resumeStatus: 'IN_PROGRESS' },
    'CM-003 アクセス権限の絞り込み is BLOCKED, it is blocked (from IN_PROGRESS) (owner: 山田 花子).',
  ],
  [
    { code: 'COUNTERMEASURE_NOT_VERIFIED', ...cm, status: 'DEGRADED' },
    'CM-003 アクセス権限の絞り込み is DEGRADED, its recurring evidence is stale (fresh evidence must be accepted) (owner: 山田 花子).',
  ],
  [
    { code: 'NO_AUDIT_ENGAGEMENT', ...none },
    'No external audit engagement exists yet: the security firm’s audit must be planned and cleared.',
  ],
  [
    { code: 'AUDIT_NOT_CLEARED', ...none, auditStatus: 'REPORTING' },
    'The external audit is REPORTING: its lead auditor has not cleared it (or the clearance was withdrawn).',
  ],
  [
    {
      code: 'OPEN_FINDING',
      itemKey: 'F-001',
      itemTitle: '委託先アカウントが残存',
      ownerName: null,
      severity: 'HIGH',
      countermeasureKey: 'CM-003',
    },
    'Audit finding F-001 (HIGH) "委託先アカウントが残存" is open (concerns CM-003): resolve it, or an executive accepts the risk.',
  ],
  [
    {
      code: 'FINDING_RISK_ACCEPTANCE_EXPIRED',
      itemKey: 'F-001',
      itemTitle: '委託先アカウントが残存',
      ownerName: null,
      severity: 'CRITICAL',
      lastDay: '2026-10-01',
    },
    'Audit finding F-001 (CRITICAL) "委託先アカウントが残存" is open again: its risk acceptance held through 2026-10-01 (Asia/Tokyo) and has expired. Resolve it, or an executive accepts the risk again.',
  ],
  [
    { code: 'RECURRING_EVIDENCE_MISSING', ...cm, requirement: '月次ログ確認', inAuditScope: false },
    'CM-003 アクセス権限の絞り込み: "月次ログ確認" has no accepted evidence, so its recurring evidence is stale (fresh evidence must be accepted).',
  ],
  [
    { code: 'RECURRING_EVIDENCE_STALE', ...cm, requirement: '月次ログ確認', freshThrough: '2026-11-30', inAuditScope: true },
    'CM-003 アクセス権限の絞り込み: the recurring evidence of "月次ログ確認" was fresh through 2026-11-30 (Asia/Tokyo) and is stale now (fresh evidence must be accepted). It is in the audit’s scope: the clearance no longer stands.',
  ],
  [
    { code: 'REQUIREMENT_RISK_ACCEPTANCE_EXPIRED', ...cm, requirement: '棚卸し結果', lastDay: '2026-12-31', inAuditScope: false },
    'CM-003 アクセス権限の絞り込み: the risk acceptance that covers "棚卸し結果" held through 2026-12-31 (Asia/Tokyo) and has expired; the work is open again.',
  ],
];

describe('describeBlocker', () => {
  it('says what the gate said before blockers were data, word for word', () => {
    for (const [facts, sentence] of TODAY) expect(describeBlocker(facts)).toBe(sentence);
  });

  it('has a sentence for every code (a new code without one fails here)', () => {
    const covered = new Set(TODAY.map(([f]) => f.code));
    for (const code of BLOCKER_CODES.filter((c) => c !== 'RECORDED_TEXT')) expect(covered).toContain(code);
    expect(describeBlocker({ code: 'RECORDED_TEXT', ...none, text: '以前の文' })).toBe('以前の文');
  });

  it('stores data only and reads the sentence back the same', () => {
    const [facts, sentence] = TODAY[1]!;
    const read = withMessage({ ...facts, kind: 'COUNTERMEASURE_NOT_VERIFIED' as const });
    expect(read.message).toBe(sentence);
    expect(withoutMessage(read)).not.toHaveProperty('message');
    expect(withMessage(withoutMessage(read))).toEqual(read);
  });
});

describe('the migration of stored sentences (GateBlockersAsData)', () => {
  const legacy = (facts: BlockerFacts, message: string) => ({
    kind: facts.code === 'MANUAL_HOLD' ? 'MANUAL_HOLD' : 'COUNTERMEASURE_NOT_VERIFIED',
    itemId: null,
    itemKey: facts.itemKey,
    itemTitle: facts.itemTitle,
    ownerId: null,
    ownerName: facts.ownerName,
    message,
  });

  it('reads every sentence the gate wrote back into its code and parameters, and back again (reversible)', () => {
    for (const [facts, sentence] of TODAY) {
      const before = legacy(facts, sentence);
      const data = blockerToData(before);
      expect(data.code).toBe(facts.code);
      expect(data).not.toHaveProperty('message');
      expect(describeBlocker(data as unknown as BlockerFacts)).toBe(sentence);
      expect(blockerToText(data)).toEqual(before);
    }
  });

  it('keeps a sentence it cannot read as it was (RECORDED_TEXT), and leaves data alone', () => {
    const odd = {
      kind: 'OPEN_FINDING',
      itemId: null,
      itemKey: 'F-9',
      itemTitle: 't',
      ownerId: null,
      ownerName: null,
      message: '手書きの説明',
    };
    const data = blockerToData(odd);
    expect(data).toMatchObject({ code: 'RECORDED_TEXT', text: '手書きの説明' });
    expect(blockerToText(data)).toEqual(odd);
    expect(blockerToData(data)).toBe(data);
  });
});
