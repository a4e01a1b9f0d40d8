import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { attestationDigest, linkDigest, payloadDigest, SIGN_OFF_FORMAT, signOffPayload, type SignOffFacts } from './evidence-digests';

const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

const facts: SignOffFacts = {
  countermeasure: { id: 'c1', key: 'CM-001', incidentId: 'i1', title: '当該データベースの稼働停止' },
  auditor: { id: 'a1', label: 'auditor@example.com' },
  signedAt: new Date('2026-11-26T01:02:03.004Z'),
  statement: '確認した',
  signerProof: { method: 'TOTP', at: '2026-11-26T01:00:00.000Z', amr: null, acr: null },
  evidence: [
    {
      requirementId: 'r2',
      requirementTitle: 'ログ',
      requirementPosition: 1,
      evidenceId: 'e9',
      versionNo: 1,
      kind: 'FILE',
      sha256: 'b'.repeat(64),
      reviewId: 'v2',
      reviewedAt: new Date('2026-11-25T00:00:00Z'),
    },
    {
      requirementId: 'r1',
      requirementTitle: '記録',
      requirementPosition: 0,
      evidenceId: 'e5',
      versionNo: 2,
      kind: 'LINK',
      sha256: 'a'.repeat(64),
      reviewId: 'v1',
      reviewedAt: new Date('2026-11-24T00:00:00Z'),
    },
  ],
};

describe('hashes an outside tool can recompute', () => {
  it('a link and an attestation hash their canonical content (evidence-content/v1)', () => {
    expect(linkDigest('https://example.jp/a')).toBe(sha('{"format":"evidence-content/v1","kind":"LINK","url":"https://example.jp/a"}'));
    expect(attestationDigest('題', '本文')).toBe(
      sha('{"format":"evidence-content/v1","kind":"ATTESTATION","statement":"本文","title":"題"}'),
    );
  });

  it('the sign-off payload is ordered by requirement, dated in UTC ISO with ms, and its digest is the SHA-256 of its RFC 8785 form', () => {
    const payload = signOffPayload(facts);
    expect((payload.evidence as { evidenceId: string }[]).map((e) => e.evidenceId)).toEqual(['e5', 'e9']);
    expect(payload.signedAt).toBe('2026-11-26T01:02:03.004Z');
    // Recomputed after a JSON round trip (what the database stores), key order shuffled.
    const stored = JSON.parse(JSON.stringify(payload)) as Record<string, unknown>;
    const shuffled = Object.fromEntries(Object.entries(stored).reverse());
    expect(payloadDigest(shuffled)).toBe(payloadDigest(payload));
  });

  it('sign-off/v2 carries the signer’s second-factor proof inside what is hashed: changing the method, the time or the IdP’s amr/acr changes the digest', () => {
    const payload = signOffPayload(facts);
    expect(payload.format).toBe(SIGN_OFF_FORMAT);
    expect(SIGN_OFF_FORMAT).toBe('sign-off/v2');
    expect(payload.signerProof).toEqual({ method: 'TOTP', at: '2026-11-26T01:00:00.000Z', amr: null, acr: null });
    const base = payloadDigest(payload);
    const sso = { method: 'SSO', at: '2026-11-26T01:00:00.000Z', amr: ['pwd', 'otp'], acr: 'urn:example:mfa' };
    const variants = [
      { ...facts.signerProof!, method: 'PASSKEY' },
      { ...facts.signerProof!, at: '2026-11-26T01:00:00.001Z' },
      sso,
      { ...sso, amr: ['pwd', 'hwk'] },
      { ...sso, acr: 'urn:example:other' },
      null,
    ];
    const digests = variants.map((signerProof) => payloadDigest(signOffPayload({ ...facts, signerProof })));
    expect(new Set([base, ...digests]).size).toBe(variants.length + 1);
    // null (step-up waived in the demo) is stated, not left out.
    expect(signOffPayload({ ...facts, signerProof: null })).toHaveProperty('signerProof', null);
  });

  it('a sign-off/v1 payload (made before the proof was recorded, no signerProof) is still checked by the same rule', () => {
    const v1 = {
      format: 'sign-off/v1',
      countermeasure: { id: 'c1', key: 'CM-001', incidentId: 'i1', title: '停止' },
      auditor: { id: 'a1', label: 'auditor@example.com' },
      signedAt: '2026-11-26T01:02:03.004Z',
      statement: '',
      evidence: [],
      riskAcceptances: [],
    };
    const canonical =
      '{"auditor":{"id":"a1","label":"auditor@example.com"},"countermeasure":{"id":"c1","incidentId":"i1","key":"CM-001","title":"停止"},' +
      '"evidence":[],"format":"sign-off/v1","riskAcceptances":[],"signedAt":"2026-11-26T01:02:03.004Z","statement":""}';
    expect(payloadDigest(v1)).toBe(sha(canonical));
  });

  it('any change of an evidence hash changes the digest', () => {
    const changed = { ...facts, evidence: [{ ...facts.evidence[0]!, sha256: 'c'.repeat(64) }, facts.evidence[1]!] };
    expect(payloadDigest(signOffPayload(changed))).not.toBe(payloadDigest(signOffPayload(facts)));
  });
});
