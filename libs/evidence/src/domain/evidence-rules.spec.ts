import { describe, expect, it } from 'vitest';
import type { Actor } from '@app/common';
import { assertMayReview, assertMaySignOff, requiresComment, signOffGaps } from './evidence-rules';
import { EvidenceError } from './evidence.errors';

const auditor = (id: string, roles = ['AUDITOR']): Actor => ({ id, label: `${id}@audit.example`, roles });
const codeOf = (f: () => void): string | null => {
  try {
    f();
    return null;
  } catch (e) {
    return e instanceof EvidenceError ? e.code : 'OTHER';
  }
};

describe('segregation of duties', () => {
  const item = { ownerId: 'owner', contributorIds: ['helper'] };

  it('an independent auditor may review; the uploader, the owner and contributors may not', () => {
    expect(codeOf(() => assertMayReview(auditor('a1'), 'uploader', item))).toBeNull();
    expect(codeOf(() => assertMayReview(auditor('uploader', ['AUDITOR', 'TASK_FORCE']), 'uploader', item))).toBe('SELF_REVIEW');
    expect(codeOf(() => assertMayReview(auditor('owner', ['AUDITOR', 'TASK_FORCE']), 'uploader', item))).toBe('CONFLICT_OF_INTEREST');
    expect(codeOf(() => assertMayReview(auditor('helper', ['AUDITOR', 'TASK_FORCE']), 'uploader', item))).toBe('CONFLICT_OF_INTEREST');
  });

  it('only auditors review or sign off, whoever calls the service (the system included)', () => {
    expect(codeOf(() => assertMayReview(auditor('x', ['EXECUTIVE']), 'uploader', item))).toBe('NOT_PERMITTED');
    expect(codeOf(() => assertMayReview({ id: null, label: 'system:job', roles: [] }, 'uploader', item))).toBe('NOT_PERMITTED');
    expect(codeOf(() => assertMaySignOff(auditor('x', ['ADMIN']), { ...item, uploaderIds: [] }))).toBe('NOT_PERMITTED');
  });

  it('nobody signs off work they own, contribute to or uploaded evidence for', () => {
    const signed = { ...item, uploaderIds: ['uploader'] };
    expect(codeOf(() => assertMaySignOff(auditor('a1'), signed))).toBeNull();
    for (const who of ['owner', 'helper', 'uploader']) {
      expect(codeOf(() => assertMaySignOff(auditor(who, ['AUDITOR', 'TASK_FORCE']), signed))).toBe('CONFLICT_OF_INTEREST');
    }
  });
});

describe('what a sign-off needs', () => {
  it('every requirement with live evidence, all of it accepted, unless an executive accepted the risk', () => {
    expect(
      signOffGaps([
        { id: 'r1', title: '停止記録', liveEvidenceCount: 1, acceptedEvidenceCount: 1, riskAccepted: false },
        { id: 'r2', title: 'ログ確認', liveEvidenceCount: 0, acceptedEvidenceCount: 0, riskAccepted: false },
        { id: 'r3', title: '棚卸し', liveEvidenceCount: 2, acceptedEvidenceCount: 1, riskAccepted: false },
        { id: 'r4', title: 'リスク受容済み', liveEvidenceCount: 0, acceptedEvidenceCount: 0, riskAccepted: true },
      ]),
    ).toEqual([
      { requirementId: 'r2', title: 'ログ確認', reason: 'NO_EVIDENCE' },
      { requirementId: 'r3', title: '棚卸し', reason: 'NOT_ALL_ACCEPTED' },
    ]);
    expect(signOffGaps([{ id: 'r1', title: 'x', liveEvidenceCount: 3, acceptedEvidenceCount: 3, riskAccepted: false }])).toEqual([]);
  });

  it('a rejection or a request for more needs a comment; an acceptance does not', () => {
    expect([requiresComment('ACCEPTED'), requiresComment('REJECTED'), requiresComment('NEEDS_MORE')]).toEqual([false, true, true]);
  });
});
