import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { describe, expect, it } from 'vitest';
import { CLEARANCE_FORMAT, clearanceDigest, clearancePayload, type SnapshotInput } from './clearance-snapshot';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

function input(): SnapshotInput {
  return {
    clearanceId: '00000000-0000-4000-8000-0000000000c1',
    engagementId: '00000000-0000-4000-8000-0000000000e1',
    incidentId: '00000000-0000-4000-8000-0000000000a1',
    firm: '株式会社セキュリティ監査',
    leadAuditorId: '00000000-0000-4000-8000-0000000000b1',
    clearedBy: { id: '00000000-0000-4000-8000-0000000000b1', label: 'auditor@example.com' },
    clearedAt: new Date('2026-11-30T01:02:03.456Z'),
    statement: '全対策の有効性を確認した。',
    signerProof: { method: 'PASSKEY', at: '2026-11-30T01:00:00.000Z', amr: null, acr: null },
    countermeasures: [
      {
        id: '00000000-0000-4000-8000-000000000102',
        seq: 10,
        key: 'CM-010',
        status: 'OPERATING',
        signOff: { id: '00000000-0000-4000-8000-0000000005a1', digest: sha('sign-off'), signedAt: new Date('2026-11-01T00:00:00.000Z') },
        evidence: [
          { id: '00000000-0000-4000-8000-0000000000f2', requirementId: '00000000-0000-4000-8000-0000000000d1', sha256: sha('b') },
          { id: '00000000-0000-4000-8000-0000000000f1', requirementId: '00000000-0000-4000-8000-0000000000d1', sha256: sha('a') },
        ],
      },
      { id: '00000000-0000-4000-8000-000000000101', seq: 2, key: 'CM-002', status: 'VERIFIED', signOff: null, evidence: [] },
    ],
    systems: [{ id: '00000000-0000-4000-8000-000000000202', name: '顧客DB' }],
    findings: [
      {
        id: 'f2',
        seq: 2,
        key: 'F-002',
        engagementId: 'e',
        severity: 'HIGH',
        status: 'ACCEPTED_RISK',
        riskAcceptance: { id: 'r1', expiresOn: '2027-03-31' },
      },
      { id: 'f1', seq: 1, key: 'F-001', engagementId: 'e', severity: 'LOW', status: 'RESOLVED', riskAcceptance: null },
    ],
  };
}

describe('clearance snapshot (clearance/v2)', () => {
  it('carries the format tag, UTC timestamps with milliseconds, and items sorted by key number and id', () => {
    const p = clearancePayload(input());
    expect(p.format).toBe(CLEARANCE_FORMAT);
    expect(p.clearedAt).toBe('2026-11-30T01:02:03.456Z');
    const cms = p.countermeasures as { key: string; evidence: { id: string }[]; signOff: { signedAt: string } | null }[];
    expect(cms.map((c) => c.key)).toEqual(['CM-002', 'CM-010']);
    expect(cms[1]!.evidence.map((e) => e.id.slice(-2))).toEqual(['f1', 'f2']);
    expect(cms[1]!.signOff!.signedAt).toBe('2026-11-01T00:00:00.000Z');
    expect((p.findings as { key: string }[]).map((f) => f.key)).toEqual(['F-001', 'F-002']);
  });

  it('the digest is the SHA-256 of the RFC 8785 form, recomputable from the stored (JSON round-tripped) payload', () => {
    const p = clearancePayload(input());
    const stored = JSON.parse(JSON.stringify(p)) as unknown; // what jsonb gives back
    const digest = clearanceDigest(p);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(clearanceDigest(stored)).toBe(digest);
    expect(createHash('sha256').update(canonicalize(stored)!, 'utf8').digest('hex')).toBe(digest);
  });

  it('does not depend on the order the rows were read in', () => {
    const a = input();
    const b = input();
    b.countermeasures = [...b.countermeasures].reverse().map((c) => ({ ...c, evidence: [...c.evidence].reverse() }));
    b.findings = [...b.findings].reverse();
    expect(clearanceDigest(clearancePayload(b))).toBe(clearanceDigest(clearancePayload(a)));
  });

  it('changes when any evidence hash changes (and when a status, a finding or the statement changes)', () => {
    const base = clearanceDigest(clearancePayload(input()));
    const changedEvidence = input();
    (changedEvidence.countermeasures[0]!.evidence as unknown as { sha256: string }[])[1]!.sha256 = sha('a-tampered');
    expect(clearanceDigest(clearancePayload(changedEvidence))).not.toBe(base);
    const changedStatus = input();
    (changedStatus.countermeasures[1] as { status: string }).status = 'OPERATING';
    expect(clearanceDigest(clearancePayload(changedStatus))).not.toBe(base);
    const changedFinding = input();
    (changedFinding.findings[0] as { status: string }).status = 'OPEN';
    expect(clearanceDigest(clearancePayload(changedFinding))).not.toBe(base);
    const changedStatement = { ...input(), statement: '全対策の有効性を確認した' };
    expect(clearanceDigest(clearancePayload(changedStatement))).not.toBe(base);
  });

  it('carries the lead auditor’s second-factor proof (clearance/v2): method, time and the IdP’s amr/acr are part of the digest', () => {
    const p = clearancePayload(input());
    expect(p.format).toBe('clearance/v2');
    expect(p.signerProof).toEqual({ method: 'PASSKEY', at: '2026-11-30T01:00:00.000Z', amr: null, acr: null });
    const base = clearanceDigest(p);
    const sso = { method: 'SSO', at: '2026-11-30T01:00:00.000Z', amr: ['mfa'], acr: 'urn:example:mfa' };
    const digests = [
      { method: 'TOTP', at: '2026-11-30T01:00:00.000Z', amr: null, acr: null },
      { method: 'PASSKEY', at: '2026-11-30T01:00:01.000Z', amr: null, acr: null },
      sso,
      { ...sso, amr: ['otp'] },
      { ...sso, acr: null },
      null,
    ].map((signerProof) => clearanceDigest(clearancePayload({ ...input(), signerProof })));
    expect(new Set([base, ...digests]).size).toBe(7);
    expect(clearancePayload({ ...input(), signerProof: null })).toHaveProperty('signerProof', null);
  });
});
