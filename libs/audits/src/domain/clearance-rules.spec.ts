import { describe, expect, it } from 'vitest';
import { blockerDetails, clearanceBlockers, isFindingOpen, isVerifiedForClearance, type FindingFacts } from './clearance-rules';

const TODAY = '2026-11-30';
const cm = (key: string, status: string) => ({ id: `id-${key}`, key, status });
const finding = (
  key: string,
  severity: FindingFacts['severity'],
  status: FindingFacts['status'],
  acceptanceExpiresOn: string | null = null,
): FindingFacts => ({
  id: `id-${key}`,
  key,
  severity,
  status,
  acceptanceExpiresOn,
});

describe('the clearance rule', () => {
  it('counts VERIFIED and OPERATING as verified, nothing else (DEGRADED included)', () => {
    expect(['VERIFIED', 'OPERATING'].every(isVerifiedForClearance)).toBe(true);
    for (const s of ['PLANNED', 'IN_PROGRESS', 'IMPLEMENTED', 'DEGRADED', 'REOPENED', 'BLOCKED', 'CHANGES_REQUESTED', 'CANCELLED']) {
      expect(isVerifiedForClearance(s)).toBe(false);
    }
  });

  it('a finding is open when OPEN, or ACCEPTED_RISK whose acceptance expired (last day before today) or is missing', () => {
    expect(isFindingOpen({ status: 'OPEN', acceptanceExpiresOn: null }, TODAY)).toBe(true);
    expect(isFindingOpen({ status: 'RESOLVED', acceptanceExpiresOn: null }, TODAY)).toBe(false);
    expect(isFindingOpen({ status: 'ACCEPTED_RISK', acceptanceExpiresOn: TODAY }, TODAY)).toBe(false); // holds through its last day
    expect(isFindingOpen({ status: 'ACCEPTED_RISK', acceptanceExpiresOn: '2026-11-29' }, TODAY)).toBe(true);
    expect(isFindingOpen({ status: 'ACCEPTED_RISK', acceptanceExpiresOn: null }, TODAY)).toBe(true);
  });

  it('holds with every in-scope countermeasure verified and no open CRITICAL/HIGH finding (MEDIUM/LOW do not block)', () => {
    expect(
      clearanceBlockers({
        scope: [cm('CM-001', 'VERIFIED'), cm('CM-002', 'OPERATING')],
        findings: [
          finding('F-001', 'MEDIUM', 'OPEN'),
          finding('F-002', 'HIGH', 'RESOLVED'),
          finding('F-003', 'CRITICAL', 'ACCEPTED_RISK', '2027-01-31'),
        ],
        today: TODAY,
      }),
    ).toEqual([]);
  });

  it('lists every blocker in a stable order: empty scope, countermeasures by key number, findings by key number', () => {
    const blockers = clearanceBlockers({
      scope: [cm('CM-1000', 'DEGRADED'), cm('CM-002', 'VERIFIED'), cm('CM-999', 'REOPENED')],
      findings: [
        finding('F-010', 'HIGH', 'OPEN'),
        finding('F-002', 'CRITICAL', 'ACCEPTED_RISK', '2026-11-01'),
        finding('F-003', 'LOW', 'OPEN'),
      ],
      today: TODAY,
    });
    expect(blockers.map((b) => ('key' in b ? b.key : b.kind))).toEqual(['CM-999', 'CM-1000', 'F-002', 'F-010']);
    expect(blockerDetails(blockers)).toMatchObject({
      emptyScope: false,
      countermeasures: ['CM-999', 'CM-1000'],
      findings: ['F-002', 'F-010'],
    });
    expect(clearanceBlockers({ scope: [], findings: [], today: TODAY })).toEqual([{ kind: 'EMPTY_SCOPE' }]);
  });
});
