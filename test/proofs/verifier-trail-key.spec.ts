import {
  fingerprint,
  keyPinFromText,
  keysDocument,
  keysDocumentKey,
  readableJson,
  toBase64,
  utf8,
  verifyBundle,
  type CheckName,
  type KeyPurpose,
  type VerificationReport,
  type VerifyOptions,
} from '@app/proofs';
import { generateEd25519, nodePlatform, sha256 } from '@app/proofs/node';
import { describe, expect, it } from 'vitest';
import { ORIGIN, TREE_SIZE, makeBundle, memorySource, reseal, type Ed25519Key, type MadeBundle } from './support/make-bundle';

/**
 * Which trail key the verifier trusts when the auditor pinned only the bundle
 * key. keys.json lies outside the signed tag manifest: the verifier takes from
 * it only the trail key whose fingerprint the signed statement names, and a
 * pinned key is for the flag it was given with, whatever keys.json says of it.
 */

const CHECKPOINT = 'bag/data/trail/checkpoint.txt';
const verify = (b: MadeBundle, options: VerifyOptions) => verifyBundle(memorySource(b.files), options, nodePlatform);
const status = (r: VerificationReport, name: CheckName) => r.checks.find((c) => c.name === name)!.status;
const problems = (r: VerificationReport, name: CheckName) =>
  r.checks
    .find((c) => c.name === name)!
    .details.filter((d) => d.problem)
    .map((d) => d.en);
const bundleKeyOnly = (b: MadeBundle): VerifyOptions => ({ key: keyPinFromText(b.bundleFingerprint) });

/** A keys.json with these keys (each key's derived fields correct: it parses). */
function keysJson(keys: { purpose: KeyPurpose; key: Ed25519Key }[]): Uint8Array {
  const at = '2026-11-01T00:00:00.000Z';
  const doc = keysDocument(
    ORIGIN,
    keys.map(({ purpose, key }) =>
      keysDocumentKey(sha256, {
        purpose,
        name: purpose === 'trail' ? `${ORIGIN}/trail` : `${ORIGIN}/bundles`,
        publicKey: key.publicKey,
        status: 'ACTIVE',
        activatedAt: at,
        retiredAt: null,
      }),
    ),
  );
  return utf8(readableJson(doc));
}

/** The bundle with its checkpoint re-signed by `signer` (no co-signature), manifests and statement redone with the bundle key. */
function resignedCheckpoint(b: MadeBundle, signer: Ed25519Key): void {
  b.files.set(CHECKPOINT, utf8(b.signCheckpoint(TREE_SIZE, b.tree.root(), signer)));
  reseal(b);
}

describe('the trail key when only the bundle key is pinned', () => {
  it('is the one of keys.json the signed statement names: the report says so, by fingerprint', async () => {
    const b = makeBundle();
    const report = await verify(b, bundleKeyOnly(b));
    expect(status(report, 'CHECKPOINT_SIGNATURE')).toBe('PASS');
    const info = report.checks.find((c) => c.name === 'CHECKPOINT_SIGNATURE')!.details.map((d) => d.en);
    expect(info).toContain(
      `The trail key was taken from keys.json: the one whose fingerprint (${b.trailFingerprint}) the signed statement names; pin it with --trail-key for an independent check.`,
    );
    expect(info.join('\n')).not.toContain('vouched for');
  });

  it('a trail key swapped into keys.json, and a checkpoint re-signed by it: CHECKPOINT_SIGNATURE fails', async () => {
    const b = makeBundle();
    const mallory = generateEd25519();
    b.files.set(
      'keys.json',
      keysJson([
        { purpose: 'trail', key: mallory },
        { purpose: 'bundle', key: b.keys.bundle },
      ]),
    );
    resignedCheckpoint(b, mallory);
    const report = await verify(b, bundleKeyOnly(b));
    expect(status(report, 'BAG_COMPLETE')).toBe('PASS');
    expect(status(report, 'BUNDLE_SIGNATURE')).toBe('PASS');
    expect(status(report, 'CHECKPOINT_SIGNATURE')).toBe('FAIL');
    expect(problems(report, 'CHECKPOINT_SIGNATURE')).toEqual([
      `The trail key the signed statement names (${b.trailFingerprint}) is not in keys.json (give --trail-key or a keys file).`,
    ]);
    expect(report.ok).toBe(false);
  });

  it('the swapped key listed beside the genuine one does not help: only the named key is trusted', async () => {
    const b = makeBundle();
    const mallory = generateEd25519();
    b.files.set(
      'keys.json',
      keysJson([
        { purpose: 'trail', key: b.keys.trail },
        { purpose: 'trail', key: mallory },
        { purpose: 'bundle', key: b.keys.bundle },
      ]),
    );
    resignedCheckpoint(b, mallory);
    const report = await verify(b, bundleKeyOnly(b));
    expect(status(report, 'CHECKPOINT_SIGNATURE')).toBe('FAIL');
    expect(problems(report, 'CHECKPOINT_SIGNATURE')).toEqual([
      `The checkpoint has no valid signature by the trail key (${b.trailFingerprint}).`,
    ]);
    // Pinning the genuine trail key gives the same answer, independently of keys.json.
    const pinned = await verify(b, { ...bundleKeyOnly(b), trailKey: keyPinFromText(b.keys.trail.publicKeyPem) });
    expect(status(pinned, 'CHECKPOINT_SIGNATURE')).toBe('FAIL');
  });

  it('a statement that names no trail key (an older bundle): CHECKPOINT_SIGNATURE fails, saying to pin one; --trail-key checks it', async () => {
    const b = makeBundle();
    b.statementTrailKey = null;
    reseal(b);
    const report = await verify(b, bundleKeyOnly(b));
    expect(status(report, 'BUNDLE_SIGNATURE')).toBe('PASS');
    expect(problems(report, 'CHECKPOINT_SIGNATURE')).toEqual([
      "The trail key cannot be established: the signed statement does not name the trail key's fingerprint (give --trail-key or a keys file).",
    ]);
    const pinned = await verify(b, { ...bundleKeyOnly(b), trailKey: keyPinFromText(b.keys.trail.publicKeyPem) });
    expect(pinned.ok).toBe(true);
  });

  it('a bundle signature that does not verify: no key of keys.json is trusted for the trail', async () => {
    const b = makeBundle();
    reseal(b, generateEd25519());
    const report = await verify(b, bundleKeyOnly(b));
    expect(status(report, 'BUNDLE_SIGNATURE')).toBe('FAIL');
    expect(problems(report, 'CHECKPOINT_SIGNATURE')).toEqual([
      'The trail key cannot be established: the bundle signature did not verify, so no key of keys.json is trusted (give --trail-key or a keys file).',
    ]);
  });
});

describe('a pinned key is for the flag it was given with', () => {
  it('--key bundle.pem and --trail-key trail.pem hold even when keys.json swaps their purposes', async () => {
    const b = makeBundle();
    b.files.set(
      'keys.json',
      keysJson([
        { purpose: 'bundle', key: b.keys.trail },
        { purpose: 'trail', key: b.keys.bundle },
      ]),
    );
    reseal(b);
    const report = await verify(b, {
      key: keyPinFromText(b.keys.bundle.publicKeyPem),
      trailKey: keyPinFromText(b.keys.trail.publicKeyPem),
    });
    expect(report.checks.filter((c) => c.status === 'FAIL').map((c) => c.name)).toEqual([]);
    expect(report.summary.bundleKey).toBe(b.bundleFingerprint);
  });

  it('--key bundle.pem alone: keys.json calling it the trail key does not make it one', async () => {
    const b = makeBundle();
    // keys.json names the bundle key as the trail key, and the checkpoint is signed with the bundle key.
    b.files.set('keys.json', keysJson([{ purpose: 'trail', key: b.keys.bundle }]));
    resignedCheckpoint(b, b.keys.bundle);
    const report = await verify(b, { key: keyPinFromText(b.keys.bundle.publicKeyPem) });
    expect(status(report, 'BUNDLE_SIGNATURE')).toBe('PASS');
    expect(status(report, 'CHECKPOINT_SIGNATURE')).toBe('FAIL');
    expect(fingerprint(sha256, b.keys.bundle.publicKey)).toBe(b.bundleFingerprint);
    expect(toBase64(b.keys.bundle.publicKey)).not.toBe(toBase64(b.keys.trail.publicKey));
  });
});
