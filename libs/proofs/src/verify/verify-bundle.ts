import type { KeyPin } from '../keys';
import type { Platform } from '../platform';
import { checkBagComplete, checkTagManifest } from './bag-checks';
import { errorText, VerifyContext, type BagSource } from './context';
import { checkClearanceDigests, checkEvidenceBytes, checkSignOffDigests, readEvidenceRecords } from './record-checks';
import { CHECK_NAMES, CheckBuilder, type CheckName, type CheckResult, type VerificationReport } from './report';

const failed = (name: CheckName): CheckResult => ({ name, status: 'FAIL', details: [] });
import {
  checkBundleSignature,
  checkCheckpointSignature,
  checkCosignatures,
  checkSignedSubject,
  readSignedParts,
  resolvePins,
  trailKeysFor,
} from './signature-checks';
import { checkCheckpointConsistency, checkTrailChain, checkTrailInclusion, readProofs, readTrailEntries } from './trail-checks';

export interface VerifyOptions {
  /** --key: the bundle key (a fingerprint, a keys document's text, or a PEM's text); a keys document pins the trail keys too. */
  key: KeyPin;
  /** --trail-key: the trail key, when --key does not give it. */
  trailKey?: KeyPin;
  /** --checkpoint: the text of an older checkpoint the auditor kept. */
  olderCheckpoint?: string;
  /** --cosigner: C2SP verifier keys of co-signers whose signatures must be on the checkpoint. */
  cosigners?: string[];
}

/**
 * Checks a bundle offline: every check of docs/proofs.md, in its order. Never
 * throws for a bad bundle: what cannot be read is a FAIL with its reason.
 */
export async function verifyBundle(source: BagSource, options: VerifyOptions, platform: Platform): Promise<VerificationReport> {
  const ctx = new VerifyContext(source, platform);
  const results = new Map<string, CheckResult>();
  const add = (r: CheckResult) => results.set(r.name, r);
  /** Runs a check; an unexpected error (a zip entry that cannot be read, a malformed record) is that check's FAIL. */
  const guard = async <T>(name: CheckName, run: () => Promise<T> | T, fallback: T, pick: (t: T) => CheckResult): Promise<T> => {
    try {
      const out = await run();
      add(pick(out));
      return out;
    } catch (e) {
      add(
        new CheckBuilder(name)
          .problem(`検査中にエラーが起きました: ${errorText(e)}`, `The check failed with an error: ${errorText(e)}`)
          .result(),
      );
      return fallback;
    }
  };
  const plain = (name: CheckName, run: () => Promise<CheckResult> | CheckResult) => guard(name, run, failed(name), (r) => r);

  await guard(
    'BAG_COMPLETE',
    () => checkBagComplete(ctx),
    null,
    (r) => r!.result,
  );
  await plain('TAG_MANIFEST', () => checkTagManifest(ctx));

  const parts = await readSignedParts(ctx);
  await plain('SIGNED_SUBJECT', () => checkSignedSubject(ctx, parts));
  const pins = resolvePins(ctx, options.key, options.trailKey, parts.keys);
  const byFingerprint = options.key.kind === 'fingerprint' || options.trailKey?.kind === 'fingerprint';
  if (parts.keysError && byFingerprint) {
    pins.problems.push({ ja: `keys.json を読めません: ${parts.keysError}`, en: `keys.json cannot be read: ${parts.keysError}` });
  }
  const bundleSignature = await plain('BUNDLE_SIGNATURE', () => checkBundleSignature(ctx, parts, pins));

  const trailKeys = trailKeysFor(pins, parts.keys, bundleSignature.status === 'PASS', parts.statement);
  const cp = await guard(
    'CHECKPOINT_SIGNATURE',
    () => checkCheckpointSignature(ctx, parts.statement, trailKeys),
    { note: null, checkpoint: null, result: failed('CHECKPOINT_SIGNATURE') },
    (r) => r.result,
  );
  const trailNames = new Set(trailKeys.keys.map((k) => k.name).filter((n): n is string => n !== null));
  if (cp.checkpoint) trailNames.add(cp.checkpoint.origin);
  await plain('COSIGNATURES', () => checkCosignatures(ctx, cp.note, options.cosigners ?? [], trailNames));

  const entries = await readTrailEntries(ctx);
  await plain('TRAIL_CHAIN', () => checkTrailChain(ctx, entries));
  const proofs = await readProofs(ctx);
  await plain('TRAIL_INCLUSION', () => checkTrailInclusion(ctx, entries.entries, proofs, cp.checkpoint));
  await plain('CHECKPOINT_CONSISTENCY', () =>
    checkCheckpointConsistency(ctx, options.olderCheckpoint, proofs, cp.checkpoint, trailKeys.keys),
  );

  const records = await readEvidenceRecords(ctx);
  const signOffs = await guard(
    'SIGN_OFF_DIGESTS',
    () => checkSignOffDigests(ctx, parts.statement),
    { digests: new Map<string, string>(), result: failed('SIGN_OFF_DIGESTS') },
    (r) => r.result,
  );
  await plain('CLEARANCE_DIGESTS', () => checkClearanceDigests(ctx, parts.statement, records, signOffs.digests));
  await plain('EVIDENCE_BYTES', () => checkEvidenceBytes(ctx, records));

  const checks = CHECK_NAMES.map((n) => results.get(n)!);
  const p = parts.statement?.predicate;
  return {
    ok: checks.every((c) => c.status !== 'FAIL'),
    summary: {
      scope: p?.scope ?? null,
      scopeId: p?.scopeId ?? null,
      asOf: p?.asOf ?? null,
      checkpointSize: cp.checkpoint?.size ?? p?.checkpoint.size ?? null,
      bundleKey: pins.bundle[0]?.fingerprint ?? null,
      files: ctx.paths.size,
    },
    checks,
  };
}
