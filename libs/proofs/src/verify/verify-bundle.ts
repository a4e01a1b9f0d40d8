import type { KeyPin } from '../keys';
import type { Platform } from '../platform';
import { checkBagComplete, checkTagManifest } from './bag-checks';
import { VerifyContext, type BagSource } from './context';
import { checkClearanceDigests, checkEvidenceBytes, checkSignOffDigests, readEvidenceRecords } from './record-checks';
import { CHECK_NAMES, type CheckResult, type VerificationReport } from './report';
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

  const bag = await checkBagComplete(ctx);
  add(bag.result);
  add(await checkTagManifest(ctx));

  const parts = await readSignedParts(ctx);
  add(await checkSignedSubject(ctx, parts));
  const pins = resolvePins(ctx, options.key, options.trailKey, parts.keys);
  if (parts.keysError)
    pins.problems.push({ ja: `keys.json を読めません: ${parts.keysError}`, en: `keys.json cannot be read: ${parts.keysError}` });
  const bundleSignature = await checkBundleSignature(ctx, parts, pins);
  add(bundleSignature);

  const trailKeys = trailKeysFor(pins, parts.keys, bundleSignature.status === 'PASS');
  const cp = await checkCheckpointSignature(ctx, parts.statement, trailKeys);
  add(cp.result);
  const trailNames = new Set(trailKeys.keys.map((k) => k.name).filter((n): n is string => n !== null));
  if (cp.checkpoint) trailNames.add(cp.checkpoint.origin);
  add(await checkCosignatures(ctx, cp.note, options.cosigners ?? [], trailNames));

  const entries = await readTrailEntries(ctx);
  add(checkTrailChain(ctx, entries));
  const proofs = await readProofs(ctx);
  add(checkTrailInclusion(ctx, entries.entries, proofs, cp.checkpoint));
  add(await checkCheckpointConsistency(ctx, options.olderCheckpoint, proofs, cp.checkpoint, trailKeys.keys));

  const records = await readEvidenceRecords(ctx);
  const signOffs = await checkSignOffDigests(ctx, parts.statement);
  add(signOffs.result);
  add(await checkClearanceDigests(ctx, parts.statement, records, signOffs.digests));
  add(await checkEvidenceBytes(ctx, records));

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
