import { canonicalDigest, canonicalJson, keyPinFromText, utf8, verifyBundle, type CheckName, type VerificationReport } from '@app/proofs';
import { nodePlatform, sha256 } from '@app/proofs/node';
import { describe, expect, it } from 'vitest';
import { makeBundle, memorySource, reseal, type MadeBundle } from './support/make-bundle';

/**
 * The offline verifier and the signer's second-factor proof (sign-off/v2, clearance/v2): a bundle whose records
 * carry it passes and the report says how each was proved; a proof changed after signing fails the digest; a v2
 * record without a well-formed proof, or a format the verifier does not know, fails with the reason; the v1
 * records of older bundles keep passing (verifier-core.spec.ts).
 */

const SIGN_OFFS = 'bag/data/records/sign-offs.json';
const CLEARANCES = 'bag/data/records/clearances.json';

type Row = { id: string; payload: Record<string, unknown>; digest: string };
const rows = (b: MadeBundle, path: string) => JSON.parse(new TextDecoder().decode(b.files.get(path))) as Row[];
const write = (b: MadeBundle, path: string, list: Row[]) => b.files.set(path, utf8(canonicalJson(list)));

const TOTP = { method: 'TOTP', at: '2026-11-20T01:00:00.000Z', amr: null, acr: null };
const SSO = { method: 'SSO', at: '2026-11-24T23:59:00.000Z', amr: ['pwd', 'otp'], acr: 'urn:example:mfa' };

/**
 * The bundle as the server now writes it: each payload v2 with the signer's proof, its digest recomputed (and the
 * clearance's reference to the sign-off's digest), then sealed and signed again. `rehash: false` leaves the digests.
 */
function withProofs(
  b: MadeBundle,
  signOff: Record<string, unknown>,
  clearance: Record<string, unknown>,
  opts: { rehash?: boolean; reseal?: boolean } = {},
): MadeBundle {
  const rehash = opts.rehash ?? true;
  const signOffs = rows(b, SIGN_OFFS).map((s) => {
    const payload = { ...s.payload, ...signOff };
    return { ...s, payload, digest: rehash ? canonicalDigest(sha256, payload) : s.digest };
  });
  const digestOf = new Map(signOffs.map((s) => [s.id, s.digest]));
  const clearances = rows(b, CLEARANCES).map((c) => {
    const countermeasures = (c.payload.countermeasures as { signOff: { id: string; digest: string } | null }[]).map((cm) =>
      cm.signOff ? { ...cm, signOff: { ...cm.signOff, digest: digestOf.get(cm.signOff.id) ?? cm.signOff.digest } } : cm,
    );
    const payload = { ...c.payload, countermeasures, ...clearance };
    return { ...c, payload, digest: rehash ? canonicalDigest(sha256, payload) : c.digest };
  });
  write(b, SIGN_OFFS, signOffs);
  write(b, CLEARANCES, clearances);
  if (opts.reseal ?? true) reseal(b);
  return b;
}

const verify = (b: MadeBundle) =>
  verifyBundle(
    memorySource(b.files),
    { key: keyPinFromText(b.keysJson), cosigners: [b.auditorVkey], olderCheckpoint: b.keptCheckpoint },
    nodePlatform,
  );
const failing = (r: VerificationReport) => r.checks.filter((c) => c.status === 'FAIL').map((c) => c.name);
const check = (r: VerificationReport, name: CheckName) => r.checks.find((c) => c.name === name)!;
const problems = (r: VerificationReport, name: CheckName) =>
  check(r, name)
    .details.filter((d) => d.problem)
    .map((d) => d.en);
const infos = (r: VerificationReport, name: CheckName) =>
  check(r, name)
    .details.filter((d) => !d.problem)
    .map((d) => d.en);

describe('verifyBundle: the signer’s second-factor proof in sign-offs and clearances', () => {
  it('v2 records with a proof pass, and the report says how the signers proved it (TOTP, SSO)', async () => {
    const b = withProofs(makeBundle(), { format: 'sign-off/v2', signerProof: TOTP }, { format: 'clearance/v2', signerProof: SSO });
    const report = await verify(b);
    expect(failing(report)).toEqual([]);
    expect(infos(report, 'SIGN_OFF_DIGESTS')).toContain(
      "Signer's second-factor proof: 1 (TOTP 1); waived (demo) 0; made before it was recorded (v1) 0.",
    );
    expect(infos(report, 'CLEARANCE_DIGESTS')).toContain(
      "Signer's second-factor proof: 1 (SSO 1); waived (demo) 0; made before it was recorded (v1) 0.",
    );
  });

  it('the v1 records of a bundle made before pass and are reported as made before the proof was recorded', async () => {
    const report = await verify(makeBundle());
    expect(failing(report)).toEqual([]);
    expect(infos(report, 'SIGN_OFF_DIGESTS')).toContain(
      "Signer's second-factor proof: 0; waived (demo) 0; made before it was recorded (v1) 1.",
    );
  });

  it('a waived proof (null, the demo without DEMO_MFA) passes and is reported as waived', async () => {
    const b = withProofs(makeBundle(), { format: 'sign-off/v2', signerProof: null }, { format: 'clearance/v2', signerProof: TOTP });
    const report = await verify(b);
    expect(failing(report)).toEqual([]);
    expect(infos(report, 'SIGN_OFF_DIGESTS')).toContain(
      "Signer's second-factor proof: 0; waived (demo) 1; made before it was recorded (v1) 0.",
    );
  });

  it('a proof changed after signing (method or time), even re-sealed: the digest no longer matches', async () => {
    const b = withProofs(makeBundle(), { format: 'sign-off/v2', signerProof: TOTP }, { format: 'clearance/v2', signerProof: SSO });
    // Someone rewrites the sign-off's proof as a passkey, and the clearance's time, keeping the digests.
    withProofs(
      b,
      { signerProof: { ...TOTP, method: 'PASSKEY' } },
      { signerProof: { ...SSO, at: '2026-11-24T23:00:00.000Z' } },
      { rehash: false },
    );
    const report = await verify(b);
    expect(failing(report)).toEqual(['SIGN_OFF_DIGESTS', 'CLEARANCE_DIGESTS']);
    expect(problems(report, 'SIGN_OFF_DIGESTS')[0]).toMatch(/digest is not the SHA-256 of its canonical payload/);
    expect(problems(report, 'CLEARANCE_DIGESTS')[0]).toMatch(/digest is not the SHA-256 of its canonical payload/);
  });

  it('a v2 record without a proof, or with a malformed one, fails its check with the reason, even when its digest matches', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ format: 'sign-off/v2' }, /signerProof\) is missing/],
      [{ format: 'sign-off/v2', signerProof: { ...TOTP, method: 'SMS' } }, /signerProof.method "SMS" is not a known method/],
      [{ format: 'sign-off/v2', signerProof: { ...TOTP, at: '2026-11-20 01:00' } }, /signerProof.at is not a UTC ISO-8601 time/],
      [{ format: 'sign-off/v2', signerProof: { ...TOTP, at: '2026-11-21T00:00:00.000Z' } }, /after the record's own time/],
      [{ format: 'sign-off/v2', signerProof: { ...SSO, amr: null, acr: null } }, /SSO proof states neither/],
      [{ format: 'sign-off/v2', signerProof: { ...TOTP, amr: 'otp' } }, /signerProof.amr is neither/],
      [{ format: 'sign-off/v2', signerProof: { ...TOTP, secret: 'JBSWY3DP' } }, /unknown fields: secret/],
      [{ format: 'sign-off/v1', signerProof: TOTP }, /sign-off\/v1 has a signerProof/],
      [{ format: 'sign-off/v3', signerProof: TOTP }, /format "sign-off\/v3" is not one this verifier knows/],
      [
        { format: 'clearance/v2', signerProof: TOTP },
        /format "clearance\/v2" is not one this verifier knows \(sign-off\/v1, sign-off\/v2\)/,
      ],
    ];
    for (const [change, reason] of cases) {
      const b = withProofs(makeBundle(), { format: 'sign-off/v2', signerProof: TOTP }, { format: 'clearance/v2', signerProof: TOTP });
      const signOffs = rows(b, SIGN_OFFS).map((s) => {
        const payload: Record<string, unknown> = { ...s.payload, ...change };
        if (!('signerProof' in change)) delete payload.signerProof;
        return { ...s, payload, digest: canonicalDigest(sha256, payload) };
      });
      write(b, SIGN_OFFS, signOffs);
      reseal(b);
      const report = await verify(b);
      // The clearance still names the sign-off's old digest: that is CLEARANCE_DIGESTS' own (expected) complaint.
      expect(failing(report), JSON.stringify(change)).toContain('SIGN_OFF_DIGESTS');
      expect(problems(report, 'SIGN_OFF_DIGESTS'), JSON.stringify(change)).toEqual([expect.stringMatching(reason)]);
    }
  });
});
