import { describe, expect, it } from 'vitest';
import { AuditError } from './audit.errors';
import {
  auditScope,
  auditTeam,
  checkPeriod,
  checkRiskExpiry,
  findingKey,
  isExpired,
  MAX_SCOPE_SIZE,
  MAX_TEAM_SIZE,
  requireText,
} from './audit-fields';
import { assertIsLead, assertMayAcceptRisk, assertMayCloseFinding, assertMayRaiseFinding } from './audit-access';
import { Actor } from '@app/common';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AuditError);
    return (err as AuditError).code;
  }
  throw new Error('expected an AuditError');
}

describe('audit fields', () => {
  it('numbers findings F-001 ... F-1000', () => {
    expect([1, 42, 1000].map(findingKey)).toEqual(['F-001', 'F-042', 'F-1000']);
  });

  it('a risk expiry is a real day after today and at most 366 days ahead', () => {
    expect(checkRiskExpiry('2026-12-01', '2026-11-30')).toBe('2026-12-01');
    expect(checkRiskExpiry('2027-12-01', '2026-11-30')).toBe('2027-12-01'); // 366 days
    for (const bad of ['2026-11-30', '2026-11-01', '2027-12-02', '2026-02-30', '2026/12/01']) {
      expect(codeOf(() => checkRiskExpiry(bad, '2026-11-30'))).toBe('INVALID_FIELD');
    }
  });

  it('an acceptance holds through its last day and has expired from the next', () => {
    expect(isExpired('2026-11-30', '2026-11-30')).toBe(false);
    expect(isExpired('2026-11-29', '2026-11-30')).toBe(true);
  });

  it('refuses blank or over-long text and periods that end before they start', () => {
    expect(requireText('  所見  ', 'title', 10)).toBe('所見');
    expect(codeOf(() => requireText('　'.trim() + ' ', 'title', 10))).toBe('INVALID_FIELD');
    expect(codeOf(() => requireText('あ'.repeat(11), 'title', 10))).toBe('INVALID_FIELD');
    expect(codeOf(() => checkPeriod('2026-12-01', '2026-11-30'))).toBe('INVALID_FIELD');
    expect(checkPeriod(null, '2026-11-30')).toEqual({ startsOn: null, endsOn: '2026-11-30' });
  });
});

describe('who may act on an engagement', () => {
  const lead = { id: 'lead', label: 'lead@x', roles: ['AUDITOR'] };
  const member = { id: 'member', label: 'member@x', roles: ['AUDITOR'] };
  const other = { id: 'other', label: 'other@x', roles: ['AUDITOR'] };
  const exec = { id: 'exec', label: 'exec@x', roles: ['EXECUTIVE'] };
  const parties = { leadAuditorId: 'lead', teamIds: ['member'] };

  it('only the lead moves and clears; the lead and the team raise findings; the lead or the author closes them', () => {
    expect(() => assertIsLead(lead, parties, 'clear')).not.toThrow();
    expect(codeOf(() => assertIsLead(member, parties, 'clear'))).toBe('NOT_PERMITTED');
    expect(() => assertMayRaiseFinding(member, parties)).not.toThrow();
    expect(codeOf(() => assertMayRaiseFinding(other, parties))).toBe('NOT_PERMITTED');
    expect(() => assertMayCloseFinding(member, parties, 'member', 'resolve')).not.toThrow();
    expect(() => assertMayCloseFinding(lead, parties, 'member', 'resolve')).not.toThrow();
    expect(codeOf(() => assertMayCloseFinding(member, parties, 'lead', 'resolve'))).toBe('NOT_PERMITTED');
  });

  it('only executives (or the system sweep) accept and revoke risks', () => {
    expect(() => assertMayAcceptRisk(exec)).not.toThrow();
    expect(() => assertMayAcceptRisk(Actor.system('sweep'))).not.toThrow();
    expect(codeOf(() => assertMayAcceptRisk(lead))).toBe('NOT_PERMITTED');
  });
});

describe("an engagement's team and scope", () => {
  const ids = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

  it('the team counts each auditor once and leaves out the lead', () => {
    expect(auditTeam('lead', ['a', 'lead', 'b', 'a'])).toEqual(['a', 'b']);
    expect(auditTeam('lead', [])).toEqual([]);
  });

  it(`a team of ${MAX_TEAM_SIZE} auditors besides the lead is accepted, one more is INVALID_FIELD on teamIds`, () => {
    expect(auditTeam('lead', [...ids(MAX_TEAM_SIZE, 'u'), 'lead', 'u-0'])).toHaveLength(MAX_TEAM_SIZE);
    const err = (() => {
      try {
        auditTeam('lead', ids(MAX_TEAM_SIZE + 1, 'u'));
      } catch (e) {
        return e as AuditError;
      }
      throw new Error('expected a refusal');
    })();
    expect(err.code).toBe('INVALID_FIELD');
    expect(err.details).toEqual({ field: 'teamIds' });
  });

  it('the scope counts each countermeasure and system once', () => {
    expect(auditScope(['c1', 'c2', 'c1'], ['s1', 's1'])).toEqual({ countermeasureIds: ['c1', 'c2'], systemIds: ['s1'] });
  });

  it(`a scope of ${MAX_SCOPE_SIZE} of each is accepted; one more of either is INVALID_FIELD on scope`, () => {
    expect(auditScope([...ids(MAX_SCOPE_SIZE, 'c'), 'c-0'], ids(MAX_SCOPE_SIZE, 's')).countermeasureIds).toHaveLength(MAX_SCOPE_SIZE);
    expect(codeOf(() => auditScope(ids(MAX_SCOPE_SIZE + 1, 'c'), []))).toBe('INVALID_FIELD');
    expect(codeOf(() => auditScope([], ids(MAX_SCOPE_SIZE + 1, 's')))).toBe('INVALID_FIELD');
  });
});
