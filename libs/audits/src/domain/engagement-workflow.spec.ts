import { describe, expect, it } from 'vitest';
import { AuditError } from './audit.errors';
import { ENGAGEMENT_STATUSES, type EngagementStatus } from './audit-fields';
import { allowedEngagementMoves, assertStatusIn, decideEngagementMove, FINDINGS_OPEN_IN } from './engagement-workflow';

function errorOf(fn: () => unknown): AuditError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AuditError);
    return err as AuditError;
  }
  throw new Error('expected an AuditError');
}

const ALLOWED: [EngagementStatus, EngagementStatus][] = [
  ['PLANNED', 'FIELDWORK'],
  ['FIELDWORK', 'REPORTING'],
  ['REPORTING', 'FIELDWORK'],
  ['REPORTING', 'NOT_CLEARED'],
  ['NOT_CLEARED', 'FIELDWORK'],
];

describe('engagement workflow', () => {
  it.each(ALLOWED)('the lead may move %s → %s', (from, to) => {
    expect(decideEngagementMove(from, to, 'まとめ')).toEqual({ from, to, statement: 'まとめ' });
  });

  const refused = ENGAGEMENT_STATUSES.flatMap((from) => ENGAGEMENT_STATUSES.map((to) => [from, to] as const)).filter(
    ([from, to]) => !ALLOWED.some(([f, t]) => f === from && t === to),
  );
  it.each(refused)('refuses %s → %s with INVALID_ENGAGEMENT_TRANSITION listing the allowed moves', (from, to) => {
    const err = errorOf(() => decideEngagementMove(from, to, 'x'));
    expect(err.code).toBe('INVALID_ENGAGEMENT_TRANSITION');
    expect(err.details).toEqual({ from, to, allowed: [...allowedEngagementMoves(from)] });
  });

  it('never reaches CLEARED by hand (only clearAudit), and CLEARED is left only by the automatic withdrawal', () => {
    for (const s of ENGAGEMENT_STATUSES) expect(allowedEngagementMoves(s)).not.toContain('CLEARED');
    expect(allowedEngagementMoves('CLEARED')).toEqual([]);
    expect(errorOf(() => decideEngagementMove('REPORTING', 'CLEARED', 'x')).message).toContain('clearAudit');
  });

  it('NOT_CLEARED needs a non-blank statement (trimmed); other moves keep an optional one', () => {
    expect(errorOf(() => decideEngagementMove('REPORTING', 'NOT_CLEARED', '  ')).details).toEqual({ field: 'statement' });
    expect(errorOf(() => decideEngagementMove('REPORTING', 'NOT_CLEARED', null)).code).toBe('INVALID_FIELD');
    expect(decideEngagementMove('REPORTING', 'NOT_CLEARED', ' 重大な指摘が未解決 ').statement).toBe('重大な指摘が未解決');
    expect(decideEngagementMove('PLANNED', 'FIELDWORK', '   ').statement).toBeNull();
  });

  it('findings may be raised in fieldwork, reporting and on a cleared engagement only', () => {
    expect(() => assertStatusIn('CLEARED', FINDINGS_OPEN_IN, 'raise')).not.toThrow();
    for (const s of ['PLANNED', 'NOT_CLEARED'] as const) {
      expect(errorOf(() => assertStatusIn(s, FINDINGS_OPEN_IN, 'raise')).details).toEqual({ status: s, allowedIn: [...FINDINGS_OPEN_IN] });
    }
  });
});
